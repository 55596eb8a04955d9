"""What classroom devices send us. Devices may retry for hours after a link drop, so every
event carries an id the device made, unique per device: storing it twice is impossible."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from school.models import ClassroomDevice, School, Student


class CheckInEvent(models.Model):
    """A card or code read at a kiosk. Events whose card matches no pupil are kept (student is
    null) for the school's administrator to resolve, never dropped."""

    class Direction(models.TextChoices):
        IN = "in", _("In")
        OUT = "out", _("Out")

    device = models.ForeignKey(
        ClassroomDevice, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("device")
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("school")
    )
    event_id = models.UUIDField(_("event id"))
    student = models.ForeignKey(
        Student,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("pupil"),
    )
    card_id = models.CharField(_("card number"), max_length=40, blank=True)
    student_code = models.CharField(_("student code"), max_length=20, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # SHA-256 of the event as first received: the same id with other content is a conflict.
    payload_hash = models.CharField(max_length=64, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["device", "event_id"], name="checkin_unique_event"),
        ]
        indexes = [
            models.Index(fields=["school", "occurred_at"], name="checkin_school_time"),
            models.Index(
                fields=["school"], condition=models.Q(student__isnull=True), name="checkin_unknown"
            ),
        ]

    def __str__(self) -> str:
        who = self.student or self.card_id or self.student_code
        return f"{who} {self.get_direction_display()} {self.occurred_at:%d/%m/%Y %H:%M}"

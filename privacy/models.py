"""What the personal-data rights leave behind: a guardian's correction requests and their
answers, and the record of each pupil anonymised (who, when, from where, what was removed)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from school.models import School, Student


class CorrectionRequest(models.Model):
    """A guardian says that something held about their child is wrong (the right to have data
    corrected, Nghị định 13/2023 Art. 9.5 and the 2025 law). The school's managers answer it in
    the school administration; the guardian is told through the outbox and sees the status on
    the child's data page."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the school")
        ANSWERED = "answered", _("Answered")
        REFUSED = "refused", _("Refused")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="correction_requests", verbose_name=_("pupil")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked by")
    )
    data = models.CharField(_("which data"), max_length=200)
    text = models.TextField(_("what it should be"), max_length=2000)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["student", "-created_at"], name="correction_pupil_recent")]

    def __str__(self) -> str:
        return f"{self.student} – {self.data}"


class AnonymisationRecord(models.Model):
    """One pupil anonymised: who did it, when, from where, and how many rows of each kind were
    removed or cleared (privacy.anonymise). Never changed; the pupil's row stays (the school
    record keeps it), so this also marks the pupil as anonymised."""

    # SET_NULL: if the school later deletes the pupil's row, the record of who anonymised it
    # stays, with the student code.
    student = models.OneToOneField(
        Student, on_delete=models.SET_NULL, null=True, related_name="anonymisation",
        verbose_name=_("pupil"),
    )
    student_code = models.CharField(_("student code"), max_length=20)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    left_on = models.DateField(_("left the school on"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("who"),
    )
    by_name = models.CharField(_("name"), max_length=150)  # kept if the account goes
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    removed = models.JSONField(_("removed"), default=dict)  # {kind: rows}, see anonymise.py

    class Meta:
        verbose_name = _("anonymised pupil")
        verbose_name_plural = _("anonymised pupils")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.student_code} – {self.at:%d/%m/%Y}"


class LeftPupil(Student):
    """The school administration's list of pupils who have left, where a manager anonymises
    one (privacy/admin.py). A proxy: no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("pupil who has left")
        verbose_name_plural = _("pupils who have left")

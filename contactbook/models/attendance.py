"""Attendance per session (buổi)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from school.models import ClassGroup, Student


class AttendanceMark(models.Model):
    """A pupil's attendance for one session (buổi) of one day; absences count towards the
    45-session limit for promotion, so they are kept per session."""

    class Session(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Absent with leave")
        UNEXCUSED = "unexcused", _("Absent without leave")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="attendance")
    class_group = models.ForeignKey(ClassGroup, on_delete=models.PROTECT, related_name="attendance")
    date = models.DateField(_("date"))
    session = models.CharField(_("session"), max_length=10, choices=Session.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["student", "date", "session"], name="attendance_one_per_session"),
        ]
        indexes = [models.Index(fields=["class_group", "date"], name="attendance_class_day")]

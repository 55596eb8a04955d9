"""Attendance per session (buổi), leave requests, teachers' daily comments and announcements
with their read receipts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from school.models import ClassGroup, School, SchoolYear, Student


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
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "date", "session"], name="attendance_one_per_session"
            ),
        ]
        indexes = [models.Index(fields=["class_group", "date"], name="attendance_class_day")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date:%d/%m/%Y} {self.session}: {self.status}"


class LeaveRequest(models.Model):
    """A guardian's request for leave (xin nghỉ phép) for their child, for whole days or one
    session of each day; the homeroom teacher approves or declines it. Approved leave makes the
    matching sessions "absent with leave" (contactbook/attendance.py)."""

    class Sessions(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")
        BOTH = "both", _("Whole day")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the teacher")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="leave_requests", verbose_name=_("pupil")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    sessions = models.CharField(
        _("sessions"), max_length=10, choices=Sessions.choices, default=Sessions.BOTH
    )
    reason = models.TextField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("teacher's note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-start_date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="leave_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["student", "status"], name="leave_student_status")]

    def __str__(self) -> str:
        return (
            f"{self.student_id} {self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y} ({self.status})"
        )

    @property
    def session_names(self) -> tuple[str, ...]:
        """The AttendanceMark sessions this request covers on each of its days."""
        if self.sessions == self.Sessions.BOTH:
            return (AttendanceMark.Session.MORNING, AttendanceMark.Session.AFTERNOON)
        return (self.sessions,)

    def covers(self, day, session: str) -> bool:
        return self.start_date <= day <= self.end_date and session in self.session_names


class DailyComment(models.Model):
    """A teacher's short note on a pupil's day (praise or concern), shown to the guardians."""

    class Kind(models.TextChoices):
        PRAISE = "praise", _("Praise")
        CONCERN = "concern", _("Concern")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="daily_comments", verbose_name=_("pupil")
    )
    # The class the pupil was in when the note was written (a later transfer keeps it).
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, related_name="daily_comments", verbose_name=_("class")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("teacher"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("comment"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("daily comment")
        verbose_name_plural = _("daily comments")
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["student", "-date"], name="dailycomment_pupil_day"),
            models.Index(fields=["class_group", "-date"], name="dailycomment_class_day"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date:%d/%m/%Y} {self.kind}: {self.text[:40]}"


class Announcement(models.Model):
    """A notice to a class, a grade or the whole school for one school year. Who sees it is
    computed on every request from the current enrolments (an unlinked guardian or a pupil who
    moved class stops seeing it at once)."""

    class Audience(models.TextChoices):
        CLASS = "class", _("One class")
        GRADE = "grade", _("One grade")
        SCHOOL = "school", _("The whole school")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear,
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("school year"),
    )
    audience = models.CharField(_("to"), max_length=10, choices=Audience.choices)
    class_group = models.ForeignKey(
        ClassGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("class"),
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="class", class_group__isnull=False, grade__isnull=True)
                | Q(audience="grade", class_group__isnull=True, grade__isnull=False)
                | Q(audience="school", class_group__isnull=True, grade__isnull=True),
                name="announcement_audience_matches",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "-created_at"], name="announcement_school_recent")
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    """Someone opened an announcement (the first time counts)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("announcement read")
        verbose_name_plural = _("announcement reads")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="announcementread_once"),
        ]

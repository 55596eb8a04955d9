"""The electronic contact book (sổ liên lạc điện tử): the grade book, conduct, attendance and the
notifications that carry them to guardians.

Grades are evidence: every change of a score, conduct rating or attendance mark keeps who,
when, the old and the new value (django-simple-history), and a closed term cannot be changed
until an administrator reopens it (TermEvent records both).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from school.models import ClassGroup, Student, Subject, Term


class Score(models.Model):
    """One cell of a class's grade book: a pupil's assessment in a subject and term.

    A scored subject's cell holds `value` (0–10, one decimal); a rated subject's holds `passed`
    (Đ/CĐ). `published_at` is set when the teacher publishes the cell's column: guardians see
    published cells only.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular assessment")
        MIDTERM = "midterm", _("Midterm")
        FINAL = "final", _("End of term")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="scores", verbose_name=_("pupil"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="scores", verbose_name=_("subject"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="scores", verbose_name=_("term"))
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, related_name="scores", verbose_name=_("class")
    )
    kind = models.CharField(_("assessment"), max_length=10, choices=Kind.choices)
    index = models.PositiveSmallIntegerField(_("number"), default=1)
    value = models.DecimalField(_("score"), max_digits=3, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("Đạt"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    updated_at = models.DateTimeField(_("entered at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["published_at"])

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "term", "kind", "index"], name="score_one_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=0) & Q(value__lte=10)),
                name="score_value_0_10",
            ),
        ]
        indexes = [models.Index(fields=["class_group", "subject", "term"], name="score_grid")]

    def __str__(self) -> str:
        shown = self.value if self.value is not None else ("Đ" if self.passed else "CĐ")
        return f"{self.student} – {self.subject} – {self.get_kind_display()} {self.index}: {shown}"


class ConductRating(models.Model):
    """Kết quả rèn luyện for a term, given by the homeroom teacher (GVCN)."""

    class Rating(models.TextChoices):
        GOOD = "Tốt", "Tốt"
        FAIR = "Khá", "Khá"
        PASS = "Đạt", "Đạt"
        FAIL = "Chưa đạt", "Chưa đạt"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="conduct", verbose_name=_("pupil"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("term"))
    rating = models.CharField(_("conduct"), max_length=10, choices=Rating.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conduct rating")
        verbose_name_plural = _("conduct ratings")
        constraints = [models.UniqueConstraint(fields=["student", "term"], name="conduct_one_per_term")]


class TermComment(models.Model):
    """A term comment on a pupil: a subject teacher's (with `subject`) or the homeroom
    teacher's (without)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="term_comments")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(_("comment"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term comment")
        verbose_name_plural = _("term comments")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term", "subject"], name="termcomment_one_per_subject"
            ),
            models.UniqueConstraint(
                fields=["student", "term"], condition=Q(subject__isnull=True),
                name="termcomment_one_homeroom",
            ),
        ]


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


class TermEvent(models.Model):
    """Closing or reopening a term's grade book: who, when and why."""

    class Action(models.TextChoices):
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at"]


class Notification(models.Model):
    """The outbox: one row per person and event, written in the same transaction as the event,
    so a rolled-back grade is never announced and a committed one is never lost. `dedupe_key`
    makes writing the same notification twice a no-op."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=2000)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One notification through one channel (e-mail, SMS, …); claimed by a worker with a
    conditional UPDATE, retried with backoff, parked for an administrator after the last try."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        PARKED = "parked", _("Gave up (needs an administrator)")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20)
    address = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_one_per_channel"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_due"),
        ]


class ChannelPreference(models.Model):
    """Which channels a person wants besides the in-app inbox (which everyone has)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences")
    channel = models.CharField(_("channel"), max_length=20)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="preference_one_per_channel")]

"""What classroom devices send us. Devices may retry for hours after a link drop, so every
event carries an id the device made, unique per device: storing it twice is impossible; a
clicker's quiz answer is one row per pupil and question, for the same reason."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from school.models import ClassGroup, ClassroomDevice, School, Student


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


class QuizSession(models.Model):
    """A lesson's quiz block opened on a board for one class. Clickers answer it (through the
    board or a hub) until it is closed; the correct answers are shown only after that.
    At most one session is open per device, lesson, quiz and class: opening it again returns
    that one (a board that lost its answer retries safely)."""

    device = models.ForeignKey(
        ClassroomDevice, on_delete=models.PROTECT, related_name="quiz_sessions",
        verbose_name=_("device"),
    )
    # CASCADE: Wagtail deletes pages itself, and a PROTECT here would block it.
    lesson = models.ForeignKey(
        "lms.LessonPage", on_delete=models.CASCADE, related_name="quiz_sessions",
        verbose_name=_("lesson"),
    )
    # The quiz block's id in the lesson's body (a StreamField block id: stable across edits).
    quiz_id = models.CharField(_("quiz"), max_length=64)
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="quiz_sessions", verbose_name=_("class")
    )
    opened_at = models.DateTimeField(_("started at"), default=timezone.now)
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz session")
        verbose_name_plural = _("quiz sessions")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "lesson", "quiz_id", "class_group"],
                condition=models.Q(closed_at__isnull=True),
                name="quizsession_one_open",
            ),
        ]
        indexes = [models.Index(fields=["lesson", "opened_at"], name="quizsession_lesson")]

    def __str__(self) -> str:
        return f"{self.quiz_id} – {self.class_group_id} – {self.opened_at:%d/%m/%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class QuizAnswer(models.Model):
    """A pupil's current choice for one question of a session: one row per pupil and question,
    so a clicker's repeated sends change nothing and a new choice (while the session is open)
    replaces the earlier one."""

    session = models.ForeignKey(
        QuizSession, on_delete=models.CASCADE, related_name="answers",
        verbose_name=_("quiz session"),
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="quiz_answers", verbose_name=_("pupil")
    )
    question_id = models.CharField(_("question"), max_length=64)
    choice = models.CharField(_("choice"), max_length=1)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student", "question_id"], name="quizanswer_once_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.question_id}: {self.choice}"

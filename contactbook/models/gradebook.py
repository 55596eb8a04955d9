"""The grade book of the electronic contact book (sổ liên lạc điện tử): scores, conduct,
term comments and the term's open/closed history.

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

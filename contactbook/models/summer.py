"""The summer of grades 6–12 (Circular 22, Articles 12–14): what is recorded after the year
closes. The conduct re-assessed after summer conduct training, the re-test results (at most one
per pupil, year and subject: no second re-test), and the summer's own closed state per school
year with its history (`SummerEvent`, like a term's `TermEvent`). Each change keeps who and
when (django-simple-history), as grades do. The rules are `grading/summer.py`; the services
that write these rows are `reports/summer.py` (they need the year's decision, which the cards
compute)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contactbook.models.gradebook import ConductRating
from school.models import SchoolYear, Student, Subject


class SummerConduct(models.Model):
    """A pupil's conduct re-assessed after summer conduct training (Art. 14): replaces the
    year's conduct result."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("pupil")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("school year")
    )
    rating = models.CharField(_("conduct"), max_length=10, choices=ConductRating.Rating.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conduct after summer training")
        verbose_name_plural = _("conduct after summer training")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"], name="summerconduct_one_per_year"
            )
        ]


class RetestResult(models.Model):
    """One re-test result (Art. 13): a score 0–10 with one decimal for a scored subject
    (`value`), Đ/CĐ for a rated one (`passed`). One per pupil, year and subject."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="+", verbose_name=_("pupil")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("school year")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    value = models.DecimalField(_("score"), max_digits=3, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("Đạt"), null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("re-test result")
        verbose_name_plural = _("re-test results")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "subject"], name="retest_one_per_subject"
            ),
            # Exactly one of a score (0–10) and Đ/CĐ.
            models.CheckConstraint(
                condition=(
                    Q(value__isnull=False, passed__isnull=True, value__gte=0, value__lte=10)
                    | Q(value__isnull=True, passed__isnull=False)
                ),
                name="retest_score_or_result",
            ),
        ]


class Summer(models.Model):
    """A school year's summer: open for results once term II is closed, until the school's
    managers close it (`reports.summer.close_summer`); reopened with a reason."""

    school_year = models.OneToOneField(
        SchoolYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("school year")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("summer")
        verbose_name_plural = _("summers")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SummerEvent(models.Model):
    """Closing or reopening a year's summer: who, when and why."""

    class Action(models.TextChoices):
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    summer = models.ForeignKey(Summer, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

"""A term's results copied from the previous school's record (học bạ) for a pupil who
transferred in, and the principal's promotion decision for a pupil with a disability.

Both live in the contact book beside the grade book because they are the pupil's results of
record, evidence like a score or a conduct rating (history kept, who and when); the cards
(reports) only read them. Written through contactbook/transfers.py, which checks every rule.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contactbook.models.gradebook import ConductRating, Score
from school.models import SchoolYear, Student, Subject, Term


class CopiedTerm(models.Model):
    """A term the pupil spent at another school, as that school's record gives it: the
    conduct (grades 6–12), the absences, and one `CopiedResult` per subject. Only for a term
    the pupil was not here (grading.transfers.was_here)."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="copied_terms", verbose_name=_("pupil")
    )
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("term"))
    previous_school = models.CharField(
        _("previous school"), max_length=200,
        help_text=_("As its record names it, e.g. Trường THCS Lê Lợi, Hạ Long."),
    )
    conduct = models.CharField(
        _("conduct"), max_length=10, choices=ConductRating.Rating.choices, blank=True,
        help_text=_("Grades 6–12 only."),
    )
    absent_with_leave = models.PositiveSmallIntegerField(_("absences with leave"), default=0)
    absent_without_leave = models.PositiveSmallIntegerField(_("absences without leave"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term copied from the previous school")
        verbose_name_plural = _("terms copied from the previous school")
        constraints = [models.UniqueConstraint(fields=["student", "term"], name="copiedterm_one_per_term")]

    def __str__(self) -> str:
        return f"{self.student} – {self.term} – {self.previous_school}"


class CopiedResult(models.Model):
    """One subject's result in a copied term: a scored subject's term average (`average`), a
    rated subject's Đ/CĐ (`passed`), or a primary subject's end-of-term rating T/H/C
    (`rating`) and written test (`test_score`)."""

    copied_term = models.ForeignKey(
        CopiedTerm, on_delete=models.CASCADE, related_name="results", verbose_name=_("copied term")
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject"))
    average = models.DecimalField(_("term average"), max_digits=3, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("Đạt"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=1, choices=Score.Rating.choices, blank=True)
    test_score = models.PositiveSmallIntegerField(_("end-of-term test"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("copied result")
        verbose_name_plural = _("copied results")
        constraints = [
            models.UniqueConstraint(fields=["copied_term", "subject"], name="copiedresult_one_per_subject"),
            models.CheckConstraint(
                condition=Q(average__isnull=True) | (Q(average__gte=0) & Q(average__lte=10)),
                name="copiedresult_average_0_10",
            ),
            models.CheckConstraint(
                condition=Q(test_score__isnull=True) | Q(test_score__lte=10),
                name="copiedresult_test_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}"


class PersonalPlan(models.Model):
    """A pupil assessed under a personal education plan (kế hoạch giáo dục cá nhân: a pupil
    with a disability) in a school year, and the principal's decision on promotion or
    completion (Circular 22 Art. 12.4, Circular 27 Art. 11). `promoted` is None while the
    principal has not decided; the card then says the decision is pending."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="personal_plans", verbose_name=_("pupil")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("school year")
    )
    note = models.TextField(_("the plan"), max_length=2000, blank=True)
    promoted = models.BooleanField(_("principal's decision"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("personal education plan")
        verbose_name_plural = _("personal education plans")
        constraints = [
            models.UniqueConstraint(fields=["student", "school_year"], name="personalplan_one_per_year"),
            models.CheckConstraint(
                condition=Q(promoted__isnull=True) | Q(decided_at__isnull=False),
                name="personalplan_decision_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_year}"

"""Two year-end records the school enters for one pupil (the models in
contactbook/models/transfers.py; their pages in contactbook/admin.py):

- a term copied from the previous school's record for a pupil who transferred in: refused,
  with a Vietnamese message and nothing written, for a term the pupil was here, a subject the
  pupil's class does not have, a result of the wrong kind, a score outside 0–10 or with two
  decimals, or a duplicate (`check_copied_term`, `check_copied_result`, `save_copied_term`);
- the principal's decision for a pupil under a personal education plan (`decide_promotion`):
  the school's principal or the operator only (`may_decide`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from contactbook.models import CopiedResult, CopiedTerm, PersonalPlan, Score
from grading import transfers as rules
from grading.errors import RuleError
from school.access import is_principal
from school.models import (
    ClassGroup,
    Enrolment,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)

# ---------------------------------------------------------------------------------------
# A term copied from the previous school
# ---------------------------------------------------------------------------------------


def class_of(student: Student, term: Term) -> ClassGroup | None:
    """The pupil's class in the term's school year (the active enrolment, else the latest)."""
    enrolments = list(
        Enrolment.objects.filter(student=student, school_year_id=term.school_year_id)
        .select_related("class_group")
        .order_by("-start_date")
    )
    active = [e for e in enrolments if e.status == Enrolment.Status.ACTIVE]
    enrolment = (active or enrolments or [None])[0]
    return enrolment.class_group if enrolment else None


def check_copied_term(student: Student, term: Term, *, instance_pk=None) -> ClassGroup:
    """The pupil's class for the copied term, or ValidationError: the term is another school's,
    the pupil has no class in its year, was here during it, or it is copied already."""
    if term.school_year.school_id != student.school_id:
        raise ValidationError({"term": _("This term belongs to another school.")})
    class_group = class_of(student, term)
    if class_group is None:
        raise ValidationError(
            {"student": _("The pupil has no class in this school year: enrol the pupil first.")}
        )
    spans = Enrolment.objects.filter(
        student=student, class_group__school_id=student.school_id
    ).values_list("start_date", "end_date")
    published = Score.objects.published().filter(student=student, term=term).exists()
    if rules.was_here((term.start_date, term.end_date), spans, published):
        raise ValidationError({"term": _(
            "The pupil was at this school during this term (enrolled or with published "
            "grades): its results are this school's own, not copied."
        )})
    duplicate = CopiedTerm.objects.filter(student=student, term=term).exclude(pk=instance_pk)
    if duplicate.exists():
        raise ValidationError({"term": _("This term's results are already copied for the pupil.")})
    return class_group


class ResultRefused(ValidationError):
    """check_copied_result's refusal as save_copied_term raises it: the same fields and
    messages, and the subject whose result it is, so an import can name its column."""

    def __init__(self, subject: Subject, refusal: ValidationError):
        super().__init__(refusal.error_dict)
        self.subject = subject


@dataclass
class CopiedValues:
    """One subject's copied result as read from a form or a file row."""

    subject: Subject
    average: Decimal | None = None
    passed: bool | None = None
    rating: str = ""
    test_score: int | None = None


def _primary_test(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValidationError({"test_score": _("A written test is a whole number from 0 to 10.")})
    return value


def check_copied_result(class_group: ClassGroup, values: CopiedValues) -> CopiedValues:
    """The values made right for the subject's kind, or ValidationError naming the field: a
    subject the class does not have, a missing or extra result, a score outside 0–10 or with
    two decimals (grading.transfers.copied_score)."""
    subject = values.subject
    taught = TeachingAssignment.objects.filter(class_group=class_group, subject=subject).exists()
    if not taught:
        raise ValidationError({"subject": _("The pupil's class %(class)s does not have this subject.")
                               % {"class": class_group.name}})
    kind = subject.assessment
    if kind == Subject.Assessment.SCORED:
        if values.passed is not None or values.rating or values.test_score is not None:
            raise ValidationError({"average": _("A scored subject takes its term average only.")})
        try:
            average = rules.copied_score(values.average)
        except RuleError:
            raise ValidationError({"average": _(
                "The term average must be a number from 0 to 10 with at most one decimal, "
                "e.g. 7,5."
            )}) from None
        return CopiedValues(subject, average=average)
    if kind == Subject.Assessment.RATED:
        if values.average is not None or values.rating or values.test_score is not None:
            raise ValidationError({"passed": _("A rated subject takes Đ or CĐ only.")})
        if values.passed is None:
            raise ValidationError({"passed": _("Give the subject's result: Đ or CĐ.")})
        return CopiedValues(subject, passed=values.passed)
    if values.average is not None or values.passed is not None:
        raise ValidationError({"rating": _("A primary subject takes a rating (T, H or C) only.")})
    if values.rating not in Score.Rating.values:
        raise ValidationError({"rating": _("Give the subject's rating: T, H or C.")})
    test = _primary_test(values.test_score)
    if test is None and subject.has_primary_test:
        raise ValidationError({"test_score": _("This subject has an end-of-term written test.")})
    if test is not None and not subject.has_primary_test:
        raise ValidationError({"test_score": _("This subject has no written test.")})
    return CopiedValues(subject, rating=values.rating, test_score=test)


def check_conduct(class_group: ClassGroup, conduct: str) -> str:
    """Grades 6–12 need the copied term's conduct; grades 1–5 have none (Circular 27)."""
    if class_group.is_primary and conduct:
        raise ValidationError({"conduct": _("Grades 1–5 have no conduct rating.")})
    if not class_group.is_primary and not conduct:
        raise ValidationError({"conduct": _("Give the term's conduct from the previous school's record.")})
    return conduct


@transaction.atomic
def save_copied_term(
    *, by, student: Student, term: Term, previous_school: str, conduct: str,
    absent_with_leave: int, absent_without_leave: int, results: list[CopiedValues],
) -> CopiedTerm:
    """Check everything, then write the copied term and its results in one transaction (an
    import or a page posts it whole): a single bad value writes nothing. The caller has
    checked that `by` manages the pupil's school. A subject's bad result is refused as a
    `ResultRefused`, which says the subject."""
    # Locked so that two posts for the same pupil and term cannot both pass the checks.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    class_group = check_copied_term(student, term)
    check_conduct(class_group, conduct)
    if not previous_school.strip():
        raise ValidationError({"previous_school": _("Name the previous school.")})
    for value in (absent_with_leave, absent_without_leave):
        try:
            rules.copied_absences(value)
        except (RuleError, TypeError):
            raise ValidationError({"absent_with_leave": _("Absences are a whole number, not negative.")}) from None
    seen, checked = set(), []
    for values in results:
        if values.subject.pk in seen:
            raise ValidationError({"subject": _("%(subject)s is given twice.") % {"subject": values.subject.name}})
        seen.add(values.subject.pk)
        try:
            checked.append(check_copied_result(class_group, values))
        except ValidationError as refusal:
            raise ResultRefused(values.subject, refusal) from None
    copied = CopiedTerm(
        student=student, term=term, previous_school=previous_school.strip(), conduct=conduct,
        absent_with_leave=absent_with_leave, absent_without_leave=absent_without_leave, entered_by=by,
    )
    copied._history_user = by  # simple-history's "who" (no request middleware here)
    copied.save()
    # With their history rows too: copied results are evidence like any grade.
    bulk_create_with_history(
        [CopiedResult(copied_term=copied, subject=v.subject, average=v.average, passed=v.passed,
                      rating=v.rating, test_score=v.test_score) for v in checked],
        CopiedResult, default_user=by,
    )
    return copied


# ---------------------------------------------------------------------------------------
# The principal's decision for a pupil under a personal education plan
# ---------------------------------------------------------------------------------------


def may_decide(user, school_id: int) -> bool:
    """The school's principal or the operator; nobody else, not even a vice-principal
    (Circular 22 Art. 12.4, Circular 27 Art. 11: the principal decides)."""
    return is_principal(user, school_id)


@transaction.atomic
def decide_promotion(plan: PersonalPlan, *, by, promoted: bool | None, note: str = "") -> PersonalPlan:
    """Record the principal's decision (None takes it back: pending again), who and when.
    Raises PermissionDenied for anyone but the school's principal or the operator."""
    if not may_decide(by, plan.student.school_id):
        raise PermissionDenied(_("Only the school's principal may decide on promotion or completion."))
    plan.promoted = promoted
    plan.decision_note = note.strip()
    plan.decided_by = by if promoted is not None else None
    plan.decided_at = timezone.now() if promoted is not None else None
    plan._history_user = by
    plan.save(update_fields=["promoted", "decision_note", "decided_by", "decided_at"])
    return plan

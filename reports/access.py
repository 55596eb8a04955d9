"""Who may open which term report: runs and their files (a school's managers), a pupil's card
(the pupil's guardians, and the managers of the pupil's school), and the public verification
page (anyone holding a card's code, who learns only what the card's paper already shows, with
the name masked).

Every object loaded from an id in a URL comes through here and answers 404 for "missing" and
"not yours" alike (school.access.get_or_404).
"""

import re

from django.db.models import Q, QuerySet

from reports.models import ReportCard, ReportFile, ReportRun
from school.access import get_or_404
from school.managers import managed_school_ids, signed_in
from school.models import ClassGroup, School, Student

# ---------------------------------------------------------------------------------------
# Runs and their files: the school's managers and the operator
# ---------------------------------------------------------------------------------------


def runs_visible_to(user) -> QuerySet[ReportRun]:
    """Runs of the schools `user` manages (principal, vice-principal, administrator); every run
    for the operator; none for anyone else (teachers, parents, strangers, anonymous)."""
    if not signed_in(user):
        return ReportRun.objects.none()
    if user.is_superuser:
        return ReportRun.objects.all()
    return ReportRun.objects.filter(school__in=School.objects.managed_by(user).values("id"))


def get_run_for_user(user, run_id) -> ReportRun:
    queryset = runs_visible_to(user).select_related(
        "school", "school_year", "term", "class_group", "requested_by"
    )
    return get_or_404(queryset, run_id)


def get_file_for_user(user, file_id) -> ReportFile:
    return get_or_404(
        ReportFile.objects.filter(run__in=runs_visible_to(user).values("id")).select_related(
            "run", "class_group"
        ),
        file_id,
    )


# ---------------------------------------------------------------------------------------
# A pupil's card: guardians, and the managers of the pupil's school
# ---------------------------------------------------------------------------------------


def card_students_for(user) -> QuerySet[Student]:
    """Pupils whose cards `user` may download: their own children (a guardian now), and the
    pupils of the schools they manage (all pupils for the operator). Teachers are not in it:
    a card is handed to the family by the school, not read by every teacher of the class."""
    if not signed_in(user):
        return Student.objects.none()
    if user.is_superuser:
        return Student.objects.all()
    return Student.objects.filter(
        Q(id__in=Student.objects.children_of(user).values("id"))
        | Q(school_id__in=School.objects.managed_by(user).values("id"))
    )


def get_card_student_for_user(user, student_id) -> Student:
    return get_or_404(card_students_for(user).select_related("school"), student_id)


# ---------------------------------------------------------------------------------------
# The public verification page
# ---------------------------------------------------------------------------------------

_TYPED_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.·]+")
CODE_MAX_LENGTH = ReportCard._meta.get_field("code").max_length


def normalise_code(typed: str) -> str:
    """A code as printed, from what a person typed: spaces, dashes and dots dropped, upper
    case ("abcd-efgh 23" → "ABCDEFGH23"). Codes are upper-case letters and digits
    (reports.runs.CODE_ALPHABET), so this loses nothing. "" when it cannot be a code."""
    code = _TYPED_SEPARATORS.sub("", typed or "").upper()
    if not code or len(code) > CODE_MAX_LENGTH or not code.isascii() or not code.isalnum():
        return ""
    return code


def get_card_by_code(typed_code: str) -> ReportCard:
    """The card (current or superseded) with this code, for the public page: one query, with
    its school, year and term, without the PDF's bytes. ReportCard.DoesNotExist for an unknown
    code (the page answers it with its own 404 page: "not genuine")."""
    queryset = ReportCard.objects.select_related(
        "student", "school_year__school", "term"
    ).only(
        "code", "fingerprint", "signed", "created_at", "superseded_at", "pages",
        "student__family_name", "student__middle_name", "student__given_name",
        "school_year__name", "school_year__school__name", "term__number",
    )
    code = normalise_code(typed_code)
    if not code:
        raise ReportCard.DoesNotExist("Not a code")
    return queryset.get(code=code)


# ---------------------------------------------------------------------------------------
# Class summaries: the school's managers and the class's homeroom teacher
# ---------------------------------------------------------------------------------------


def summary_classes_for(user) -> QuerySet[ClassGroup]:
    """Classes whose summary `user` may print: every class of a school they manage, the
    classes they are homeroom teacher of (this year, while on the staff: within
    ClassGroup.visible_to), all for the operator. A subject teacher is not in it: the summary
    lists the whole class's results, which the homeroom teacher and the school answer for."""
    if not signed_in(user):
        return ClassGroup.objects.none()
    visible = ClassGroup.objects.visible_to(user)
    if user.is_superuser:
        return visible
    return visible.filter(Q(school_id__in=managed_school_ids(user)) | Q(homeroom_teacher=user))


def get_class_group_for_summary(user, class_id) -> ClassGroup:
    """The class for its summary, or Http404 (missing and not yours alike)."""
    return get_or_404(
        summary_classes_for(user).select_related("school", "school_year", "homeroom_teacher"),
        class_id,
    )


def get_class_group_for_manager(user, class_id) -> ClassGroup:
    """A class of a school `user` manages (every class for the operator), or Http404 (missing
    and not yours alike): the graduation export lists a whole class's figures for the Sở,
    which the school's managers sign off, not the homeroom teacher."""
    classes = ClassGroup.objects.none()
    if signed_in(user):
        classes = ClassGroup.objects.all()
        if not user.is_superuser:
            classes = classes.filter(school_id__in=managed_school_ids(user))
    return get_or_404(classes.select_related("school", "school_year"), class_id)

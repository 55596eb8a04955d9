"""The primary class teacher's sheet (Circular 27/2020): each pupil's qualities and competencies
(phẩm chất, năng lực) rated Tốt / Đạt / Cần cố gắng at the mid-term and the end of each term,
with the teacher's term comment.

Like the grade book: a read with a fixed number of queries, a save that checks every cell first
and writes all or nothing in one transaction (history kept, closed terms refused), and the
history of a pupil's ratings.
"""

import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactbook.gradebook.reads import Change, history_changes
from contactbook.gradebook.writes import (
    GridErrors,
    check_comments,
    write_comments,
    write_with_history,
)
from contactbook.models import QualityRating, TermComment
from school import names
from school.exceptions import TermClosed
from school.models import ClassGroup, Student, Term
from school.terms import check_open

Item = QualityRating.Item
# The record's order (học bạ): the five qualities, the three general competencies, the seven
# specific ones.
ITEMS: list[str] = list(Item.values)
GROUPS = (
    (gettext_lazy("Qualities"), ITEMS[:5]),
    (gettext_lazy("General competencies"), ITEMS[5:8]),
    (gettext_lazy("Specific competencies"), ITEMS[8:]),
)
PERIODS = QualityRating.Period

# What teachers write, folded (lower case, no accents; đ folds to d): the code or the words.
_RATINGS = {
    **dict.fromkeys(("t", "tot"), QualityRating.Rating.GOOD.value),
    **dict.fromkeys(("d", "dat"), QualityRating.Rating.PASS.value),
    **dict.fromkeys(("c", "ccg", "can co gang"), QualityRating.Rating.NEEDS_EFFORT.value),
}


def parse_rating(raw: str) -> str:
    """"T", "Đ" or "C" from what a teacher typed ("" for an empty cell). Raises ValueError with
    a message for the teacher."""
    text = unicodedata.normalize("NFC", " ".join((raw or "").split()))
    if not text:
        return ""
    rating = _RATINGS.get(names.fold(text))
    if rating is None:
        raise ValueError(_("Enter T (Tốt), Đ (Đạt) or C (Cần cố gắng)."))
    return rating


@dataclass
class QualityRow:
    student: Student
    ratings: dict[str, QualityRating] = field(default_factory=dict)  # item -> rating
    comment: TermComment | None = None


def sheet(class_group: ClassGroup, term: Term, period: str) -> list[QualityRow]:
    """Each pupil now in the class (Vietnamese order) with their ratings for the term's
    `period` and the class teacher's term comment: three queries whatever the class size."""
    pupils = list(Student.objects.in_class(class_group))
    ids = [p.pk for p in pupils]
    rows = {p.pk: QualityRow(p) for p in pupils}
    for rating in QualityRating.objects.filter(student__in=ids, term=term, period=period):
        rows[rating.student_id].ratings[rating.item] = rating
    for comment in TermComment.objects.filter(student__in=ids, term=term, subject__isnull=True):
        rows[comment.student_id].comment = comment
    return list(rows.values())


def save(
    *,
    teacher,
    class_group: ClassGroup,
    term: Term,
    period: str,
    ratings: dict[tuple[int, str], str],
    comments: dict[int, str] | None = None,
) -> int:
    """Save typed ratings {(student_id, item): "T"} and term comments {student_id: text} for
    pupils now in the class; "" removes a rating. Every cell is checked first: one bad cell
    saves nothing (GridErrors keyed (student_id, item or "comment")). Returns how many ratings
    and comments changed. The caller has checked that `teacher` is the class's homeroom
    teacher."""
    if term.is_closed:
        raise TermClosed()
    if term.school_year_id != class_group.school_year_id or period not in PERIODS.values:
        raise ValueError("the term must belong to the class's school year, the period be known")
    pupils = set(Student.objects.in_class(class_group).values_list("pk", flat=True))
    parsed, texts, errors = {}, {}, {}
    for (student_id, item), raw in ratings.items():
        if student_id not in pupils or item not in ITEMS:
            errors[(student_id, item)] = _("This cell is not in the sheet.")
            continue
        try:
            parsed[(student_id, item)] = parse_rating(raw)
        except ValueError as exc:
            errors[(student_id, item)] = str(exc)
    check_comments(comments or {}, pupils, texts, errors)
    if errors:
        raise GridErrors(errors)
    with transaction.atomic():
        check_open(term)
        changed = _write_ratings(teacher, term, period, parsed)
        changed += write_comments(teacher, term, None, texts)
    return changed


def _write_ratings(teacher, term: Term, period: str, parsed: dict[tuple[int, str], str]) -> int:
    existing = {
        (r.student_id, r.item): r
        for r in QualityRating.objects.select_for_update().filter(
            student__in={sid for sid, _item in parsed}, term=term, period=period
        )
    }
    return write_with_history(
        existing, parsed, field="rating", by="updated_by", user=teacher,
        new=lambda key: QualityRating(student_id=key[0], term=term, period=period, item=key[1]),
    )


def history(student: Student, term: Term) -> list[Change]:
    """Every change of a pupil's quality and competency ratings in a term, newest first. One
    query."""
    records = QualityRating.history.filter(student=student, term=term).select_related(
        "history_user", "updated_by"
    )
    periods = dict(PERIODS.choices)
    return history_changes(
        records,
        lambda r: (f"{Item(r.item).label} ({periods[r.period]})", f"{r.period}-{r.item}"),
        lambda r: r.rating,
    )


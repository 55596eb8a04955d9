"""Writing the grade book: saving a whole grid or the homeroom sheet (all or nothing, an error
per cell, history kept) and publishing a column to guardians. One transaction each, which
re-reads the term through check_open before writing."""

import unicodedata
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contactbook.gradebook.columns import (
    COMMENT_KEY,
    EMPTY,
    YEAR_COMMENT_KEY,
    Column,
    _key,
    columns_for,
    parse_entry,
    takes_year_comments,
)
from contactbook import notifications
from contactbook.models import ConductRating, Score, TermComment
from school.exceptions import DomainError, TermClosed
from school.models import ClassGroup, Guardianship, Student, Subject, Term
from school.terms import check_open


COMMENT_MAX = 2000


class GridErrors(DomainError):
    status = 422
    code = "invalid_cells"

    def __init__(self, errors: dict[tuple[int, str], str]):
        super().__init__(_("Some cells are not valid; nothing was saved."))
        self.errors = errors  # (student_id, column key or "comment") -> message


# ---------------------------------------------------------------------------------------
# Saving the grid
# ---------------------------------------------------------------------------------------


def save_grid(
    *,
    teacher,
    class_group: ClassGroup,
    subject: Subject,
    term: Term,
    cells: dict[tuple[int, str], str],
    comments: dict[int, str] | None = None,
    year_comments: dict[int, str] | None = None,
) -> int:
    """Save typed cells {(student_id, "regular-1"): "7,5", …; "7,5B" a make-up, "K" missed
    without one: columns.parse_entry} and subject comments
    {student_id: text} for pupils now in the class; in term II also the year comments
    (`year_comments`, the same way; refused in term I: the year is judged at its end). Everything is checked first; one bad cell
    saves nothing (GridErrors names each). Returns how many cells and comments changed.
    The caller has checked that `teacher` may grade this subject (contactbook.access).

    Changing a published cell takes it back from the guardians until the column is
    published again, so a parent never sees a value the teacher has not published."""
    if term.is_closed:
        raise TermClosed()
    if (
        term.school_year_id != class_group.school_year_id
        or subject.school_id != class_group.school_id
    ):
        raise ValueError("term and subject must belong to the class's school year and school")
    comments = comments or {}
    keys = {c.key: c for c in columns_for(subject, class_group.grade)}
    pupils = set(Student.objects.in_class(class_group).values_list("pk", flat=True))
    parsed, texts, errors = {}, {}, {}
    for (student_id, key), raw in cells.items():
        if key not in keys or student_id not in pupils:
            errors[(student_id, key)] = _("This cell is not in the grade book.")
            continue
        try:
            parsed[(student_id, key)] = parse_entry(raw, subject, keys[key])
        except ValueError as exc:
            errors[(student_id, key)] = str(exc)
    check_comments(comments, pupils, texts, errors)
    year_texts = {}
    if year_comments and not takes_year_comments(subject, term):
        for student_id in year_comments:
            errors[(student_id, YEAR_COMMENT_KEY)] = _(
                "The year comment is written in term II's grade book, in grades 6–12."
            )
    elif year_comments:
        check_comments(year_comments, pupils, year_texts, errors, key=YEAR_COMMENT_KEY)
    if errors:
        raise GridErrors(errors)
    with transaction.atomic():
        check_open(term)
        changed = _write_cells(teacher, class_group, subject, term, keys, parsed)
        changed += write_comments(teacher, term, subject, texts)
        changed += write_comments(teacher, term, subject, year_texts, whole_year=True)
    return changed


def _write_cells(teacher, class_group, subject, term, keys, parsed) -> int:
    existing = {
        (s.student_id, _key(s)): s
        for s in Score.objects.select_for_update().filter(
            student__in={sid for sid, _k in parsed}, subject=subject, term=term
        )
    }
    changed = 0
    for (student_id, key), ((value, passed, rating), makeup) in parsed.items():
        score = existing.get((student_id, key))
        if score is None:
            if (value, passed, rating) == EMPTY:
                continue
            column = keys[key]
            score = Score(
                student_id=student_id,
                subject=subject,
                term=term,
                class_group=class_group,
                kind=column.kind,
                index=column.index,
            )
        elif (score.value, score.passed, score.rating, score.makeup) == (
            value, passed, rating, makeup
        ):
            continue
        score.value, score.passed, score.rating, score.updated_by = value, passed, rating, teacher
        score.makeup = makeup
        score.published_at = None
        score._history_user = teacher  # simple-history's "who" (no request middleware here)
        score.save()  # one history row per changed cell: who, when, old and new
        changed += 1
    return changed


def write_comments(
    author, term: Term, subject: Subject | None, texts: dict[int, str], *,
    whole_year: bool = False,
) -> int:
    """Create, change or (when emptied) delete term comments (`whole_year`: a subject's year
    comments, on term II); each change keeps history."""
    if not texts:
        return 0
    existing = {
        c.student_id: c
        for c in TermComment.objects.select_for_update().filter(
            student__in=list(texts), term=term, subject=subject, whole_year=whole_year
        )
    }
    return write_with_history(
        existing, texts, field="text", by="author", user=author,
        new=lambda student_id: TermComment(
            student_id=student_id, term=term, subject=subject, whole_year=whole_year
        ),
    )


def write_with_history(rows: dict, values: dict, *, field: str, by: str, user, new) -> int:
    """Set `field` of the row each key of `values` names to its value. `rows` holds the
    existing rows by key (locked by the caller); a missing one is made with `new(key)`, an
    emptied value deletes its row, an unchanged one is left alone. Every change keeps its
    history with `user` as who, also written to the row's `by` field. Returns how many rows
    changed."""
    changed = 0
    for key, value in values.items():
        row = rows.get(key)
        if row is None and not value or row is not None and getattr(row, field) == value:
            continue
        if row is None:
            row = new(key)
        row._history_user = user
        if not value:
            row.delete()
        else:
            setattr(row, field, value)
            setattr(row, by, user)
            row.save()
        changed += 1
    return changed


# ---------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------


def publish_column(
    *, teacher, class_group: ClassGroup, subject: Subject, term: Term, column: Column
) -> int:
    """Show a column's filled, unpublished cells of the pupils now in the class to their
    guardians, and tell each pupil's guardians once (one notification per guardian and child).
    Returns how many cells were newly published. The caller has checked that `teacher` may
    grade this subject."""
    if term.is_closed:
        raise TermClosed()
    with transaction.atomic():
        check_open(term)
        now = timezone.now()
        fresh = list(
            Score.objects.select_for_update()
            .filter(
                student__in=Student.objects.in_class(class_group).values("pk"),
                subject=subject,
                term=term,
                kind=column.kind,
                index=column.index,
                published_at__isnull=True,
            )
            .exclude(value__isnull=True, passed__isnull=True, rating__isnull=True)
            .values_list("pk", "student_id")
        )
        Score.objects.filter(pk__in=[pk for pk, _sid in fresh]).update(published_at=now)
        _tell_guardians(subject, term, column, [sid for _pk, sid in fresh], now)
    return len(fresh)


def _tell_guardians(
    subject: Subject, term: Term, column: Column, student_ids: list[int], now
) -> None:
    """One notification per guardian and child; written in the caller's transaction, so a
    rolled-back publication is never announced."""
    by_student = defaultdict(list)
    links = Guardianship.objects.reachable(student_ids).select_related("student")
    for link in links:
        by_student[link.student].append(link.guardian.user)
    for student, guardians in by_student.items():
        notifications.notify(
            recipients=guardians,
            kind="scores",
            title=_("New score: %(subject)s") % {"subject": subject.name},
            body=_("%(pupil)s has a new %(column)s score in %(subject)s.")
            % {"pupil": student.full_name, "column": column.label, "subject": subject.name},
            url=reverse("contactbook:student_grades", args=[student.pk]),
            key=f"scores:{term.pk}:{subject.pk}:{column.key}:{student.pk}:{now.timestamp()}",
        )


# ---------------------------------------------------------------------------------------
# The homeroom teacher's sheet: conduct and term comments
# ---------------------------------------------------------------------------------------


def save_homeroom(
    *,
    teacher,
    class_group: ClassGroup,
    term: Term,
    conduct: dict[int, str],
    comments: dict[int, str],
) -> int:
    """Save conduct ratings {student_id: "Tốt" | … | ""} and homeroom comments
    {student_id: text} for pupils now in the class, all or nothing (GridErrors keyed
    (student_id, "conduct" | "comment")). An empty rating or comment removes it; history
    keeps every change. The caller has checked that `teacher` is the homeroom teacher."""
    if term.is_closed:
        raise TermClosed()
    if term.school_year_id != class_group.school_year_id:
        raise ValueError("the term must belong to the class's school year")
    pupils = set(Student.objects.in_class(class_group).values_list("pk", flat=True))
    allowed = set(ConductRating.Rating.values)
    ratings, texts, errors = {}, {}, {}
    for student_id, raw in conduct.items():
        value = unicodedata.normalize("NFC", (raw or "").strip())
        if student_id not in pupils:
            errors[(student_id, "conduct")] = _("This pupil is not in the class.")
        elif value and value not in allowed:
            errors[(student_id, "conduct")] = _("Choose Tốt, Khá, Đạt or Chưa đạt.")
        else:
            ratings[student_id] = value
    check_comments(comments, pupils, texts, errors)
    if errors:
        raise GridErrors(errors)
    with transaction.atomic():
        check_open(term)
        changed = _write_conduct(teacher, term, ratings)
        changed += write_comments(teacher, term, None, texts)
    return changed


def _write_conduct(teacher, term: Term, ratings: dict[int, str]) -> int:
    existing = {
        r.student_id: r
        for r in ConductRating.objects.select_for_update().filter(
            student__in=list(ratings), term=term
        )
    }
    return write_with_history(
        existing, ratings, field="rating", by="updated_by", user=teacher,
        new=lambda student_id: ConductRating(student_id=student_id, term=term),
    )


def check_comments(
    comments: dict, pupils: set, texts: dict, errors: dict, *, key: str = COMMENT_KEY
) -> None:
    """Typed term comments {student_id: text}: NFC text into `texts`, problems into `errors`
    (under (student_id, `key`))."""
    for student_id, raw in comments.items():
        text = (raw or "").strip()
        if student_id not in pupils:
            errors[(student_id, key)] = _("This pupil is not in the class.")
        elif len(text) > COMMENT_MAX:
            errors[(student_id, key)] = _("A comment has at most %(n)d characters.") % {
                "n": COMMENT_MAX
            }
        else:
            texts[student_id] = unicodedata.normalize("NFC", text)

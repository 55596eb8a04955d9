"""Reading the grade book: a class's grid, the homeroom teacher's sheet, the history of a pupil's
cells, and what a guardian sees (published cells only). Fixed numbers of queries (tests pin
them)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from contactbook.gradebook.columns import (
    COMMENT_KEY,
    YEAR_COMMENT_KEY,
    Column,
    _key,
    columns_for,
    filled,
    score_text,
    subject_sort_key,
    takes_year_comments,
    term_result,
)
from contactbook.models import ConductRating, Score, TermComment
from school.models import ClassGroup, Enrolment, Student, Subject, Term


# ---------------------------------------------------------------------------------------
# Reading the grid
# ---------------------------------------------------------------------------------------


@dataclass
class GridColumn:
    column: Column
    filled: int = 0
    unpublished: int = 0

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def publishable(self) -> bool:
        return self.unpublished > 0

    @property
    def published(self) -> bool:
        return self.filled > 0 and self.unpublished == 0


@dataclass
class GridRow:
    student: Student
    cells: list  # one Score or None per column
    comment: TermComment | None = None
    average: Decimal | None = None  # scored subjects, when every cell is filled
    result: bool | None = None  # rated subjects (True = Đ), when every cell is filled
    year_comment: TermComment | None = None  # term II: the subject teacher's year comment


def grid(class_group: ClassGroup, subject: Subject, term: Term) -> dict:
    """The class's pupils (Vietnamese order), the columns with their publication state, each
    cell, each pupil's subject comment and term average (or Đ/CĐ) when complete — three
    queries whatever the class size."""
    pupils = list(Student.objects.in_class(class_group))
    ids = [p.pk for p in pupils]
    cells = {
        (s.student_id, _key(s)): s
        for s in Score.objects.filter(student__in=ids, subject=subject, term=term)
    }
    comments, year_comments = {}, {}
    # The term's comments and (term II) the year's, in the one query.
    for c in TermComment.objects.filter(student__in=ids, subject=subject, term=term):
        (year_comments if c.whole_year else comments)[c.student_id] = c
    columns = [GridColumn(c) for c in columns_for(subject, class_group.grade)]
    rows = []
    for pupil in pupils:
        row_cells = [cells.get((pupil.pk, c.key)) for c in columns]
        for gc, cell in zip(columns, row_cells):
            if filled(cell):
                gc.filled += 1
                gc.unpublished += cell.published_at is None
        average, result = term_result(subject, [c.column for c in columns], row_cells)
        rows.append(GridRow(
            pupil, row_cells, comments.get(pupil.pk), average, result, year_comments.get(pupil.pk)
        ))
    return {
        "columns": columns,
        "rows": rows,
        "term": term,
        "subject": subject,
        "class_group": class_group,
        "year_comments": takes_year_comments(subject, term),
    }


# ---------------------------------------------------------------------------------------
# The homeroom teacher's sheet: conduct and term comments
# ---------------------------------------------------------------------------------------


@dataclass
class HomeroomRow:
    student: Student
    conduct: ConductRating | None = None
    comment: TermComment | None = None


def homeroom_sheet(class_group: ClassGroup, term: Term) -> list[HomeroomRow]:
    """Each pupil now in the class with their conduct rating and homeroom comment for the
    term: three queries whatever the class size."""
    pupils = list(Student.objects.in_class(class_group))
    ids = [p.pk for p in pupils]
    ratings = {r.student_id: r for r in ConductRating.objects.filter(student__in=ids, term=term)}
    comments = {
        c.student_id: c
        for c in TermComment.objects.filter(student__in=ids, term=term, subject__isnull=True)
    }
    return [HomeroomRow(p, ratings.get(p.pk), comments.get(p.pk)) for p in pupils]


# ---------------------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------------------


@dataclass
class Change:
    what: str  # the column's label, "comment" or "conduct"
    key: str
    at: datetime.datetime
    who: object  # a User or None
    old: str
    new: str


def _shown(record, attr_value) -> str:
    return attr_value(record) if record is not None and record.history_type != "-" else ""


def history_changes(records, what_of, value_of) -> list[Change]:
    """Consecutive history records of each object as old → new changes, newest first."""
    by_object = defaultdict(list)
    for record in records:
        by_object[record.id].append(record)
    changes = []
    for history in by_object.values():
        history.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in history:
            old, new = _shown(previous, value_of), _shown(record, value_of)
            if old != new:
                what, key = what_of(record)
                who = (
                    record.history_user
                    or getattr(record, "updated_by", None)
                    or getattr(record, "author", None)
                )
                changes.append(Change(what, key, record.history_date, who, old, new))
            previous = record
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def cell_history(
    student: Student, subject: Subject, term: Term, *, key: str | None = None
) -> list[Change]:
    """Every change of a pupil's cells (or of one cell, `key`) and subject comment in a grade
    book: who, when, old and new value, newest first. Two queries."""
    scores = Score.history.filter(student=student, subject=subject, term=term).select_related(
        "history_user", "updated_by"
    )
    if key is not None:
        kind, _sep, index = key.rpartition("-")
        scores = scores.filter(kind=kind, index=int(index) if index.isdigit() else 0)
    changes = history_changes(
        scores,
        lambda r: (Column(r.kind, r.index).label, _key(r)),
        lambda r: score_text(r.value, r.passed, r.rating, r.makeup),
    )
    if key is None or key in (COMMENT_KEY, YEAR_COMMENT_KEY):
        comments = TermComment.history.filter(
            student=student, subject=subject, term=term
        ).select_related("history_user", "author")
        if key is not None:
            comments = comments.filter(whole_year=key == YEAR_COMMENT_KEY)
        changes += history_changes(
            comments,
            lambda r: (_("year comment"), YEAR_COMMENT_KEY) if r.whole_year
            else (_("comment"), COMMENT_KEY),
            lambda r: r.text,
        )
        changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def homeroom_history(student: Student, term: Term) -> list[Change]:
    """Every change of a pupil's conduct rating and homeroom comment in a term. Two queries."""
    ratings = ConductRating.history.filter(student=student, term=term).select_related(
        "history_user", "updated_by"
    )
    comments = TermComment.history.filter(
        student=student, term=term, subject__isnull=True
    ).select_related("history_user", "author")
    changes = history_changes(ratings, lambda r: (_("conduct"), "conduct"), lambda r: r.rating)
    changes += history_changes(comments, lambda r: (_("comment"), COMMENT_KEY), lambda r: r.text)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


# ---------------------------------------------------------------------------------------
# What a guardian sees
# ---------------------------------------------------------------------------------------


@dataclass
class SubjectGrades:
    subject: Subject
    columns: list[Column]
    cells: list  # one published Score or None per column
    average: Decimal | None = None
    result: bool | None = None

    @property
    def any_published(self) -> bool:
        return any(filled(c) for c in self.cells)


@dataclass
class PupilGrades:
    student: Student
    enrolment: Enrolment | None
    terms: list[Term] = field(default_factory=list)
    term: Term | None = None
    subjects: list[SubjectGrades] = field(default_factory=list)


def pupil_grades(student: Student, term_id=None) -> PupilGrades:
    """A pupil's PUBLISHED cells by subject for a term of their current class's year (the
    current term unless `term_id` names another term of that year), with a subject's term
    average or result only when every cell it needs is published. Four queries."""
    enrolment = (
        Enrolment.objects.current().filter(student=student)
        .select_related("class_group__school_year")
        .first()
    )
    if enrolment is None:
        return PupilGrades(student, None)
    class_group = enrolment.class_group
    terms = Term.objects.of_year(class_group.school_year_id)
    term = next((t for t in terms if str(t.pk) == str(term_id)), None) if term_id else None
    term = term or terms.current()
    grades = PupilGrades(student, enrolment, list(terms), term)
    if term is None:
        return grades
    published = list(
        Score.objects.published().filter(student=student, term=term).select_related("subject")
    )
    subjects = {a.subject_id: a.subject for a in class_group.assignments.select_related("subject")}
    subjects.update({s.subject_id: s.subject for s in published})
    cells = {(s.subject_id, _key(s)): s for s in published}
    for subject in sorted(subjects.values(), key=subject_sort_key):
        columns = columns_for(subject, class_group.grade)
        row = [cells.get((subject.pk, c.key)) for c in columns]
        average, result = term_result(subject, columns, row)
        grades.subjects.append(SubjectGrades(subject, columns, row, average, result))
    return grades

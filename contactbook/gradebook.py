"""The grade book: its columns by the rules, reading a class's grid, saving a whole grid (all
or nothing, an error per cell), publishing a column to guardians, the homeroom teacher's
conduct ratings and comments, the history of a pupil's cells, closing and reopening a term.

Writes are services (one transaction each); reads that pages share are selectors with a fixed
number of queries (tests pin them). Averages come from grading.circular22 only.
"""

import datetime
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from contactbook import notifications
from contactbook.models import ConductRating, Score, TermComment, TermEvent
from grading import circular22, circular27
from grading.errors import InvalidScore, RuleError
from school import names
from school.exceptions import DomainError, TermClosed
from school.models import ClassGroup, Enrolment, Guardianship, School, Student, Subject, Term

_PASS = {"đ": True, "d": True, "đạt": True, "dat": True}
_FAIL = {"cđ": False, "cd": False, "chưa đạt": False, "chua dat": False}
_NEGATIVE = re.compile(r"-\s*[0-9]+(?:[.,][0-9]+)?")
COMMENT_MAX = 2000
COMMENT_KEY = "comment"


@dataclass(frozen=True)
class Column:
    kind: str
    index: int

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.index}"

    @property
    def is_test(self) -> bool:
        """A primary written test (a whole number 0–10), not a rating."""
        return self.kind in _TESTS

    @property
    def short_label(self) -> str:
        """The header a teacher knows: TX1…TX4, GK, CK (and KTGK, KTCK in primary)."""
        if self.kind == Score.Kind.REGULAR:
            return _("Reg. %(n)d") % {"n": self.index}
        return {
            Score.Kind.MIDTERM: _("Mid-term"),
            Score.Kind.FINAL: _("End-term"),
            Score.Kind.MIDTERM_TEST: _("Mid-term test"),
            Score.Kind.FINAL_TEST: _("End-term test"),
        }[self.kind]

    @property
    def label(self) -> str:
        if self.kind == Score.Kind.REGULAR:
            return _("regular assessment %(n)d") % {"n": self.index}
        return {
            Score.Kind.MIDTERM: _("midterm assessment"),
            Score.Kind.FINAL: _("end-of-term assessment"),
            Score.Kind.MIDTERM_TEST: _("mid-term written test"),
            Score.Kind.FINAL_TEST: _("end-of-term written test"),
        }[self.kind]


_TESTS = (Score.Kind.MIDTERM_TEST, Score.Kind.FINAL_TEST)


def columns_for(subject: Subject, grade: int | None = None) -> list[Column]:
    """Grades 6–12 (Circular 22): ĐĐGtx 1…n (n from periods per year, Art. 7), then giữa kỳ
    and cuối kỳ. Grades 1–5 (Circular 27, `grade` required): the mid-term and end-of-term
    ratings (T/H/C), then the written tests: at mid-term in Tiếng Việt and Toán of grades 4–5
    (grading.circular27), at the end of the term in the subjects the school marks as
    tested (`has_primary_test`: the circular's list, under the school's subject names)."""
    if subject.assessment == Subject.Assessment.PRIMARY:
        columns = [Column(Score.Kind.MIDTERM, 1), Column(Score.Kind.FINAL, 1)]
        if grade in circular27.GRADES and subject.name in circular27.midterm_tested_subjects(grade):
            columns.append(Column(Score.Kind.MIDTERM_TEST, 1))
        if subject.has_primary_test:
            columns.append(Column(Score.Kind.FINAL_TEST, 1))
        return columns
    regular = [
        Column(Score.Kind.REGULAR, i) for i in range(1, subject.regular_assessment_count + 1)
    ]
    return [*regular, Column(Score.Kind.MIDTERM, 1), Column(Score.Kind.FINAL, 1)]


def column_by_key(subject: Subject, key: str, grade: int | None = None) -> Column | None:
    return next((c for c in columns_for(subject, grade) if c.key == key), None)


class GridErrors(DomainError):
    status = 422
    code = "invalid_cells"

    def __init__(self, errors: dict[tuple[int, str], str]):
        super().__init__(_("Some cells are not valid; nothing was saved."))
        self.errors = errors  # (student_id, column key or "comment") -> message


# ---------------------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------------------


def terms_of(class_group: ClassGroup) -> list[Term]:
    """The terms of the class's school year, term I first (one query)."""
    return list(Term.objects.filter(school_year_id=class_group.school_year_id).order_by("number"))


def default_term(terms: list[Term], today: datetime.date | None = None) -> Term | None:
    """The term that `today` falls in; between terms or after the year, the last one that has
    started; before the year, the first."""
    today = today or timezone.localdate()
    for term in terms:
        if term.start_date <= today <= term.end_date:
            return term
    started = [t for t in terms if t.start_date <= today]
    return started[-1] if started else (terms[0] if terms else None)


def check_open(term: Term) -> None:
    """Re-read the term inside the caller's transaction and refuse a closed one.

    On PostgreSQL the row is read FOR SHARE: saves do not wait for each other, but a
    close_term (which locks the row FOR UPDATE) waits for running saves, and a save that
    starts after a close sees it — so nothing is written into a term that was just closed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Term._meta.db_table)
            cursor.execute(f"SELECT closed_at FROM {table} WHERE id = %s FOR SHARE", [term.pk])
            row = cursor.fetchone()
        closed = row is None or row[0] is not None
    else:  # SQLite (first run) serialises writers on its own
        closed = not Term.objects.filter(pk=term.pk, closed_at__isnull=True).exists()
    if closed:
        raise TermClosed()


# ---------------------------------------------------------------------------------------
# Reading the grid
# ---------------------------------------------------------------------------------------


Cell = tuple[Decimal | None, bool | None, str | None]  # (value, passed, rating)
EMPTY: Cell = (None, None, None)


def parse_cell(raw: str, subject: Subject, column: Column | None = None) -> Cell:
    """A typed cell as (value, passed, rating). Accepts a decimal comma or point; "" empties
    the cell. In a primary subject `column` says whether the cell is a rating (T, H, C or the
    words, with or without accents) or a written test (a whole number 0–10).
    Raises ValueError with a message for the person who typed it."""
    text = unicodedata.normalize("NFC", " ".join((raw or "").split()))
    if not text:
        return EMPTY
    folded = text.lower()
    if subject.assessment == Subject.Assessment.PRIMARY:
        return _parse_primary(text, column)
    if subject.assessment == Subject.Assessment.RATED:
        if folded in _PASS:
            return None, True, None
        if folded in _FAIL:
            return None, False, None
        raise ValueError(_("This subject is rated: enter Đ (Đạt) or CĐ (Chưa đạt)."))
    if folded in _PASS or folded in _FAIL:
        raise ValueError(_("This subject is scored: enter a score from 0 to 10, not Đ/CĐ."))
    if _NEGATIVE.fullmatch(text):
        raise ValueError(_("A score is from 0 to 10."))
    try:
        return circular22.parse_score(text, "cell"), None, None
    except InvalidScore as exc:
        if exc.reason == "out_of_range":
            raise ValueError(_("A score is from 0 to 10.")) from None
        if exc.reason == "too_precise":
            raise ValueError(_("A score has at most one decimal, e.g. 7,5.")) from None
        raise ValueError(_("Not a score: enter a number from 0 to 10, e.g. 7,5.")) from None


# What primary teachers write for a rating, folded (lower case, no accents): the code, the
# record's abbreviation or the words.
_RATINGS = {
    **dict.fromkeys(("t", "htt", "hoan thanh tot"), Score.Rating.GOOD.value),
    **dict.fromkeys(("h", "ht", "hoan thanh"), Score.Rating.DONE.value),
    **dict.fromkeys(("c", "cht", "chua hoan thanh"), Score.Rating.NOT_YET.value),
}


def _parse_primary(text: str, column: Column | None) -> Cell:
    if column is not None and column.is_test:
        if _NEGATIVE.fullmatch(text):
            raise ValueError(_("A test score is a whole number from 0 to 10."))
        try:
            return Decimal(circular27.parse_test_score(text, "cell")), None, None
        except InvalidScore as exc:
            if exc.reason == "not_whole":
                raise ValueError(_("A test score is a whole number, without decimals.")) from None
            raise ValueError(_("A test score is a whole number from 0 to 10.")) from None
    folded = names.fold(text)
    if folded in _RATINGS:
        return None, None, _RATINGS[folded]
    raise ValueError(
        _("Enter T (Hoàn thành tốt), H (Hoàn thành) or C (Chưa hoàn thành).")
    )


def _key(score: Score) -> str:
    return f"{score.kind}-{score.index}"


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


def filled(score: Score | None) -> bool:
    return score is not None and (
        score.value is not None or score.passed is not None or score.rating is not None
    )


def term_result(
    subject: Subject, columns: list[Column], cells: list
) -> tuple[Decimal | None, bool | None]:
    """(average, rated result) from one row of cells (Score or None each); None where a cell
    is empty. The caller decides which cells count (all, or only the published ones).
    A primary subject has neither: its end-of-term rating is its result (Circular 27)."""
    if subject.assessment == Subject.Assessment.PRIMARY or any(not filled(c) for c in cells):
        return None, None
    try:
        if subject.assessment == Subject.Assessment.RATED:
            return None, circular22.term_rated_result(
                [c.passed for c in cells], required=len(columns)
            )
        values = [c.value for c in cells]
        return circular22.subject_term_average(
            values[:-2], values[-2], values[-1], expected_regular=len(columns) - 2
        ), None
    except RuleError:  # e.g. a rated cell in a subject that became scored
        return None, None


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
    comments = {
        c.student_id: c
        for c in TermComment.objects.filter(student__in=ids, subject=subject, term=term)
    }
    columns = [GridColumn(c) for c in columns_for(subject, class_group.grade)]
    rows = []
    for pupil in pupils:
        row_cells = [cells.get((pupil.pk, c.key)) for c in columns]
        for gc, cell in zip(columns, row_cells):
            if filled(cell):
                gc.filled += 1
                gc.unpublished += cell.published_at is None
        average, result = term_result(subject, [c.column for c in columns], row_cells)
        rows.append(GridRow(pupil, row_cells, comments.get(pupil.pk), average, result))
    return {
        "columns": columns,
        "rows": rows,
        "term": term,
        "subject": subject,
        "class_group": class_group,
    }


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
) -> int:
    """Save typed cells {(student_id, "regular-1"): "7,5", …} and subject comments
    {student_id: text} for pupils now in the class. Everything is checked first; one bad cell
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
            parsed[(student_id, key)] = parse_cell(raw, subject, keys[key])
        except ValueError as exc:
            errors[(student_id, key)] = str(exc)
    check_comments(comments, pupils, texts, errors)
    if errors:
        raise GridErrors(errors)
    with transaction.atomic():
        check_open(term)
        changed = _write_cells(teacher, class_group, subject, term, keys, parsed)
        changed += write_comments(teacher, term, subject, texts)
    return changed


def _write_cells(teacher, class_group, subject, term, keys, parsed) -> int:
    existing = {
        (s.student_id, _key(s)): s
        for s in Score.objects.select_for_update().filter(
            student__in={sid for sid, _k in parsed}, subject=subject, term=term
        )
    }
    changed = 0
    for (student_id, key), (value, passed, rating) in parsed.items():
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
        elif (score.value, score.passed, score.rating) == (value, passed, rating):
            continue
        score.value, score.passed, score.rating, score.updated_by = value, passed, rating, teacher
        score.published_at = None
        score._history_user = teacher  # simple-history's "who" (no request middleware here)
        score.save()  # one history row per changed cell: who, when, old and new
        changed += 1
    return changed


def write_comments(author, term: Term, subject: Subject | None, texts: dict[int, str]) -> int:
    """Create, change or (when emptied) delete term comments; each change keeps history."""
    if not texts:
        return 0
    existing = {
        c.student_id: c
        for c in TermComment.objects.select_for_update().filter(
            student__in=list(texts), term=term, subject=subject
        )
    }
    return write_with_history(
        existing, texts, field="text", by="author", user=author,
        new=lambda student_id: TermComment(student_id=student_id, term=term, subject=subject),
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
    links = Guardianship.objects.filter(student_id__in=student_ids).select_related(
        "guardian__user", "student"
    )
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


def score_text(value: Decimal | None, passed: bool | None, rating: str | None = None) -> str:
    """A cell as typed back to a teacher: "7,5", "8", "Đ", "CĐ", "T" (comma on Vietnamese
    pages)."""
    if rating:
        return rating
    if value is not None:
        whole = value == value.to_integral_value()
        return formats.number_format(value.quantize(Decimal(1)) if whole else value, use_l10n=True)
    if passed is not None:
        return "Đ" if passed else "CĐ"
    return ""


def cell_text(score: Score) -> str:
    """A filled cell as a guardian reads it: a primary rating in words ("Hoàn thành tốt"),
    anything else as the teacher typed it."""
    if score.rating:
        return Score.Rating(score.rating).label
    return score_text(score.value, score.passed)


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
        lambda r: score_text(r.value, r.passed, r.rating),
    )
    if key is None or key == COMMENT_KEY:
        comments = TermComment.history.filter(
            student=student, subject=subject, term=term
        ).select_related("history_user", "author")
        changes += history_changes(
            comments, lambda r: (_("comment"), COMMENT_KEY), lambda r: r.text
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
        Enrolment.objects.filter(
            student=student,
            status=Enrolment.Status.ACTIVE,
            class_group__school_year__is_current=True,
        )
        .select_related("class_group__school_year")
        .first()
    )
    if enrolment is None:
        return PupilGrades(student, None)
    class_group = enrolment.class_group
    terms = terms_of(class_group)
    term = next((t for t in terms if str(t.pk) == str(term_id)), None) if term_id else None
    term = term or default_term(terms)
    grades = PupilGrades(student, enrolment, terms, term)
    if term is None:
        return grades
    published = list(
        Score.objects.filter(student=student, term=term, published_at__isnull=False).select_related(
            "subject"
        )
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


def subject_sort_key(subject: Subject) -> str:
    return names.sort_key("", "", subject.name)


# ---------------------------------------------------------------------------------------
# Closing and reopening a term
# ---------------------------------------------------------------------------------------


def _check_manager(user, term: Term) -> None:
    school_id = (
        Term.objects.filter(pk=term.pk).values_list("school_year__school_id", flat=True).first()
    )
    if not (
        user.is_active
        and (user.is_superuser or School.objects.managed_by(user).filter(pk=school_id).exists())
    ):
        raise PermissionDenied("Only the school's managers may close or reopen a term.")


@transaction.atomic
def close_term(*, user, term: Term, reason: str = "") -> bool:
    """Freeze the term's grade book (scores, comments, conduct). Only the school's managers;
    closing a closed term does nothing. Returns whether it was closed now."""
    _check_manager(user, term)
    locked = Term.objects.select_for_update().get(pk=term.pk)  # waits for running saves
    if locked.is_closed:
        return False
    term.closed_at, term.closed_by = timezone.now(), user
    term.save(update_fields=["closed_at", "closed_by"])
    TermEvent.objects.create(term=term, action=TermEvent.Action.CLOSED, by=user, reason=reason)
    return True


@transaction.atomic
def reopen_term(*, user, term: Term, reason: str) -> bool:
    """Open a closed term again, with the reason kept (TermEvent). Only the school's managers;
    a reason is required. Returns whether it was reopened now."""
    if not (reason or "").strip():
        raise ValueError("a reason is required to reopen a term")
    _check_manager(user, term)
    locked = Term.objects.select_for_update().get(pk=term.pk)
    if not locked.is_closed:
        return False
    term.closed_at, term.closed_by = None, None
    term.save(update_fields=["closed_at", "closed_by"])
    TermEvent.objects.create(
        term=term, action=TermEvent.Action.REOPENED, by=user, reason=reason.strip()
    )
    return True


def check_comments(comments: dict, pupils: set, texts: dict, errors: dict) -> None:
    """Typed term comments {student_id: text}: NFC text into `texts`, problems into `errors`."""
    for student_id, raw in comments.items():
        text = (raw or "").strip()
        if student_id not in pupils:
            errors[(student_id, COMMENT_KEY)] = _("This pupil is not in the class.")
        elif len(text) > COMMENT_MAX:
            errors[(student_id, COMMENT_KEY)] = _("A comment has at most %(n)d characters.") % {
                "n": COMMENT_MAX
            }
        else:
            texts[student_id] = unicodedata.normalize("NFC", text)

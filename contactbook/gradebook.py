"""The grade book: its columns by the rules, reading a class's grid, saving a whole grid (all
or nothing, an error per cell), publishing a column to guardians, closing a term."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contactbook import notifications
from contactbook.models import Score, TermEvent
from reports.rules import circular22
from reports.rules.errors import RuleError
from school.exceptions import DomainError, TermClosed
from school.models import ClassGroup, Guardianship, Student, Subject, Term

_SCORE = re.compile(r"^(10|\d)([.,]\d)?$")
_PASS = {"đ": True, "d": True, "đạt": True, "dat": True}
_FAIL = {"cđ": False, "cd": False, "chưa đạt": False, "chua dat": False}


@dataclass(frozen=True)
class Column:
    kind: str
    index: int

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.index}"


def columns_for(subject: Subject) -> list[Column]:
    """ĐĐGtx 1…n (n from periods per year, Circular 22 Art. 7), then giữa kỳ and cuối kỳ."""
    regular = [Column(Score.Kind.REGULAR, i) for i in range(1, subject.regular_assessment_count + 1)]
    return [*regular, Column(Score.Kind.MIDTERM, 1), Column(Score.Kind.FINAL, 1)]


class GridErrors(DomainError):
    status = 422
    code = "invalid_cells"

    def __init__(self, errors: dict[tuple[int, str], str]):
        super().__init__(_("Some cells are not valid; nothing was saved."))
        self.errors = errors  # (student_id, column key) -> message


def parse_cell(raw: str, subject: Subject) -> tuple[Decimal | None, bool | None]:
    """A typed cell as (value, passed). Accepts a decimal comma or point; "" empties the cell.
    Raises ValueError with a message for the person who typed it."""
    text = " ".join((raw or "").split()).lower()
    if not text:
        return None, None
    if subject.assessment == Subject.Assessment.RATED:
        if text in _PASS:
            return None, True
        if text in _FAIL:
            return None, False
        raise ValueError(_("Enter Đ (Đạt) or CĐ (Chưa đạt)."))
    if not _SCORE.match(text):
        raise ValueError(_("Enter a score from 0 to 10 with at most one decimal, e.g. 7,5."))
    return Decimal(text.replace(",", ".")), None


def grid(class_group: ClassGroup, subject: Subject, term: Term) -> dict:
    """The class's pupils (Vietnamese order), the columns, each cell, and each pupil's term
    average when complete — three queries whatever the class size."""
    pupils = list(Student.objects.in_class(class_group))
    cells = {
        (s.student_id, f"{s.kind}-{s.index}"): s
        for s in Score.objects.filter(student__in=[p.pk for p in pupils], subject=subject, term=term)
    }
    columns = columns_for(subject)
    rows = []
    for pupil in pupils:
        row_cells = [cells.get((pupil.pk, c.key)) for c in columns]
        rows.append({"student": pupil, "cells": row_cells, "average": _average(subject, columns, row_cells)})
    return {"columns": columns, "rows": rows, "term": term, "subject": subject, "class_group": class_group}


def _average(subject: Subject, columns: list[Column], cells: list) -> Decimal | None:
    if subject.assessment != Subject.Assessment.SCORED or any(c is None or c.value is None for c in cells):
        return None
    values = [c.value for c in cells]
    try:
        return circular22.subject_term_average(values[:-2], values[-2], values[-1])
    except RuleError:
        return None


def save_grid(*, teacher, class_group: ClassGroup, subject: Subject, term: Term,
              cells: dict[tuple[int, str], str]) -> int:
    """Save typed cells {(student_id, "regular-1"): "7,5", …} for pupils now in the class.
    Every cell is checked first; one bad cell saves nothing (GridErrors names each). Returns
    how many cells changed. The caller has checked that `teacher` may grade this subject."""
    if term.is_closed:
        raise TermClosed()
    keys = {c.key: c for c in columns_for(subject)}
    pupils = set(Student.objects.in_class(class_group).values_list("pk", flat=True))
    parsed, errors = {}, {}
    for (student_id, key), raw in cells.items():
        if key not in keys or student_id not in pupils:
            errors[(student_id, key)] = _("This cell is not in the grade book.")
            continue
        try:
            parsed[(student_id, key)] = parse_cell(raw, subject)
        except ValueError as exc:
            errors[(student_id, key)] = str(exc)
    if errors:
        raise GridErrors(errors)
    return _write_cells(teacher, class_group, subject, term, keys, parsed)


@transaction.atomic
def _write_cells(teacher, class_group, subject, term, keys, parsed) -> int:
    existing = {
        (s.student_id, f"{s.kind}-{s.index}"): s
        for s in Score.objects.select_for_update().filter(
            student__in={sid for sid, _ in parsed}, subject=subject, term=term
        )
    }
    changed = 0
    for (student_id, key), (value, passed) in parsed.items():
        score = existing.get((student_id, key))
        if score is None:
            if value is None and passed is None:
                continue
            column = keys[key]
            score = Score(student_id=student_id, subject=subject, term=term, class_group=class_group,
                          kind=column.kind, index=column.index)
        elif score.value == value and score.passed == passed:
            continue
        score.value, score.passed, score.updated_by = value, passed, teacher
        score.save()  # one history row per changed cell: who, when, old and new
        changed += 1
    return changed


@transaction.atomic
def publish_column(*, teacher, class_group: ClassGroup, subject: Subject, term: Term, column: Column) -> int:
    """Show a column's filled cells to guardians, and tell each pupil's guardians once.
    Returns how many cells were newly published."""
    if term.is_closed:
        raise TermClosed()
    now = timezone.now()
    fresh = Score.objects.filter(
        class_group=class_group, subject=subject, term=term, kind=column.kind, index=column.index,
        published_at__isnull=True, student__enrolments__class_group=class_group,
        student__enrolments__status="active",
    ).exclude(value__isnull=True, passed__isnull=True)
    student_ids = list(fresh.values_list("student_id", flat=True))
    Score.objects.filter(pk__in=fresh.values("pk")).update(published_at=now)
    label = _column_label(column)
    for link in Guardianship.objects.filter(student_id__in=student_ids).select_related("guardian__user", "student"):
        notifications.notify(
            recipients=[link.guardian.user],
            kind="scores",
            title=_("New score: %(subject)s") % {"subject": subject.name},
            body=_("%(pupil)s has a new %(column)s score in %(subject)s.")
            % {"pupil": link.student.full_name, "column": label, "subject": subject.name},
            url=f"/phu-huynh/hoc-sinh/{link.student_id}/diem/",
            key=f"scores:{term.pk}:{subject.pk}:{column.key}:{link.student_id}:{now.timestamp()}",
        )
    return len(student_ids)


def _column_label(column: Column) -> str:
    if column.kind == Score.Kind.REGULAR:
        return _("regular assessment %(n)d") % {"n": column.index}
    return str(Score.Kind(column.kind).label).lower()


@transaction.atomic
def close_term(*, user, term: Term, reason: str = "") -> None:
    if term.is_closed:
        return
    term.closed_at, term.closed_by = timezone.now(), user
    term.save(update_fields=["closed_at", "closed_by"])
    TermEvent.objects.create(term=term, action=TermEvent.Action.CLOSED, by=user, reason=reason)


@transaction.atomic
def reopen_term(*, user, term: Term, reason: str) -> None:
    """Only a school manager may reopen (the caller checks); the reason is kept."""
    if not term.is_closed:
        return
    term.closed_at, term.closed_by = None, None
    term.save(update_fields=["closed_at", "closed_by"])
    TermEvent.objects.create(term=term, action=TermEvent.Action.REOPENED, by=user, reason=reason)

"""The department's dashboard reads each class's results counted in advance
(reports.models.ClassCounts) instead of computing every pupil's card when an officer looks.

Why: a class's cards cost about 25 ms for 30 pupils (`cards_for`, nine queries and the
grading); a department of 50 schools has 300 classes, about 8 s, and a province 12,000. The
counts are what the school statistics would count from the same cards (`statistics.count_class`
on `cards_for`), and the dashboard says when they were counted.

When: beat asks every DASHBOARD_REFRESH_MINUTES (`reports.tasks.refresh_counts`), one task per
school on the `reports` queue, so a province's schools spread over the render workers. A round
counts, for the school's current year, every term that has begun, except a closed term already
counted after it closed (its grade book is frozen), and the whole year once term II has begun;
for any other year, only what was never counted (a first round after an upgrade or an import
fills the past years in). `manage.py count_classes` runs a round at once, for one school or all.

Each period of a school year is written in one transaction, the year's row locked, so two
rounds at once leave one set of rows and a reader sees the old counts or the new, never half.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from reports import statistics
from reports.cards.selectors import cards_for
from reports.models import ClassCounts
from school.models import ClassGroup, School, SchoolYear, Term


def refresh_school(school: School | int, *, today: datetime.date | None = None) -> int:
    """One round for `school` (see the module). Returns how many classes' periods it counted."""
    school_id = school.pk if isinstance(school, School) else school
    today = today or timezone.localdate()
    counted = 0
    for year in SchoolYear.objects.filter(school_id=school_id).order_by("start_date"):
        terms = list(Term.objects.of_year(year.pk))
        classes = list(ClassGroup.objects.filter(school_year=year))
        if not classes:
            continue
        stored = {
            (c.class_group_id, c.term_id): c.computed_at
            for c in ClassCounts.objects.filter(class_group__in=classes).only(
                "class_group_id", "term_id", "computed_at")
        }
        for term in _periods_due(year, terms, classes, stored, today):
            counted += _count_period(year, term, classes)
    return counted


def _periods_due(year: SchoolYear, terms: Sequence[Term], classes, stored: dict,
                 today: datetime.date) -> list[Term | None]:
    if not year.is_current:
        periods = [*terms, None]
        return [p for p in periods
                if any((cg.pk, p.pk if p else None) not in stored for cg in classes)]
    due: list[Term | None] = []
    for term in terms:
        if term.start_date > today:
            continue
        if term.closed_at is not None and all(
            stored.get((cg.pk, term.pk)) is not None and stored[(cg.pk, term.pk)] > term.closed_at
            for cg in classes
        ):
            continue  # frozen, and counted since
        due.append(term)
    if any(t.number == 2 and t.start_date <= today for t in terms):
        due.append(None)
    return due


def _count_period(year: SchoolYear, term: Term | None, classes: Sequence[ClassGroup]) -> int:
    started = timezone.now()  # what was saved after this may be missed: counted next round
    rows = [
        ClassCounts(class_group=cg, term=term, pupils=counts.pupils, counts=counts.as_json(),
                    computed_at=started)
        for cg in classes
        for counts in [statistics.count_class(cards_for(cg, year, term), cg.grade, term is None)]
    ]
    with transaction.atomic():
        SchoolYear.objects.select_for_update().filter(pk=year.pk).first()
        ClassCounts.objects.filter(class_group__in=classes, term=term).delete()
        ClassCounts.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class Stored:
    """The counts of the classes asked for: by class id, and the oldest count's moment."""

    by_class: dict[int, statistics.ClassCounts]
    oldest: datetime.datetime | None


def stored_counts(classes: Iterable[ClassGroup], term_of: dict[int, Term] | None) -> Stored:
    """The stored counts of `classes` for a term (`term_of`: each school year's id -> the term)
    or, with None, for the whole year. One query."""
    classes = list(classes)
    if term_of is None:
        rows = ClassCounts.objects.filter(class_group__in=classes, term__isnull=True)
    else:
        rows = ClassCounts.objects.filter(class_group__in=classes, term__in=term_of.values())
    by_class, oldest = {}, None
    for class_id, pupils, data, at in rows.values_list(
        "class_group_id", "pupils", "counts", "computed_at"
    ):
        by_class[class_id] = statistics.ClassCounts.from_json(pupils, data)
        oldest = at if oldest is None else min(oldest, at)
    return Stored(by_class, oldest)

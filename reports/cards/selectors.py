"""Selectors: a class's cards in a fixed number of queries (term: 9; year: 15 with the summer's
re-assessed conduct and re-tests and the awards, a grade-12 year 19 with its pupils' grade-10
and grade-11 years; a primary class 8 and 12: quality ratings instead of conduct, no
exemptions and no summer)."""

from reports.cards.loading import _Data, _load_class, _pupils
from reports.cards.model import Card
from reports.cards.primary import _primary_term_card, _primary_year_card
from reports.cards.secondary import _term_card, _year_card
from reports.cards.summer import load_summer
from school.models import ClassGroup, SchoolYear, Term


def cards_for(
    class_group: ClassGroup,
    school_year: SchoolYear,
    term: Term | None = None,
    student_ids=None,
    *,
    deputy: str = "",
) -> list[Card]:
    """The term cards of `term`, or the year cards (CẢ NĂM) when `term` is None. `deputy`:
    the name of the vice-principal who signs for the principal (a run's setting), printed
    under "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG"; "" for the principal. No query of its own."""
    if term is not None:
        if term.school_year_id != school_year.pk:
            raise ValueError("the term must belong to the school year")
        return term_cards(class_group, term, student_ids, deputy=deputy)
    return year_cards(class_group, school_year, student_ids, deputy=deputy)


def term_cards(
    class_group: ClassGroup, term: Term, student_ids=None, *, deputy: str = ""
) -> list[Card]:
    """One card per pupil now in the class (Vietnamese order; only `student_ids` when given)
    for one term, from PUBLISHED scores only. Nine queries whatever the class size. A class
    of grades 1–5 gets Circular 27's card (`Card.primary`).

    A subject line's average, and the learning result, stay "" until every cell they need is
    published, and `missing` says why in Vietnamese: nothing raises for missing or odd data.
    A pupil's card is the same whichever other pupils are asked for, so its hash is stable.
    """
    class_group = _load_class(class_group)
    if term.school_year_id != class_group.school_year_id:
        raise ValueError("the term must belong to the class's school year")
    pupils = _pupils(class_group, student_ids)
    if not pupils:
        return []
    data = _Data.load(class_group, pupils, [term], term.start_date, term.end_date)
    data.deputy = deputy
    if data.primary:
        return [_primary_term_card(class_group, term, pupil, data) for pupil in pupils]
    return [_term_card(class_group, term, pupil, data) for pupil in pupils]


def year_cards(
    class_group: ClassGroup, school_year: SchoolYear, student_ids=None, *, deputy: str = ""
) -> list[Card]:
    """One whole-year card (CẢ NĂM) per pupil now in the class, from PUBLISHED scores of both
    terms: term I, term II and year results per subject, the year's learning and conduct
    results, the title, the awards and the promotion decision, and after the summer its
    columns (grades 6–12). Fifteen queries whatever the class size (among them the terms copied
    from a previous school, the personal education plans, the awards and the summer's rows;
    nineteen in grade 12, which also reads the pupils' earlier years; twelve for grades 1–5).
    A class of grades 1–5 gets Circular 27's year card: the end-of-year ratings and tests,
    the year result and whether the pupil completes the grade."""
    class_group = _load_class(class_group)
    if class_group.school_year_id != school_year.pk:
        raise ValueError("the class must belong to the school year")
    terms = {t.number: t for t in Term.objects.of_year(class_group.school_year_id)}
    pupils = _pupils(class_group, student_ids)
    if not pupils:
        return []
    # The year's absences are its terms' (so they add up to the two term cards'), or the
    # school year's dates while its terms are not set up.
    spans = [(t.start_date, t.end_date) for t in terms.values()]
    spans = spans or [(class_group.school_year.start_date, class_group.school_year.end_date)]
    start, end = min(a for a, _b in spans), max(b for _a, b in spans)
    data = _Data.load(class_group, pupils, list(terms.values()), start, end, year=True)
    data.load_awards(pupils, class_group.school_year_id)
    data.deputy = deputy
    if data.primary:
        return [_primary_year_card(class_group, terms, pupil, data) for pupil in pupils]
    data.summer = load_summer([p.pk for p in pupils], class_group.school_year_id)
    return [_year_card(class_group, terms, pupil, data) for pupil in pupils]

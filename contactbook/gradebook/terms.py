"""A class's terms (the open-term guard, closing and reopening live in school/terms.py)."""

import datetime

from django.utils import timezone

from school.models import ClassGroup, Term


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

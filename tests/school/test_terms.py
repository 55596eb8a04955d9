"""The term queries on Term.objects (school/models.py: TermQuerySet): a year's terms in order,
the terms a day falls in, and the current term by date."""

import datetime

import pytest

from school.models import Term
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_terms():
    year = f.SchoolYearFactory()
    two = f.TermFactory(
        school_year=year,
        number=2,
        start_date=datetime.date(2027, 1, 18),
        end_date=datetime.date(2027, 5, 31),
    )
    one = f.TermFactory(
        school_year=year,
        number=1,
        start_date=datetime.date(2026, 9, 5),
        end_date=datetime.date(2027, 1, 15),
    )
    f.TermFactory()  # another school's year
    return year, one, two


def test_a_years_terms_come_term_one_first(two_terms):
    year, one, two = two_terms
    assert list(Term.objects.of_year(year)) == [one, two]
    assert list(Term.objects.of_year(year.pk)) == [one, two]


def test_the_terms_containing_a_day_include_both_ends(two_terms):
    year, one, two = two_terms
    terms = Term.objects.of_year(year)
    assert list(terms.containing(datetime.date(2026, 9, 5))) == [one]
    assert list(terms.containing(datetime.date(2027, 1, 15))) == [one]
    assert list(terms.containing(datetime.date(2027, 5, 31))) == [two]
    assert list(terms.containing(datetime.date(2027, 1, 16))) == []  # between the terms


def test_the_current_term_is_picked_by_date(two_terms):
    year, one, two = two_terms
    terms = Term.objects.of_year(year)
    assert terms.current(datetime.date(2026, 8, 1)) == one  # before the year
    assert terms.current(datetime.date(2026, 11, 25)) == one
    assert terms.current(datetime.date(2027, 1, 16)) == one  # between the terms
    assert terms.current(datetime.date(2027, 3, 1)) == two
    assert terms.current(datetime.date(2027, 7, 1)) == two  # summer
    assert Term.objects.none().current(datetime.date(2027, 7, 1)) is None


def test_the_current_term_of_terms_already_read_costs_no_query(
    two_terms, django_assert_num_queries
):
    year, one, _two = two_terms
    terms = Term.objects.of_year(year)
    with django_assert_num_queries(1):
        assert len(list(terms)) == 2
        assert terms.current(datetime.date(2026, 11, 25)) == one

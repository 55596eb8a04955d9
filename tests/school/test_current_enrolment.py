"""The pupil's class now is their active enrolment in the current school year
(Enrolment.objects.current): nothing ends last year's enrolments when a new year is set up, so
a promoted pupil is still "active" in last year's class, and only the current year counts."""

import datetime

import pytest

from contactbook import leave
from contactbook.attendance import month_calendar
from lms.selectors import current_class
from school.managers import children_class_ids
from school.models import Enrolment
from school.selectors import home_for_user
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_years_class(cast):
    """Last year's 9A, where pupil_a1 is still enrolled as active (as after any year's end)."""
    last_year = f.SchoolYearFactory(
        school=cast.school_a, name="2025–2026", is_current=False,
        start_date=datetime.date(2025, 9, 5), end_date=datetime.date(2026, 5, 31),
    )
    nine_a = f.ClassGroupFactory(school_year=last_year, name="9A", grade=9)
    f.enrol(cast.pupil_a1, nine_a, start_date=datetime.date(2025, 9, 5))
    return nine_a


def test_an_active_enrolment_of_last_year_is_allowed_but_not_current(cast, last_years_class):
    active = Enrolment.objects.active().filter(student=cast.pupil_a1)
    assert {e.class_group for e in active} == {last_years_class, cast.class_a1}
    assert [e.class_group for e in Enrolment.objects.current().filter(student=cast.pupil_a1)] == [
        cast.class_a1
    ]


def test_the_pupils_class_now_is_this_years(cast, last_years_class):
    assert current_class(cast.pupil_a1) == cast.class_a1  # lms: the lessons of the class
    assert set(children_class_ids(cast.parent_a1).values_list("class_group_id", flat=True)) == {
        cast.class_a1.pk
    }
    child = next(c for c in home_for_user(cast.parent_a1)["children"] if c == cast.pupil_a1)
    assert [e.class_group for e in child.active_enrolments] == [cast.class_a1]


def test_a_pupil_who_left_this_year_has_no_class_now(cast, last_years_class):
    this_year = Enrolment.objects.get(student=cast.pupil_a1, class_group=cast.class_a1)
    this_year.end(on=datetime.date(2026, 11, 2), status=Enrolment.Status.LEFT)
    assert leave.current_class(cast.pupil_a1) is None  # no leave to ask of last year's teacher
    assert current_class(cast.pupil_a1) is None
    assert month_calendar(cast.pupil_a1, 2026, 11)["year_absences"] is None

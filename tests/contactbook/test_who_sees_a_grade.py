"""Who sees a grade (contactbook/access.py, its first section), as one table: for a draft and
a published score of pupil_a1 in Toán (taught by teacher_a1 in 10A1, homeroom_a1's class),
each member of the cast and the device at each door, seeing the score or not."""

import pytest
from django.http import Http404
from django.urls import reverse

from contactbook.access import get_grade_book_for_user
from contactbook.gradebook.reads import grid, pupil_grades
from contactbook.portal import portal_home
from reports.access import get_card_student_for_user
from reports.cards.selectors import term_cards
from school.access import get_student_for_user
from tests import factories as f
from tests.clients import Client

pytestmark = pytest.mark.django_db

DRAFT, PUBLISHED = "3.5", "9.5"  # the two cells' values, unlike each other


def grade_book(cast, user, term, score) -> bool:
    book = get_grade_book_for_user(user, score.class_group_id, score.subject_id)
    rows = grid(book.class_group, book.subject, term)["rows"]
    return score.pk in {cell.pk for row in rows for cell in row.cells if cell}


def grades_page(cast, user, term, score) -> bool:
    grades = pupil_grades(get_student_for_user(user, score.student_id), term.pk)
    return score.pk in {cell.pk for s in grades.subjects for cell in s.cells if cell}


def portal(cast, user, term, score) -> bool:
    if not user.is_authenticated:
        return False
    return score.pk in {s.pk for s in portal_home(user, score.student_id).scores}


def card(cast, user, term, score) -> bool:
    pupil = get_card_student_for_user(user, score.student_id)
    (printed,) = term_cards(cast.class_a1, term, [pupil.pk])
    line = next(line for line in printed.subjects if line.subject == cast.math.name)
    return str(score.value).replace(".", ",") in line.regular


DOORS = {"grade book": grade_book, "grades page": grades_page, "portal": portal, "card": card}


def sees(door, cast, user, term, score) -> bool:
    try:
        return door(cast, user, term, score)
    except Http404:
        return False


def device_sees(cast, term, score) -> dict[str, bool]:
    """The device with its token at each door's page: never let in (a device has no session,
    and its token opens the device API only)."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {cast.device.issue_token()}"}
    urls = {
        "grade book": reverse("contactbook:gradebook_term", args=[cast.class_a1.pk, cast.math.pk, term.pk]),
        "grades page": reverse("contactbook:student_grades", args=[score.student_id]),
        "portal": reverse("contactbook:portal_child", args=[score.student_id]),
        "card": reverse("reports:student_card", args=[score.student_id, term.pk]),
    }
    found = {}
    for name, url in urls.items():
        response = Client().get(url, **headers)
        found[name] = response.status_code == 200 and PUBLISHED.replace(".", ",") in response.content.decode()
    return found


EVERY_GRADE_BOOK = {"operator", "principal", "teacher_a1", "homeroom_a1"}
EXPECTED = {
    ("grade book", "draft"): EVERY_GRADE_BOOK,
    ("grade book", "published"): EVERY_GRADE_BOOK,
    ("grades page", "draft"): set(),
    ("grades page", "published"): EVERY_GRADE_BOOK | {"parent_a1"},
    ("portal", "draft"): set(),
    ("portal", "published"): {"parent_a1"},
    ("card", "draft"): set(),
    ("card", "published"): {"operator", "principal", "parent_a1"},
}


def test_who_sees_a_grade(cast):
    term = f.TermFactory(school_year=cast.class_a1.school_year)
    scores = {
        "draft": f.score(cast.pupil_a1, cast.math, term, value=DRAFT, index=2, published=False),
        "published": f.score(cast.pupil_a1, cast.math, term, value=PUBLISHED, index=1),
    }
    table = {
        (name, state): {
            who for who, user in cast.users.items() if sees(door, cast, user, term, score)
        }
        for name, door in DOORS.items()
        for state, score in scores.items()
    }
    for name, seen in device_sees(cast, term, scores["published"]).items():
        if seen:
            table[(name, "published")].add("device")
    assert table == EXPECTED

"""The landing page after log-in, and the language switch."""

import pytest
from django.urls import reverse

from school.models import GuardianLinkRequest
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_parent_goes_straight_to_the_contact_book(cast, client):
    client.force_login(cast.parent_of_two)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("contactbook:portal_home")


def _ask(cast, holder):
    """School A asks `holder` (by their phone) to be pupil_a2's guardian."""
    return GuardianLinkRequest.objects.create(
        school=cast.school_a, student=cast.pupil_a2, phone=holder.phone, holder=holder,
        requested_by=cast.principal,
    )


@pytest.mark.parametrize("holder", ["parent_of_two", "stranger"])
def test_a_waiting_link_request_is_shown_before_the_contact_book(cast, client, holder):
    """A parent with children, or a person with none yet, lands on the home page while a
    school waits for their answer, with a link to answer it."""
    _ask(cast, cast.users[holder])
    client.force_login(cast.users[holder])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("school:link_requests") in response.content.decode()


def test_a_teacher_who_is_also_a_parent_sees_classes_and_children(cast, client):
    f.link_guardian(cast.teacher_a2, cast.sibling_b)
    client.force_login(cast.teacher_a2)
    context = client.get(reverse("home")).context
    assert list(context["children"]) == [cast.sibling_b]
    assert [e.class_group.name for e in context["children"][0].active_enrolments] == ["3A"]
    assert [c.name for c in context["classes"]] == ["10A2"]


def test_a_teacher_sees_the_classes_they_teach(cast, client):
    client.force_login(cast.teacher_a2)
    assert [c.name for c in client.get(reverse("home")).context["classes"]] == ["10A2"]


def test_home_queries_do_not_grow_with_the_number_of_classes(cast, client, django_assert_max_num_queries):
    client.force_login(cast.principal)
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("home"))
    for n in range(10):
        f.enrol(f.StudentFactory(school=cast.school_a), f.ClassGroupFactory(school_year=cast.class_a1.school_year))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))


def test_vietnamese_by_default_and_english_on_request(cast, client):
    client.force_login(cast.principal)
    page = client.get(reverse("home")).content.decode()
    assert 'lang="vi"' in page and "Đăng xuất" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in page and "Log out" in page

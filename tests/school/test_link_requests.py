"""The holder of a phone number answers a school's guardian link request on
/truong/lien-ket/: accepting makes the link, declining changes nothing, and nobody else
can answer (or see) it."""

import pytest
from django.urls import reverse

from school.models import Guardianship, GuardianLinkRequest, Student
from school.names import mask_name
from tests.conftest import assert_cast

pytestmark = pytest.mark.django_db

PAGE = "school:link_requests"


@pytest.fixture
def link_request(cast):
    """School A asks parent_of_two to be the guardian of pupil_a2."""
    return GuardianLinkRequest.objects.create(
        school=cast.school_a, student=cast.pupil_a2, phone=cast.parent_of_two.phone,
        holder=cast.parent_of_two, relationship="father", requested_by=cast.principal,
    )


def _decide(client, link_request, decision):
    url = reverse("school:decide_link_request", args=[link_request.pk])
    return client.post(url, {"decision": decision})


def test_a_pending_request_grants_nothing(cast, link_request):
    assert not Guardianship.objects.filter(student=cast.pupil_a2, guardian__user=cast.parent_of_two).exists()
    assert cast.pupil_a2 not in Student.objects.visible_to(cast.parent_of_two)


def test_the_holder_sees_the_request_with_the_pupils_name_masked(cast, client, link_request):
    """A school may have typed a wrong number: until the holder accepts, they learn the
    school, the class and the initials (N. T. Á. D***), enough for a parent to recognise their
    child, not a pupil's name."""
    client.force_login(cast.parent_of_two)
    body = client.get(reverse(PAGE)).content.decode()
    assert mask_name(cast.pupil_a2.full_name) in body and cast.school_a.name in body
    assert cast.class_a2.name in body
    assert cast.pupil_a2.given_name not in body


def test_a_decision_that_is_neither_accept_nor_decline_changes_nothing(cast, client, link_request):
    client.force_login(cast.parent_of_two)
    response = _decide(client, link_request, "maybe")
    assert response.status_code == 400
    link_request.refresh_from_db()
    assert link_request.decided_at is None


def test_only_the_holder_sees_the_request(cast, client, link_request):
    def sees(user):
        client.logout()
        if not user.is_authenticated:
            return False
        client.force_login(user)
        return mask_name(cast.pupil_a2.full_name) in client.get(reverse(PAGE)).content.decode()

    assert_cast(cast, sees, {"parent_of_two"})


def test_accepting_makes_the_link_once(cast, client, link_request):
    client.force_login(cast.parent_of_two)
    assert _decide(client, link_request, "accept").status_code == 302
    assert _decide(client, link_request, "accept").status_code == 404

    link = Guardianship.objects.get(student=cast.pupil_a2, guardian__user=cast.parent_of_two)
    assert link.relationship == "father"
    link_request.refresh_from_db()
    assert link_request.accepted is True and link_request.decided_at is not None


def test_declining_changes_nothing_but_the_request(cast, client, link_request):
    links = set(Guardianship.objects.values_list("pk", flat=True))
    client.force_login(cast.parent_of_two)
    assert _decide(client, link_request, "decline").status_code == 302

    assert set(Guardianship.objects.values_list("pk", flat=True)) == links
    link_request.refresh_from_db()
    assert link_request.accepted is False
    assert mask_name(cast.pupil_a2.full_name) not in client.get(reverse(PAGE)).content.decode()


@pytest.mark.parametrize("name", ["principal", "parent_a2", "other_school_admin", "operator"])
def test_nobody_else_can_answer_the_request(cast, client, link_request, name):
    client.force_login(cast.users[name])
    assert _decide(client, link_request, "accept").status_code == 404
    link_request.refresh_from_db()
    assert link_request.decided_at is None


def test_the_page_needs_a_signed_in_person(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_an_account_given_the_number_later_cannot_answer(cast, client, link_request):
    """School A may change its own parent's phone; that must not hand it another's request."""
    number = cast.parent_of_two.phone
    cast.parent_of_two.phone = "0977000111"
    cast.parent_of_two.save()
    cast.parent_a1.phone = number
    cast.parent_a1.save()
    client.force_login(cast.parent_a1)
    assert mask_name(cast.pupil_a2.full_name) not in client.get(reverse(PAGE)).content.decode()
    assert _decide(client, link_request, "accept").status_code == 404

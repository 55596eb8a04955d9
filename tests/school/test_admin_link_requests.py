"""Linking a guardian by phone on a pupil's page in /quan-tri/: the school's own accounts
are linked at once, another's holder is asked (pending, shown as the typed number and
"chờ xác nhận"), operators' and staff accounts are refused."""

import pytest
from django.urls import reverse

from school.models import Guardianship, GuardianLinkRequest
from tests.school.test_admin_accounts import NOT_LINKABLE_VI, form_data
from tests.school.test_import import table_counts

pytestmark = pytest.mark.django_db

PREFIX = "link_requests"


def _ask(client, pupil, phone, relationship="father"):
    url = reverse("admin:school_student_change", args=[pupil.pk])
    data = form_data(client.get(url))
    index = int(data[f"{PREFIX}-TOTAL_FORMS"])
    data.update({
        f"{PREFIX}-TOTAL_FORMS": index + 1,
        f"{PREFIX}-{index}-phone": phone,
        f"{PREFIX}-{index}-relationship": relationship,
    })
    return client.post(url, data), index


def _inline_errors(response, index):
    formset = next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == PREFIX
    )
    return formset.forms[index].errors


def test_another_schools_parent_is_asked_not_linked(cast, client):
    client.force_login(cast.principal)
    response, _ = _ask(client, cast.pupil_a2, cast.parent_of_two.phone)

    assert response.status_code == 302
    request = GuardianLinkRequest.objects.get()
    assert (request.student, request.decided_at, request.requested_by) == (cast.pupil_a2, None, cast.principal)
    assert not cast.pupil_a2.guardians.filter(user=cast.parent_of_two).exists()
    body = client.get(reverse("admin:school_student_change", args=[cast.pupil_a2.pk])).content.decode()
    assert cast.parent_of_two.phone in body and "chờ xác nhận" in body
    assert cast.parent_of_two.full_name not in body


def test_the_schools_own_parent_is_linked_at_once(cast, client):
    client.force_login(cast.principal)
    response, _ = _ask(client, cast.pupil_a2, cast.parent_a1.phone)

    assert response.status_code == 302
    link = Guardianship.objects.get(student=cast.pupil_a2, guardian__user=cast.parent_a1)
    assert link.relationship == "father"
    assert GuardianLinkRequest.objects.get().accepted is True


@pytest.mark.parametrize("holder", ["operator", "other_school_admin"])
def test_an_operators_or_staff_number_is_refused(cast, client, holder):
    client.force_login(cast.principal)
    before = table_counts()
    response, index = _ask(client, cast.pupil_a2, cast.users[holder].phone)

    assert response.status_code == 200
    assert "phone" in _inline_errors(response, index)
    assert NOT_LINKABLE_VI in response.content.decode()
    assert cast.users[holder].full_name not in response.content.decode()
    assert table_counts() == before


def test_a_number_without_an_account_is_a_form_error(cast, client):
    client.force_login(cast.principal)
    response, index = _ask(client, cast.pupil_a2, "0977 000 111")
    assert "phone" in _inline_errors(response, index)
    assert not GuardianLinkRequest.objects.exists()


def test_a_schools_requests_are_listed_only_for_that_school(cast, client):
    GuardianLinkRequest.objects.create(
        school=cast.school_a, student=cast.pupil_a2, phone=cast.parent_of_two.phone,
        holder=cast.parent_of_two,
    )
    url = reverse("admin:school_guardianlinkrequest_changelist")
    client.force_login(cast.principal)
    listed = client.get(url)
    assert len(listed.context["cl"].result_list) == 1
    assert cast.parent_of_two.full_name not in listed.content.decode()
    client.force_login(cast.other_school_admin)
    assert len(client.get(url).context["cl"].result_list) == 0

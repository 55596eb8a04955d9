"""A guardian asks for a correction on the child's data page; the school's managers answer in
the school administration; the guardian is notified (kind "correction_answer") and sees the
status on the page."""

import pytest
from django.urls import reverse

from contactbook.models import Notification
from privacy.corrections import MAX_OPEN_PER_PUPIL
from privacy.models import CorrectionRequest
from school.models import Guardianship
from tests.conftest import as_user

pytestmark = pytest.mark.django_db


def page_url(student):
    return reverse("privacy:child_data", args=[student.pk])


def admin_url(request):
    return reverse("admin:privacy_correctionrequest_change", args=[request.pk])


def ask(client, student, data="Ngày sinh", text="Con sinh ngày 15/03/2010, không phải 14/03."):
    return client.post(page_url(student), {"data": data, "text": text})


def test_a_guardian_asks_for_a_correction(cast, client):
    response = ask(as_user(client, cast.parent_a1), cast.pupil_a1, data="  Ngày   sinh ")

    assert response.status_code == 302
    request = CorrectionRequest.objects.get()
    assert (request.student, request.requested_by, request.data) == (cast.pupil_a1, cast.parent_a1, "Ngày sinh")
    assert request.status == CorrectionRequest.Status.OPEN
    page = client.get(page_url(cast.pupil_a1)).content.decode()
    assert f'data-request="{request.pk}" data-status="open"' in page


@pytest.mark.parametrize(
    "data, text, field",
    [
        ("", "Sai ngày sinh", "data"),
        ("Ngày sinh", "   ", "text"),
        ("Ngày sinh", "a", "text"),
        ("x" * 201, "Sai ngày sinh", "data"),
        ("Ngày sinh", "x" * 2001, "text"),
    ],
)
def test_a_bad_request_gets_a_vietnamese_message_and_stores_nothing(cast, client, data, text, field):
    response = ask(as_user(client, cast.parent_a1), cast.pupil_a1, data=data, text=text)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    message = errors[field][0]
    assert any(word in message for word in ("Cho biết", "Hãy", "Tối đa", "Vui lòng")), message
    assert not CorrectionRequest.objects.exists()


def test_open_requests_are_limited(cast, client):
    as_user(client, cast.parent_a1)
    for _n in range(MAX_OPEN_PER_PUPIL):
        assert ask(client, cast.pupil_a1).status_code == 302
    response = ask(client, cast.pupil_a1)
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert CorrectionRequest.objects.count() == MAX_OPEN_PER_PUPIL


def test_only_the_childs_guardians_may_ask(cast, client):
    for name in ("parent_a2", "parent_of_two", "teacher_a1", "homeroom_a1", "principal", "operator", "stranger"):
        response = ask(as_user(client, cast.users[name]), cast.pupil_a1)
        assert response.status_code == 404, name
    assert not CorrectionRequest.objects.exists()


def test_the_school_answers_and_the_guardian_is_told(cast, client, django_capture_on_commit_callbacks):
    ask(as_user(client, cast.parent_a1), cast.pupil_a1)
    request = CorrectionRequest.objects.get()
    as_user(client, cast.principal)
    assert client.get(reverse("admin:privacy_correctionrequest_changelist")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(admin_url(request), {"status": "answered", "answer": "Đã sửa ngày sinh."})

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.answered_by, request.answer) == ("answered", cast.principal, "Đã sửa ngày sinh.")
    note = Notification.objects.get(kind="correction_answer")
    assert note.recipient == cast.parent_a1 and "Đã sửa ngày sinh." in note.body
    assert note.url == page_url(cast.pupil_a1)
    page = as_user(client, cast.parent_a1).get(page_url(cast.pupil_a1)).content.decode()
    assert 'data-status="answered"' in page and "Đã sửa ngày sinh." in page


def test_an_answer_needs_text_and_cannot_reopen(cast, client):
    ask(as_user(client, cast.parent_a1), cast.pupil_a1)
    request = CorrectionRequest.objects.get()
    as_user(client, cast.principal)

    response = client.post(admin_url(request), {"status": "refused", "answer": "  "})
    assert response.status_code == 200 and "answer" in response.context["adminform"].form.errors
    assert not Notification.objects.filter(kind="correction_answer").exists()

    client.post(admin_url(request), {"status": "refused", "answer": "Ngày sinh đúng theo giấy khai sinh."})
    response = client.post(admin_url(request), {"status": "open", "answer": "x"})
    assert "status" in response.context["adminform"].form.errors
    request.refresh_from_db()
    assert request.status == "refused"


def test_another_schools_manager_and_teachers_cannot_see_the_request(cast, client):
    ask(as_user(client, cast.parent_a1), cast.pupil_a1)
    request = CorrectionRequest.objects.get()
    for name in ("other_school_admin", "teacher_a1", "parent_a1"):
        as_user(client, cast.users[name])
        assert client.get(admin_url(request)).status_code in {302, 404}, name
        response = client.post(admin_url(request), {"status": "answered", "answer": "x"})
        assert response.status_code in {302, 404}, name
    request.refresh_from_db()
    assert request.status == "open"
    listing = as_user(client, cast.other_school_admin).get(reverse("admin:privacy_correctionrequest_changelist"))
    assert cast.pupil_a1.full_name not in listing.content.decode()


def test_a_guardian_unlinked_since_is_not_told(cast, client):
    ask(as_user(client, cast.parent_a1), cast.pupil_a1)
    request = CorrectionRequest.objects.get()
    Guardianship.objects.filter(student=cast.pupil_a1, guardian__user=cast.parent_a1).delete()

    response = as_user(client, cast.principal).post(admin_url(request), {"status": "answered", "answer": "Đã sửa."})

    assert response.status_code == 302
    assert not Notification.objects.filter(kind="correction_answer").exists()

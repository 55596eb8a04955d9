"""Messages: only between a pupil's guardians and that pupil's teachers, checked against the
whole cast; the other side is notified; revocation counts on the next request; attachments
within limits and served only to those who take part; a fixed number of queries."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from contactbook import messaging
from contactbook.models import Message, MessageAttachment, Notification
from school.models import Enrolment, Guardianship, StaffMembership, TeachingAssignment
from tests import factories as f
from tests.conftest import as_user, assert_cast

pytestmark = pytest.mark.django_db

TAKE_PART_A1 = {"parent_a1", "teacher_a1", "homeroom_a1"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Where attachments go: their own root, outside MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MESSAGE_ATTACHMENTS_ROOT = tmp_path / "attachments"
    return settings.MESSAGE_ATTACHMENTS_ROOT


def parent_url(student):
    return reverse("contactbook:parent_messages", args=[student.pk])


def teacher_url(student):
    return reverse("contactbook:teacher_thread", args=[student.pk])


def png(name="anh.png", size=(4, 4)) -> SimpleUploadedFile:
    """A real PNG of random pixels (noise does not compress, so size drives the bytes)."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name="don.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "application/pdf")


# ------------------------------------------------------------------------------ who takes part


def test_who_may_open_a_pupils_thread(cast, client):
    def opens(user):
        as_user(client, user)
        statuses = {client.get(parent_url(cast.pupil_a1)).status_code,
                    client.get(teacher_url(cast.pupil_a1)).status_code}
        assert statuses <= {200, 302, 404}, statuses
        return statuses == {200}

    # Not the principal, not the platform operator: a conversation is between the family and
    # the pupil's teachers.
    assert_cast(cast, opens, TAKE_PART_A1)


def test_who_may_write_in_a_pupils_thread(cast, client):
    def writes(user):
        as_user(client, user)
        before = Message.objects.count()
        response = client.post(teacher_url(cast.pupil_a1), {"body": f"Xin chào từ {user}"})
        assert response.status_code in (302, 404), response.status_code
        return Message.objects.count() == before + 1

    assert_cast(cast, writes, TAKE_PART_A1)


def test_a_pupil_in_another_school_has_only_the_family_when_no_teacher_is_assigned(cast, client):
    def opens(user):
        as_user(client, user)
        return client.get(parent_url(cast.sibling_b)).status_code == 200

    assert_cast(cast, opens, {"parent_of_two"})


def test_a_missing_pupil_and_a_not_yours_pupil_look_the_same(cast, client):
    client.force_login(cast.parent_a1)
    assert client.get(parent_url(cast.pupil_a2)).status_code == 404
    assert client.get(reverse("contactbook:parent_messages", args=[999_999])).status_code == 404


# ------------------------------------------------------------------------------- notifying


def test_a_parents_message_notifies_the_pupils_teachers_only(cast, client):
    client.force_login(cast.parent_a1)
    response = client.post(parent_url(cast.pupil_a1), {"body": "Cháu hôm nay bị ốm ạ."})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.sender, message.side, message.thread.student) == (cast.parent_a1, "guardian", cast.pupil_a1)
    notified = set(Notification.objects.filter(kind="message").values_list("recipient__full_name", flat=True))
    assert notified == {cast.teacher_a1.full_name, cast.homeroom_a1.full_name}
    assert Notification.objects.get(recipient=cast.teacher_a1).url == teacher_url(cast.pupil_a1)


def test_a_teachers_message_notifies_the_pupils_guardians_only(cast, client):
    second = f.UserFactory(full_name="Trần Thị Mẹ")
    f.link_guardian(second, cast.pupil_a1)
    client.force_login(cast.teacher_a1)
    client.post(teacher_url(cast.pupil_a1), {"body": "Mời phụ huynh họp lớp."})
    recipients = set(Notification.objects.filter(kind="message").values_list("recipient_id", flat=True))
    assert recipients == {cast.parent_a1.pk, second.pk}
    assert Notification.objects.get(recipient=second).url == parent_url(cast.pupil_a1)


# ------------------------------------------------------------------------------ revocation


def test_an_unlinked_guardian_loses_the_thread_and_its_news_at_once(cast, client):
    client.force_login(cast.parent_a1)
    assert client.get(parent_url(cast.pupil_a1)).status_code == 200
    Guardianship.objects.filter(guardian__user=cast.parent_a1).delete()

    assert client.get(parent_url(cast.pupil_a1)).status_code == 404
    assert client.post(parent_url(cast.pupil_a1), {"body": "còn đó không?"}).status_code == 404
    client.force_login(cast.teacher_a1)
    client.post(teacher_url(cast.pupil_a1), {"body": "Thông báo"})
    assert not Notification.objects.filter(recipient=cast.parent_a1).exists()


def test_a_teacher_whose_assignment_moves_loses_the_thread_and_its_news(cast, client):
    client.force_login(cast.teacher_a1)
    assert client.get(teacher_url(cast.pupil_a1)).status_code == 200
    TeachingAssignment.objects.filter(teacher=cast.teacher_a1).update(class_group=cast.class_a2)

    assert client.get(teacher_url(cast.pupil_a1)).status_code == 404
    assert client.get(teacher_url(cast.pupil_a2)).status_code == 200  # the new class's pupil
    client.force_login(cast.parent_a1)
    client.post(parent_url(cast.pupil_a1), {"body": "Thưa cô"})
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {cast.homeroom_a1.pk}


def test_a_pupil_moved_to_another_class_changes_who_takes_part(cast, client):
    Enrolment.objects.filter(student=cast.pupil_a1).update(status="transferred", end_date="2026-11-01")
    f.enrol(cast.pupil_a1, cast.class_a2)

    def opens(user):
        as_user(client, user)
        return client.get(parent_url(cast.pupil_a1)).status_code == 200

    assert_cast(cast, opens, {"parent_a1", "teacher_a2"})


def test_a_teacher_who_left_the_staff_loses_the_thread(cast, client):
    StaffMembership.objects.filter(user=cast.homeroom_a1).update(is_active=False)
    client.force_login(cast.homeroom_a1)
    assert client.get(teacher_url(cast.pupil_a1)).status_code == 404
    client.force_login(cast.parent_a1)
    client.post(parent_url(cast.pupil_a1), {"body": "Thưa thầy cô"})
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {cast.teacher_a1.pk}


# ----------------------------------------------------------------------------- attachments


def test_attachments_are_stored_privately_and_served_only_to_those_who_take_part(cast, client, media):
    client.force_login(cast.parent_a1)
    response = client.post(parent_url(cast.pupil_a1), {"body": "Đơn xin phép", "files": [png(), pdf()]})
    assert response.status_code == 302
    image, document = MessageAttachment.objects.order_by("id")
    assert (image.content_type, document.content_type) == ("image/png", "application/pdf")
    assert image.original_name == "anh.png"
    stored = media / image.file.name
    assert stored.exists() and "anh" not in image.file.name  # a random name, not the original
    page = client.get(parent_url(cast.pupil_a1)).content.decode()
    assert image.file.name not in page and "/media/" not in page

    def downloads(user):
        as_user(client, user)
        return client.get(reverse("contactbook:message_attachment", args=[image.pk])).status_code == 200

    assert_cast(cast, downloads, TAKE_PART_A1)

    client.force_login(cast.teacher_a1)
    served = client.get(reverse("contactbook:message_attachment", args=[document.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("attachment")
    assert b"".join(served.streaming_content).startswith(b"%PDF-")


def test_an_attachment_is_lost_with_the_thread_when_access_is_revoked(cast, client):
    client.force_login(cast.parent_a1)
    client.post(parent_url(cast.pupil_a1), {"files": [png()]})
    attachment = MessageAttachment.objects.get()
    TeachingAssignment.objects.filter(teacher=cast.teacher_a1).delete()
    client.force_login(cast.teacher_a1)
    assert client.get(reverse("contactbook:message_attachment", args=[attachment.pk])).status_code == 404


@pytest.mark.parametrize(
    "files, reason",
    [
        ([SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not really a photo", "image/jpeg")], "type"),
        ([SimpleUploadedFile("hong.png", b"\x89PNG\r\n\x1a\n broken", "image/png")], "broken"),
        ([png("1.png"), png("2.png"), png("3.png"), png("4.png")], "count"),
        ([png("to.png", size=(400, 400))], "size"),
    ],
)
def test_a_bad_attachment_is_refused_with_a_reason_and_nothing_is_written(cast, client, settings, files, reason):
    settings.MESSAGE_ATTACHMENT_MAX_BYTES = 20_000  # the 400×400 PNG is ~480 kB
    client.force_login(cast.parent_a1)
    response = client.post(parent_url(cast.pupil_a1), {"body": "kèm tệp", "files": files})
    assert response.status_code == 400
    assert response.context["form"].errors["files"]
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert not Notification.objects.exists()


def test_an_empty_message_is_refused(cast, client):
    client.force_login(cast.parent_a1)
    response = client.post(parent_url(cast.pupil_a1), {"body": "   "})
    assert response.status_code == 400 and response.context["form"].errors["body"]
    assert not Message.objects.exists()


def test_a_too_long_message_is_refused(cast, client):
    client.force_login(cast.parent_a1)
    response = client.post(parent_url(cast.pupil_a1), {"body": "a" * 4001})
    assert response.status_code == 400 and response.context["form"].errors["body"]
    assert not Message.objects.exists()


# ----------------------------------------------------------------------------- teachers' lists


def test_a_teachers_list_holds_threads_of_their_pupils_only(cast, client):
    for student, sender in [(cast.pupil_a1, cast.parent_a1), (cast.pupil_a2, cast.parent_a2),
                            (cast.sibling_a1, cast.parent_of_two)]:
        messaging.send_message(sender=sender, student_id=student.pk, body="Chào thầy cô")
    client.force_login(cast.teacher_a1)
    threads = client.get(reverse("contactbook:teacher_messages")).context["threads"]
    assert {t.student_id for t in threads} == {cast.pupil_a1.pk, cast.sibling_a1.pk}
    assert all(t.has_news for t in threads)
    client.get(teacher_url(cast.pupil_a1))  # reading clears the news
    threads = client.get(reverse("contactbook:teacher_messages")).context["threads"]
    assert {t.student_id: t.has_news for t in threads} == {cast.pupil_a1.pk: False, cast.sibling_a1.pk: True}


def test_who_may_open_a_class_to_write_to_its_parents(cast, client):
    url = reverse("contactbook:teacher_class_messages", args=[cast.class_a1.pk])

    def opens(user):
        as_user(client, user)
        return client.get(url).status_code == 200

    assert_cast(cast, opens, {"teacher_a1", "homeroom_a1"})


def test_everyone_logged_in_may_open_the_teachers_list_and_sees_only_their_own(cast, client):
    def opens(user):
        as_user(client, user)
        response = client.get(reverse("contactbook:teacher_messages"))
        return response.status_code == 200

    assert_cast(cast, opens, set(cast.users) - {"anonymous"})


# ------------------------------------------------------------------------------ query counts


def _thread_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_thread_page_runs_a_fixed_number_of_queries(cast, client):
    messaging.send_message(sender=cast.parent_a1, student_id=cast.pupil_a1.pk, body="1", files=[png()])
    client.force_login(cast.teacher_a1)
    client.get(teacher_url(cast.pupil_a1))  # read once, so both runs below find nothing new
    small = _thread_queries(client, teacher_url(cast.pupil_a1))
    for n in range(30):
        sender = cast.parent_a1 if n % 2 else cast.homeroom_a1
        messaging.send_message(sender=sender, student_id=cast.pupil_a1.pk, body=f"tin {n}", files=[png()])
    client.get(teacher_url(cast.pupil_a1))
    assert _thread_queries(client, teacher_url(cast.pupil_a1)) == small
    # session, user, participation, thread (+ my read time), messages, attachments, quiet
    # hours, class name, guardians, teachers (3), and the navigation's manage check.
    assert small == 13


def test_the_teachers_list_runs_a_fixed_number_of_queries(cast, client):
    client.force_login(cast.homeroom_a1)
    messaging.send_message(sender=cast.parent_a1, student_id=cast.pupil_a1.pk, body="1")
    small = _thread_queries(client, reverse("contactbook:teacher_messages"))
    for n in range(20):
        student = f.StudentFactory(school=cast.school_a)
        f.enrol(student, cast.class_a1)
        parent = f.UserFactory()
        f.link_guardian(parent, student)
        messaging.send_message(sender=parent, student_id=student.pk, body=f"tin {n}")
    assert _thread_queries(client, reverse("contactbook:teacher_messages")) == small
    assert small == 5  # session, user, threads, classes, navigation

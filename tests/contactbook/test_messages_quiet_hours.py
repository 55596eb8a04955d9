"""Quiet hours: a teacher mutes a thread outside school hours; messages still arrive in the
thread and in the in-app inbox, but e-mail and SMS to that teacher wait until the hours end."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contactbook import messaging, notifications
from contactbook.models import Delivery, Message, Notification, ThreadMute
from tests.conftest import assert_cast

pytestmark = pytest.mark.django_db


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


WEDNESDAY = (2026, 11, 25)  # a Wednesday
FRIDAY = (2026, 11, 27)


@pytest.mark.parametrize(
    "moment, expected_end",
    [
        (local(*WEDNESDAY, 12, 0), None),  # school hours
        (local(*WEDNESDAY, 17, 59), None),
        (local(*WEDNESDAY, 18, 0), local(2026, 11, 26, 7, 0)),
        (local(*WEDNESDAY, 23, 30), local(2026, 11, 26, 7, 0)),
        (local(2026, 11, 26, 6, 59), local(2026, 11, 26, 7, 0)),  # Thursday before seven
        (local(*FRIDAY, 19, 0), local(2026, 11, 30, 7, 0)),  # Friday evening: Monday morning
        (local(2026, 11, 28, 10, 0), local(2026, 11, 30, 7, 0)),  # Saturday
        (local(2026, 11, 30, 6, 0), local(2026, 11, 30, 7, 0)),  # Monday before seven
    ],
)
def test_when_quiet_hours_end(moment, expected_end):
    mute = ThreadMute(quiet_from=datetime.time(18), quiet_until=datetime.time(7), weekends=True)
    assert mute.quiet_end(moment) == expected_end


def test_without_quiet_weekends_saturday_noon_is_not_quiet_and_its_evening_is():
    mute = ThreadMute(quiet_from=datetime.time(18), quiet_until=datetime.time(7), weekends=False)
    assert mute.quiet_end(local(2026, 11, 28, 12, 0)) is None
    assert mute.quiet_end(local(2026, 11, 28, 20, 0)) == local(2026, 11, 29, 7, 0)


def test_quiet_hours_within_a_day():
    mute = ThreadMute(quiet_from=datetime.time(11, 30), quiet_until=datetime.time(13, 30), weekends=False)
    assert mute.quiet_end(local(*WEDNESDAY, 12, 0)) == local(*WEDNESDAY, 13, 30)
    assert mute.quiet_end(local(*WEDNESDAY, 14, 0)) is None


@pytest.fixture
def at(monkeypatch):
    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment
    return freeze


@pytest.fixture
def reachable(cast):
    """Teachers with e-mail addresses, so e-mail deliveries are written for them."""
    for name in ("teacher_a1", "homeroom_a1"):
        user = getattr(cast, name)
        user.email = f"{name}@truong.example"
        user.save()
    return cast


def _email_to(user) -> Delivery:
    return Delivery.objects.get(notification__recipient=user, channel="email")


def test_a_muted_teachers_email_waits_until_morning_and_the_in_app_notification_is_there(reachable, at):
    cast = reachable
    now = at(local(*WEDNESDAY, 20, 0))
    messaging.set_quiet_hours(user=cast.teacher_a1, student_id=cast.pupil_a1.pk, enabled=True,
                              quiet_from=datetime.time(18), quiet_until=datetime.time(7))
    messaging.send_message(sender=cast.parent_a1, student_id=cast.pupil_a1.pk, body="Tối nay cháu sốt")

    assert Message.objects.count() == 1  # delivered to the thread
    assert Notification.objects.filter(recipient=cast.teacher_a1, kind="message").exists()  # in-app now
    assert _email_to(cast.teacher_a1).next_attempt_at == local(2026, 11, 26, 7, 0)
    assert _email_to(cast.homeroom_a1).next_attempt_at == now  # did not mute: sent now
    # The worker finds the muted delivery not yet due; the sweep sends it at seven.
    assert notifications.deliver(_email_to(cast.teacher_a1).pk) == "skipped"
    at(local(2026, 11, 26, 7, 1))
    assert _email_to(cast.teacher_a1).pk in notifications.due_delivery_ids()
    assert notifications.deliver(_email_to(cast.teacher_a1).pk) == "sent"


def test_a_message_on_friday_evening_waits_for_monday(reachable, at):
    cast = reachable
    at(local(*FRIDAY, 19, 0))
    messaging.set_quiet_hours(user=cast.teacher_a1, student_id=cast.pupil_a1.pk, enabled=True,
                              quiet_from=datetime.time(18), quiet_until=datetime.time(7), weekends=True)
    messaging.send_message(sender=cast.parent_a1, student_id=cast.pupil_a1.pk, body="Cuối tuần")
    assert _email_to(cast.teacher_a1).next_attempt_at == local(2026, 11, 30, 7, 0)


def test_in_school_hours_a_muted_teacher_is_told_at_once(reachable, at):
    cast = reachable
    now = at(local(*WEDNESDAY, 10, 0))
    messaging.set_quiet_hours(user=cast.teacher_a1, student_id=cast.pupil_a1.pk, enabled=True,
                              quiet_from=datetime.time(18), quiet_until=datetime.time(7))
    messaging.send_message(sender=cast.parent_a1, student_id=cast.pupil_a1.pk, body="Buổi sáng")
    assert _email_to(cast.teacher_a1).next_attempt_at == now


def test_quiet_hours_of_one_thread_leave_the_others_alone(reachable, at):
    cast = reachable
    now = at(local(*WEDNESDAY, 21, 0))
    messaging.set_quiet_hours(user=cast.teacher_a1, student_id=cast.pupil_a1.pk, enabled=True,
                              quiet_from=datetime.time(18), quiet_until=datetime.time(7))
    messaging.send_message(sender=cast.parent_of_two, student_id=cast.sibling_a1.pk, body="Con tôi")
    assert _email_to(cast.teacher_a1).next_attempt_at == now


def test_who_may_set_quiet_hours_on_a_thread(cast, client):
    url = reverse("contactbook:quiet_hours", args=[cast.pupil_a1.pk])

    def sets(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        ThreadMute.objects.all().delete()
        response = client.post(url, {"enabled": "on", "quiet_from": "18:00", "quiet_until": "07:00",
                                     "weekends": "on"})
        assert response.status_code in (302, 404), response.status_code
        return ThreadMute.objects.filter(user_id=getattr(user, "pk", None)).exists()

    assert_cast(cast, sets, {"teacher_a1", "homeroom_a1"})


def test_quiet_hours_form_turns_off_and_refuses_bad_times(cast, client):
    client.force_login(cast.teacher_a1)
    url = reverse("contactbook:quiet_hours", args=[cast.pupil_a1.pk])
    client.post(url, {"enabled": "on", "quiet_from": "19:30", "quiet_until": "06:30"})
    mute = ThreadMute.objects.get()
    assert (mute.quiet_from, mute.quiet_until, mute.weekends) == (datetime.time(19, 30), datetime.time(6, 30), False)

    response = client.post(url, {"enabled": "on", "quiet_from": "25:99", "quiet_until": ""})
    assert response.status_code == 400
    assert set(response.context["quiet_form"].errors) == {"quiet_from", "quiet_until"}
    assert ThreadMute.objects.get().quiet_from == datetime.time(19, 30)  # unchanged

    client.post(url, {"quiet_from": "18:00", "quiet_until": "07:00"})  # enabled unticked: off
    assert not ThreadMute.objects.exists()

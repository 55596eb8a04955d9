"""The notification outbox: written with the event, delivered after commit, retried, parked,
never sent twice; SMS only within 7:00–22:00, and only to those who agreed to SMS."""

import datetime
import json

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from contactbook import consents, notifications
from contactbook.channels import SmsChannel
from contactbook.models import ChannelPreference, Delivery, Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    settings.SMS_GATEWAY = "contactbook.channels.FileSmsGateway"
    return settings.SMS_FILE_PATH


@pytest.fixture
def daytime(monkeypatch):
    """Pin 'now' inside SMS hours so the tests do not depend on when they run."""
    noon = timezone.make_aware(datetime.datetime(2026, 11, 25, 12, 0))
    monkeypatch.setattr(timezone, "now", lambda: noon)
    return noon


def sms_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def agreed_to_sms(user):
    consents.record_consent(user=user, channel="sms", agreed=True, source="paper_form")
    return user


def test_a_notification_reaches_each_channel_the_guardian_has(sms_file, daytime, django_capture_on_commit_callbacks):
    parent = agreed_to_sms(f.UserFactory(phone="0987000009", email="me@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[parent], kind="absence", title="Vắng", body="An vắng",
                             url="/x", key="absence:1")
    assert Notification.objects.get().recipient == parent
    assert {d.channel: d.status for d in Delivery.objects.all()} == {"email": "sent", "sms": "sent"}
    assert mail.outbox[0].to == ["me@example.com"]
    assert sms_lines(sms_file)[0]["phone"] == "0987000009"


def test_sms_is_opt_in_for_ordinary_news_and_preferences_are_kept(sms_file, daytime):
    parent = agreed_to_sms(f.UserFactory(phone="0987000009", email=None))
    notifications.notify(recipients=[parent], kind="scores", title="t", body="b", key="k1")
    assert not Delivery.objects.exists()  # only the in-app inbox
    ChannelPreference.objects.create(user=parent, channel="sms", enabled=True)
    notifications.notify(recipients=[parent], kind="scores", title="t", body="b", key="k2")
    assert Delivery.objects.get().channel == "sms"


def test_no_sms_without_a_recorded_consent_even_when_urgent(sms_file, daytime):
    parent = f.UserFactory(phone="0987000009", email=None)
    ChannelPreference.objects.create(user=parent, channel="sms", enabled=True)  # "all news"
    notifications.notify(recipients=[parent], kind="absence", title="t", body="b", key="k1")
    assert Notification.objects.count() == 1 and not Delivery.objects.exists()  # inbox only
    agreed_to_sms(parent)
    notifications.notify(recipients=[parent], kind="absence", title="t", body="b", key="k2")
    consents.record_consent(user=parent, channel="sms", agreed=False, source="portal")
    notifications.notify(recipients=[parent], kind="absence", title="t", body="b", key="k3")
    assert list(Delivery.objects.values_list("notification__dedupe_key", flat=True)) == [f"k2:{parent.pk}"]
    assert sms_lines(sms_file) == []  # nothing is sent before the worker runs, and k3 never


def test_the_same_event_notified_twice_is_written_once(daytime):
    parent = f.UserFactory(email="me@example.com")
    for _ in range(2):
        notifications.notify(recipients=[parent], kind="scores", title="t", body="b", key="same")
    assert Notification.objects.count() == 1 and Delivery.objects.count() == 1


def test_a_rolled_back_event_announces_nothing(django_capture_on_commit_callbacks, daytime):
    parent = f.UserFactory(email="me@example.com")
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notifications.notify(recipients=[parent], kind="scores", title="t", body="b", key="k")
                raise RuntimeError("the grade was not saved")
    assert not Notification.objects.exists() and not callbacks
    assert mail.outbox == []


def test_a_delivery_is_sent_once_even_if_two_workers_get_it(sms_file, daytime):
    parent = agreed_to_sms(f.UserFactory(phone="0987000009"))
    (delivery_id,) = notifications.notify(recipients=[parent], kind="absence", title="t", body="b", key="k")
    assert notifications.deliver(delivery_id) == "sent"
    assert notifications.deliver(delivery_id) == "skipped"
    assert len(sms_lines(sms_file)) == 1


def test_a_failing_gateway_is_retried_with_backoff_then_parked(settings, tmp_path, monkeypatch, daytime):
    settings.SMS_GATEWAY = "tests.contactbook.gateways.FlakySmsGateway"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    monkeypatch.setenv("FLAKY_SMS_COUNTER", str(tmp_path / "count"))
    monkeypatch.setenv("FLAKY_FAILURES", "99")
    parent = agreed_to_sms(f.UserFactory(phone="0987000009"))
    (delivery_id,) = notifications.notify(recipients=[parent], kind="absence", title="t", body="b", key="k")
    waits = []
    for attempt in range(notifications.MAX_ATTEMPTS):
        outcome = notifications.deliver(delivery_id)
        delivery = Delivery.objects.get(pk=delivery_id)
        waits.append((delivery.next_attempt_at - daytime).total_seconds())
        Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=daytime)  # time passes
    assert outcome == "parked" and delivery.status == "parked" and delivery.attempts == 6
    assert waits[:3] == [60, 120, 240]
    assert "timed out" in delivery.last_error


def test_sms_waits_for_seven_in_the_morning():
    channel = SmsChannel()
    late = timezone.make_aware(datetime.datetime(2026, 11, 25, 22, 30))
    early = timezone.make_aware(datetime.datetime(2026, 11, 26, 5, 0))
    seven = timezone.make_aware(datetime.datetime(2026, 11, 26, 7, 0))
    assert channel.allowed_at(late) == seven and channel.allowed_at(early) == seven
    noon = timezone.make_aware(datetime.datetime(2026, 11, 26, 12, 0))
    assert channel.allowed_at(noon) == noon


def test_a_worker_that_died_mid_send_is_recovered_by_the_sweep(daytime):
    parent = f.UserFactory(email="me@example.com")
    (delivery_id,) = notifications.notify(recipients=[parent], kind="x", title="t", body="b", key="k")
    Delivery.objects.filter(pk=delivery_id).update(
        status="sending", claimed_at=daytime - datetime.timedelta(minutes=30)
    )
    assert notifications.due_delivery_ids() == [delivery_id]
    assert notifications.deliver(delivery_id) == "sent"

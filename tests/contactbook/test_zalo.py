"""Zalo (ZNS) as a notification channel, against a fake ZNS server on loopback: news that would
go by SMS goes by Zalo to guardians who agreed to it; a phone with no Zalo gets the SMS, once;
temporary errors are retried, our own mistakes parked; the access token is never logged."""

import datetime
import json
import logging

import pytest
from django.utils import timezone

from contactbook import consents, notifications
from contactbook.channels import ZaloChannel, zns_phone
from contactbook.models import Delivery
from tests import factories as f
from tests.contactbook.fake_zns import FakeZns

pytestmark = pytest.mark.django_db

TOKEN = "zns-test-token-5f1c9a"
ABSENCE_TEMPLATE = "9001"


@pytest.fixture
def daytime(monkeypatch):
    noon = timezone.make_aware(datetime.datetime(2026, 11, 25, 12, 0))
    monkeypatch.setattr(timezone, "now", lambda: noon)
    return noon


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    settings.SMS_GATEWAY = "contactbook.channels.FileSmsGateway"
    return settings.SMS_FILE_PATH


@pytest.fixture
def zns(settings):
    fake = FakeZns(token=TOKEN, templates={ABSENCE_TEMPLATE, "9002"}).start()
    settings.ZALO_ZNS_URL = fake.url
    settings.ZALO_ACCESS_TOKEN = TOKEN
    settings.ZALO_TEMPLATES = {"absence": ABSENCE_TEMPLATE, "scores": "9002"}
    settings.SITE_URL = "https://truongso.example.vn"
    yield fake
    fake.stop()


def sms_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def parent(phone="0912345678", *, agreed=("sms", "zalo")):
    user = f.UserFactory(phone=phone, email=None)
    for channel in agreed:
        consents.record_consent(user=user, channel=channel, agreed=True, source="paper_form")
    return user


def absence(user, key="absence:1", body="An vắng buổi sáng 25/11 không phép."):
    return notifications.notify(recipients=[user], kind="absence", title="Vắng không phép",
                                body=body, url="/hoc-sinh/1/diem-danh/", key=key)


def test_a_zalo_message_carries_the_template_the_phone_the_data_and_our_id(zns, sms_file, daytime):
    guardian = parent()
    (delivery_id,) = absence(guardian)
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.channel, delivery.address) == ("zalo", "84912345678")  # no SMS beside it

    assert notifications.deliver(delivery_id) == "sent"
    (request,) = zns.received
    assert request["token_ok"] and request["body"] == {
        "phone": "84912345678",
        "template_id": ABSENCE_TEMPLATE,
        "template_data": {
            "title": "Vắng không phép",
            "body": "An vắng buổi sáng 25/11 không phép.",
            "url": "https://truongso.example.vn/hoc-sinh/1/diem-danh/",
        },
        "tracking_id": str(delivery_id),
    }
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.provider_id  # Zalo's msg_id
    assert sms_lines(sms_file) == []


def test_a_long_body_is_shortened_to_the_templates_limit(zns, daytime):
    (delivery_id,) = absence(parent(), body="Nội dung rất dài. " * 40)
    notifications.deliver(delivery_id)
    body = zns.sent()[0]["template_data"]["body"]
    assert len(body) == 200 and body.endswith("…") and body.startswith("Nội dung rất dài.")


def test_a_phone_with_no_zalo_gets_the_sms_once(zns, sms_file, daytime):
    guardian = parent("0987000009")
    zns.answers["84987000009"] = [-118]
    (zalo_id,) = absence(guardian)

    assert notifications.deliver(zalo_id) == "fallback"
    zalo = Delivery.objects.get(pk=zalo_id)
    assert zalo.status == "fallback" and "-118" in zalo.last_error
    sms = Delivery.objects.get(notification=zalo.notification, channel="sms")
    assert sms.address == "0987000009" and sms.next_attempt_at == daytime  # at once
    assert notifications.deliver(sms.pk) == "sent"

    # Neither is sent again, however often the worker or the sweep comes by.
    assert notifications.deliver(zalo_id) == "skipped" and notifications.deliver(sms.pk) == "skipped"
    assert notifications._fall_back(zalo, "again") == "fallback"  # a second fallback: same SMS
    assert Delivery.objects.filter(notification=zalo.notification).count() == 2
    notifications.deliver(sms.pk)
    assert sms_lines(sms_file) == [{
        "phone": "0987000009", "text": "Vắng không phép: An vắng buổi sáng 25/11 không phép.",
        "request_id": str(sms.pk),  # the SMS delivery's own id, not the Zalo one's
    }]


def test_no_zalo_and_no_sms_consent_parks_it_with_the_reason(zns, sms_file, daytime):
    guardian = parent("0987000010", agreed=("zalo",))
    zns.answers["84987000010"] = [-119]
    (zalo_id,) = absence(guardian)
    assert notifications.deliver(zalo_id) == "parked"
    zalo = Delivery.objects.get(pk=zalo_id)
    assert zalo.status == "parked" and "-119" in zalo.last_error and "not sent by sms" in zalo.last_error
    assert not Delivery.objects.filter(channel="sms").exists() and sms_lines(sms_file) == []


def test_a_temporary_error_is_retried_with_backoff_then_sent_once(zns, sms_file, daytime):
    guardian = parent("0987000011")
    zns.answers["84987000011"] = [503, -144]  # Zalo down, then the OA's daily quota
    (zalo_id,) = absence(guardian)

    assert notifications.deliver(zalo_id) == "retry"
    delivery = Delivery.objects.get(pk=zalo_id)
    assert (delivery.next_attempt_at - daytime).total_seconds() == 60 and "503" in delivery.last_error
    assert notifications.deliver(zalo_id) == "skipped"  # not due yet: nothing sent early
    Delivery.objects.filter(pk=zalo_id).update(next_attempt_at=daytime)  # time passes
    assert notifications.deliver(zalo_id) == "retry"
    assert "-144" in Delivery.objects.get(pk=zalo_id).last_error
    Delivery.objects.filter(pk=zalo_id).update(next_attempt_at=daytime)
    assert notifications.deliver(zalo_id) == "sent"
    assert notifications.deliver(zalo_id) == "skipped"

    assert [r["answer"] for r in zns.received] == [503, -144, 0]
    assert len(zns.sent()) == 1 and Delivery.objects.get(pk=zalo_id).attempts == 3
    assert sms_lines(sms_file) == []


def test_zalo_failing_to_the_last_try_sends_the_sms(zns, sms_file, daytime):
    guardian = parent("0987000012")
    zns.answers["84987000012"] = [-144] * notifications.MAX_ATTEMPTS
    (zalo_id,) = absence(guardian)
    for _ in range(notifications.MAX_ATTEMPTS):
        outcome = notifications.deliver(zalo_id)
        Delivery.objects.filter(pk=zalo_id, status="pending").update(next_attempt_at=daytime)
    assert outcome == "fallback" and Delivery.objects.get(pk=zalo_id).status == "fallback"
    sms = Delivery.objects.get(channel="sms")
    assert notifications.deliver(sms.pk) == "sent" and len(sms_lines(sms_file)) == 1


def test_an_unknown_template_is_parked_at_once_and_never_retried(zns, settings, sms_file, daytime):
    settings.ZALO_TEMPLATES = {"absence": "424242"}  # not one Zalo approved
    (zalo_id,) = absence(parent())
    assert notifications.deliver(zalo_id) == "parked"
    delivery = Delivery.objects.get(pk=zalo_id)
    assert delivery.attempts == 1 and "-109" in delivery.last_error
    Delivery.objects.filter(pk=zalo_id).update(next_attempt_at=daytime - datetime.timedelta(hours=1))
    assert notifications.due_delivery_ids() == []
    assert notifications.deliver(zalo_id) == "skipped" and len(zns.received) == 1
    assert not Delivery.objects.filter(channel="sms").exists()  # our bug: no SMS to hide it


def test_a_wrong_access_token_is_parked_and_not_written_down(zns, settings, daytime):
    settings.ZALO_ACCESS_TOKEN = "expired-token-77"
    (zalo_id,) = absence(parent())
    assert notifications.deliver(zalo_id) == "parked"
    delivery = Delivery.objects.get(pk=zalo_id)
    assert "-124" in delivery.last_error and "expired-token-77" not in delivery.last_error


def test_the_access_token_never_reaches_the_logs(zns, settings, sms_file, daytime, caplog):
    caplog.set_level(logging.DEBUG)  # urllib3's request lines included
    guardian, other = parent("0987000013"), parent("0987000014")
    zns.answers["84987000014"] = [-118]
    ids = absence(guardian, key="a") + absence(other, key="b")
    for delivery_id in ids:
        notifications.deliver(delivery_id)
    settings.ZALO_ZNS_URL = "http://127.0.0.1:9/message/template"  # nobody listens: refused
    (unreachable,) = absence(parent("0987000015"), key="c")
    assert notifications.deliver(unreachable) == "retry"
    assert caplog.records  # something was logged at DEBUG, and it holds no token
    assert TOKEN not in caplog.text
    assert not Delivery.objects.filter(last_error__contains=TOKEN).exists()


def test_zalo_waits_for_the_same_hours_as_sms():
    late = timezone.make_aware(datetime.datetime(2026, 11, 25, 22, 30))
    seven = timezone.make_aware(datetime.datetime(2026, 11, 26, 7, 0))
    assert ZaloChannel().allowed_at(late) == seven


def test_without_a_token_or_a_template_the_news_goes_by_sms(zns, settings, daytime):
    guardian = parent("0987000016")
    notifications.notify(recipients=[guardian], kind="announcement", title="t", body="b", key="k1")
    settings.ZALO_ACCESS_TOKEN = ""
    absence(guardian, key="k2")
    assert sorted(Delivery.objects.values_list("notification__kind", "channel")) == [
        ("absence", "sms")  # the announcement: only in-app (not urgent); no template either way
    ]
    notifications.ChannelPreference.objects.create(user=guardian, channel="sms", enabled=True)
    settings.ZALO_ACCESS_TOKEN = TOKEN
    notifications.notify(recipients=[guardian], kind="announcement", title="t", body="b", key="k3")
    assert Delivery.objects.get(notification__dedupe_key__startswith="k3").channel == "sms"


def test_zalo_follows_the_sms_choice_of_the_guardian(zns, daytime):
    guardian = parent("0987000017")
    notifications.ChannelPreference.objects.create(user=guardian, channel="sms", enabled=False)
    assert absence(guardian) == []  # "never" by SMS means never by Zalo in its stead


def test_phones_are_sent_to_zalo_in_international_form():
    assert zns_phone("0912345678") == "84912345678"
    assert zns_phone("+84 912 345 678") == "84912345678"
    assert zns_phone("02033123456") == "842033123456"
    assert zns_phone("not a phone") is None

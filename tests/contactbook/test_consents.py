"""Consents per channel (Nghị định 13): an append-only history of who agreed to SMS, Zalo and
push, when and how; the latest answer holds; the settings page shows it and records changes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contactbook import consents, notifications
from contactbook.models import Consent, Delivery
from tests import factories as f

pytestmark = pytest.mark.django_db

SETTINGS = "/hop-thu/cai-dat/"


def test_each_answer_is_kept_and_the_latest_holds():
    parent = f.UserFactory()
    consents.record_consent(user=parent, channel="sms", agreed=True, source="paper_form")
    consents.record_consent(user=parent, channel="sms", agreed=False, source="portal")
    consents.record_consent(user=parent, channel="zalo", agreed=True, source="import")
    consents.record_consent(user=parent, channel="push", agreed=True, source="portal")

    history = [(c.channel, c.agreed, c.source) for c in consents.history_of(parent)]
    assert history == [
        ("push", True, "portal"), ("zalo", True, "import"),
        ("sms", False, "portal"), ("sms", True, "paper_form"),
    ]
    states = consents.consents_of(parent)
    assert {channel: state.agreed for channel, state in states.items()} == {
        "sms": False, "zalo": True, "push": True,
    }
    assert states["sms"].source == "portal" and states["sms"].at is not None


def test_a_channel_never_answered_is_not_agreed():
    state = consents.consents_of(f.UserFactory())["zalo"]
    assert state == consents.ConsentState(agreed=False, at=None)


def test_the_latest_is_the_last_written_whatever_the_clock_said():
    parent = f.UserFactory()
    consents.record_consent(user=parent, channel="sms", agreed=False, source="portal")
    # A paper form typed in late, with the date it was signed: still the last word.
    Consent.objects.create(user=parent, channel="sms", agreed=True, source="paper_form",
                           recorded_at=timezone.now() - datetime.timedelta(days=30))
    assert consents.consents_of(parent)["sms"].agreed is True


def test_a_consent_is_never_edited_only_followed_by_another():
    parent = f.UserFactory()
    consents.record_consent(user=parent, channel="sms", agreed=True, source="portal")
    row = Consent.objects.get()
    row.agreed = False
    with pytest.raises(ValueError):
        row.save()
    assert Consent.objects.get().agreed is True


def test_unknown_channels_and_empty_sources_are_refused():
    parent = f.UserFactory()
    with pytest.raises(ValueError):
        consents.record_consent(user=parent, channel="fax", agreed=True, source="portal")
    with pytest.raises(ValueError):
        consents.record_consent(user=parent, channel="sms", agreed=True, source=" ")
    assert not Consent.objects.exists()


def test_who_agreed_is_one_query_for_any_number_of_people(django_assert_num_queries):
    people = [f.UserFactory() for _ in range(12)]
    for n, person in enumerate(people):
        consents.record_consent(user=person, channel="sms", agreed=True, source="import")
        if n % 3 == 0:  # a third withdrew since
            consents.record_consent(user=person, channel="sms", agreed=False, source="portal")
        consents.record_consent(user=person, channel="zalo", agreed=n % 2 == 0, source="import")
    with django_assert_num_queries(1):
        agreed = consents.agreed_users([p.pk for p in people], "sms")
    assert agreed == {p.pk for n, p in enumerate(people) if n % 3}
    assert consents.agreed_users([p.pk for p in people], "zalo") == {p.pk for p in people[::2]}


def test_a_withdrawn_consent_stops_that_channel_at_the_next_notification(settings):
    settings.ZALO_ACCESS_TOKEN = ""  # SMS only here (Zalo: tests/contactbook/test_zalo.py)
    parent = f.UserFactory(phone="0987000020", email=None)
    consents.record_consent(user=parent, channel="sms", agreed=True, source="paper_form")
    notifications.notify(recipients=[parent], kind="absence", title="t", body="b", key="a")
    consents.record_consent(user=parent, channel="sms", agreed=False, source="portal")
    notifications.notify(recipients=[parent], kind="absence", title="t", body="b", key="b")
    assert list(Delivery.objects.values_list("notification__dedupe_key", "channel")) == [
        (f"a:{parent.pk}", "sms")
    ]


# --------------------------------------------------------------------------- the settings page


def rows(response):
    return {row["field"].name: row["state"] for row in response.context["consent_rows"]}


def test_the_page_shows_each_channel_with_its_answer_and_when(client):
    parent = f.UserFactory()
    consents.record_consent(user=parent, channel="zalo", agreed=True, source="paper_form")
    client.force_login(parent)
    response = client.get(SETTINGS)
    states = rows(response)
    assert [name for name in states] == ["agree_sms", "agree_zalo", "agree_push"]
    assert states["agree_zalo"].agreed and not states["agree_sms"].agreed
    assert response.context["form"].initial["agree_zalo"] is True
    page = response.content.decode()
    when = timezone.localtime(states["agree_zalo"].at).strftime("%d/%m/%Y %H:%M")
    assert f"Đã đồng ý lúc {when} (Phiếu giấy tại trường)." in page
    assert "Chưa đồng ý." in page


def test_agreeing_and_withdrawing_on_the_page_records_each_change_once(client):
    parent = f.UserFactory()
    client.force_login(parent)
    form = {"email": "on", "sms": "urgent"}
    assert client.post(SETTINGS, {**form, "agree_sms": "on", "agree_zalo": "on"}).status_code == 302
    client.post(SETTINGS, {**form, "agree_sms": "on", "agree_zalo": "on"})  # nothing changed
    client.post(SETTINGS, {**form, "agree_sms": "on"})  # Zalo withdrawn
    history = [(c.channel, c.agreed, c.source, c.recorded_by_id) for c in consents.history_of(parent)]
    assert sorted(history[1:]) == [("sms", True, "portal", parent.pk), ("zalo", True, "portal", parent.pk)]
    assert history[0] == ("zalo", False, "portal", parent.pk)
    assert not rows(client.get(SETTINGS))["agree_zalo"].agreed


def test_a_refused_form_records_no_consent(client):
    parent = f.UserFactory()
    client.force_login(parent)
    response = client.post(SETTINGS, {"sms": "fax", "agree_sms": "on"})
    assert response.status_code == 200 and response.context["form"].errors["sms"]
    assert not Consent.objects.exists()


def test_the_page_runs_a_fixed_number_of_queries(client):
    parent = f.UserFactory()
    client.force_login(parent)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(SETTINGS).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(30):
        consents.record_consent(user=parent, channel=("sms", "zalo", "push")[n % 3],
                                agreed=n % 2 == 0, source="portal")
    assert count() == small
    assert small == 5  # session, user, navigation, preferences, consents

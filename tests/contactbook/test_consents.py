"""Consents per channel (Nghị định 13): an append-only history of who agreed to SMS, Zalo and
push, when and how; the latest answer holds; the settings page shows it and records changes."""

import datetime

import pytest
from django.utils import timezone

from contactbook import consents
from contactbook.models import Consent
from tests import factories as f

pytestmark = pytest.mark.django_db


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

"""The notification inbox (unread first, mark as read, open) and channel preferences, for
every member of the cast: each sees and changes only their own."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contactbook import notifications
from contactbook.models import ChannelPreference, Delivery, Notification
from tests import factories as f
from tests.conftest import as_user, assert_cast

pytestmark = pytest.mark.django_db

INBOX = "/hop-thu/"


def note(user, key, *, read=False, url="/phu-huynh/", minutes_ago=0):
    notifications.notify(recipients=[user], kind="scores", title=f"Tin {key}", body="b", url=url, key=key)
    notification = Notification.objects.get(dedupe_key=f"{key}:{user.pk}")
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=created, read_at=created if read else None
    )
    return Notification.objects.get(pk=notification.pk)


def test_the_inbox_is_at_hop_thu():
    assert reverse("contactbook:notification_inbox") == INBOX


def test_everyone_logged_in_has_an_inbox_with_only_their_own_notifications(cast, client):
    for name, user in cast.users.items():
        if user.is_authenticated:
            note(user, f"k-{name}")

    def own_inbox(user):
        as_user(client, user)
        response = client.get(INBOX)
        if response.status_code != 200:
            assert response.status_code == 302  # anonymous: to the login page
            return False
        return {n.recipient_id for n in response.context["notifications"]} == {user.pk}

    assert_cast(cast, own_inbox, set(cast.users) - {"anonymous"})


def test_unread_come_first_then_newest(cast, client):
    old_unread = note(cast.parent_a1, "a", minutes_ago=60)
    new_read = note(cast.parent_a1, "b", read=True, minutes_ago=1)
    new_unread = note(cast.parent_a1, "c", minutes_ago=5)
    client.force_login(cast.parent_a1)
    response = client.get(INBOX)
    assert [n.pk for n in response.context["notifications"]] == [new_unread.pk, old_unread.pk, new_read.pk]
    assert response.context["unread"] == 2


def test_marking_one_and_all_as_read_touches_only_ones_own(cast, client):
    mine = [note(cast.parent_a1, k) for k in ("a", "b", "c")]
    theirs = note(cast.parent_a2, "x")
    client.force_login(cast.parent_a1)
    client.post(reverse("contactbook:notifications_mark_read"), {"id": [mine[0].pk, theirs.pk, "abc"]})
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == {mine[0].pk}
    client.post(reverse("contactbook:notifications_mark_read"), {"all": "1"})
    assert not Notification.objects.filter(recipient=cast.parent_a1, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_ids_that_are_not_plain_numbers_are_ignored_not_an_error(cast, client):
    """str.isdigit() takes "²" and "٣"; int() refuses the first. Neither is an id."""
    mine = note(cast.parent_a1, "a")
    client.force_login(cast.parent_a1)
    response = client.post(
        reverse("contactbook:notifications_mark_read"), {"id": ["²", "٣", "1e3", " 7"]}
    )
    assert response.status_code == 302
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(cast, client):
    mine = note(cast.parent_a1, "a", url="/phu-huynh/hoc-sinh/1/diem/")
    outside = note(cast.parent_a1, "b", url="https://evil.example/")
    theirs = note(cast.parent_a2, "x")
    client.force_login(cast.parent_a1)
    response = client.get(reverse("contactbook:notification_open", args=[mine.pk]))
    assert response["Location"] == "/phu-huynh/hoc-sinh/1/diem/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    response = client.get(reverse("contactbook:notification_open", args=[outside.pk]))
    assert response["Location"] == INBOX
    assert client.get(reverse("contactbook:notification_open", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_a_page_beyond_the_end_or_a_bad_page_number_is_not_an_error(cast, client):
    note(cast.parent_a1, "a")
    client.force_login(cast.parent_a1)
    assert client.get(INBOX + "?trang=abc").status_code == 200
    response = client.get(INBOX + "?trang=999")
    assert response.status_code == 200 and response.context["notifications"] == []


def test_the_inbox_runs_a_fixed_number_of_queries(cast, client):
    note(cast.parent_a1, "first")
    client.force_login(cast.parent_a1)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(INBOX).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(45):
        note(cast.parent_a1, f"k{n}", read=n % 3 == 0)
    assert count() == small
    assert small == 4  # session, user, the page with its unread count, navigation


# --------------------------------------------------------------------------- preferences


SETTINGS = "/hop-thu/cai-dat/"


def test_everyone_logged_in_may_set_their_own_channels(cast, client):
    def saves(user):
        as_user(client, user)
        response = client.post(SETTINGS, {"email": "", "sms": "never"})
        return response.status_code == 302 and ChannelPreference.objects.filter(
            user_id=user.pk, channel="sms", enabled=False
        ).exists()

    assert_cast(cast, saves, set(cast.users) - {"anonymous"})


NOT_AGREED = {"agree_sms": False, "agree_zalo": False, "agree_push": False}


def test_the_channel_settings_show_the_defaults_and_are_kept(cast, client):
    client.force_login(cast.parent_a1)
    assert client.get(SETTINGS).context["form"].initial == {"email": True, "sms": "urgent", **NOT_AGREED}
    client.post(SETTINGS, {"email": "on", "sms": "all"})
    assert client.get(SETTINGS).context["form"].initial == {"email": True, "sms": "all", **NOT_AGREED}
    client.post(SETTINGS, {"sms": "urgent"})  # e-mail unticked; SMS back to the default
    assert client.get(SETTINGS).context["form"].initial == {"email": False, "sms": "urgent", **NOT_AGREED}
    assert not ChannelPreference.objects.filter(user=cast.parent_a1, channel="sms").exists()


def test_a_bad_choice_is_refused_with_a_field_error_and_nothing_saved(cast, client):
    client.force_login(cast.parent_a1)
    response = client.post(SETTINGS, {"email": "on", "sms": "fax"})
    assert response.status_code == 200 and response.context["form"].errors["sms"]
    assert not ChannelPreference.objects.exists()


def test_preferences_decide_the_channels_of_the_next_notification(cast, client, monkeypatch):
    noon = timezone.make_aware(datetime.datetime(2026, 11, 25, 12, 0))
    monkeypatch.setattr(timezone, "now", lambda: noon)
    parent = f.UserFactory(phone="0987111222", email="me@example.com")
    client.force_login(parent)
    client.post(SETTINGS, {"sms": "all", "agree_sms": "on"})  # e-mail off, every kind by SMS
    notifications.notify(recipients=[parent], kind="scores", title="t", body="b", key="k")
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["sms"]

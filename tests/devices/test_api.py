"""The classroom devices' API against the test cast, a device of another school, and the
ways a kiosk on a bad link behaves: repeats, overlaps, late and out-of-order uploads."""

import datetime
import json
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from devices import selectors
from devices.models import CheckInEvent
from school.models import PeriodTime, TimetableSlot
from tests import factories as f
from tests.conftest import who_may

pytestmark = pytest.mark.django_db

API = "/api/devices"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def kiosk(cast):
    """School A's device in P201 (10A1's home room) with a fresh token; pupils have cards."""
    cast.pupil_a1.card_id = "CARD-A1"
    cast.pupil_a1.save()
    cast.sibling_a1.card_id = "CARD-S1"
    cast.sibling_a1.save()
    return cast.device, cast.device.issue_token()


def call(client, method, path, token=None, body=None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if body is not None:
        return getattr(client, method)(
            API + path, data=json.dumps(body), content_type="application/json", **headers
        )
    return getattr(client, method)(API + path, **headers)


def event(card="CARD-A1", minutes_ago=5, **overrides):
    when = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    body = {"event_id": str(uuid.uuid4()), "card_id": card, "occurred_at": when.isoformat(), "direction": "in"}
    body.update(overrides)
    return body


def upload(client, token, events):
    return call(client, "post", "/check-ins", token, {"events": events})


# --- who may -----------------------------------------------------------------------------


def test_people_cannot_use_the_device_api_even_when_logged_in(cast, client):
    def may(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        return call(client, "get", "/me").status_code == 200

    assert who_may(cast, may) == set()


def test_a_device_reads_the_roster_of_its_rooms_class_only(cast, client, kiosk):
    device, token = kiosk
    token_b = cast.device_b.issue_token()
    assert call(client, "get", f"/classes/{cast.class_a1.pk}/roster", token).status_code == 200
    assert call(client, "get", f"/classes/{cast.class_a2.pk}/roster", token).status_code == 404
    assert call(client, "get", f"/classes/{cast.class_b.pk}/roster", token).status_code == 404
    # another school's device: 404, never the data
    response = call(client, "get", f"/classes/{cast.class_a1.pk}/roster", token_b)
    assert response.status_code == 404
    assert "pupils" not in response.json()


def test_a_class_timetabled_in_the_room_is_visible_too(cast, client, kiosk):
    device, token = kiosk
    subject = cast.class_a2.assignments.get().subject
    TimetableSlot.objects.create(class_group=cast.class_a2, weekday=1, session="morning", period=1,
                                 subject=subject, room=device.room)
    assert call(client, "get", f"/classes/{cast.class_a2.pk}/roster", token).status_code == 200


def test_the_roster_is_in_vietnamese_order_and_holds_no_guardian_data(cast, client, kiosk):
    device, token = kiosk
    for given in ["Ư", "Ánh", "Anh"]:
        f.enrol(f.StudentFactory(school=cast.school_a, given_name=given), cast.class_a1)
    body = call(client, "get", f"/classes/{cast.class_a1.pk}/roster", token).json()
    assert [p["given_name"] for p in body["pupils"]] == ["An", "Anh", "Ánh", "Châu", "Ư"]
    text = json.dumps(body)
    assert cast.parent_a1.phone not in text and "guardian" not in text
    assert set(body["pupils"][0]) == {
        "id", "student_code", "family_name", "middle_name", "given_name", "full_name", "card_id",
    }


def test_a_revoked_token_is_refused_at_once(client, kiosk):
    device, token = kiosk
    assert call(client, "get", "/me", token).status_code == 200
    device.revoke()
    response = call(client, "get", "/me", token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_rotated_token_replaces_the_old_one(client, kiosk):
    device, old = kiosk
    new = device.issue_token()
    assert call(client, "get", "/me", old).status_code == 401
    assert call(client, "get", "/me", new).json()["room"] == "P201"


def test_no_or_a_made_up_token_is_401(client, kiosk):
    assert call(client, "get", "/me").status_code == 401
    assert call(client, "get", "/me", "not-a-token").status_code == 401


# --- heartbeat ---------------------------------------------------------------------------


def test_heartbeat_records_firmware_battery_and_clock_skew(client, kiosk):
    device, token = kiosk
    ahead = timezone.now() + datetime.timedelta(seconds=95)
    response = call(client, "post", "/heartbeat", token,
                    {"firmware_version": "2.4.1", "battery_percent": 67, "device_time": ahead.isoformat()})
    assert response.status_code == 200
    assert response.json()["clock_ok"] is False
    device.refresh_from_db()
    assert device.firmware_version == "2.4.1" and device.battery_percent == 67
    assert 90 <= device.clock_skew_seconds <= 100
    assert device.is_online and device.clock_drifts


def test_heartbeat_without_a_utc_offset_names_the_field(client, kiosk):
    device, token = kiosk
    response = call(client, "post", "/heartbeat", token,
                    {"firmware_version": "2.4.1", "device_time": "2026-11-25T07:00:00"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["error"]["fields"]] == ["device_time"]


# --- today -------------------------------------------------------------------------------


def _timetable_today(cast, device):
    weekday = timezone.localdate().isoweekday()
    subject = cast.class_a1.assignments.get().subject
    PeriodTime.objects.create(school=cast.school_a, session="morning", period=1,
                              starts_at=datetime.time(7, 0), ends_at=datetime.time(7, 45))
    PeriodTime.objects.create(school=cast.school_a, session="morning", period=2,
                              starts_at=datetime.time(7, 50), ends_at=datetime.time(8, 35))
    for period in (2, 1):
        TimetableSlot.objects.create(class_group=cast.class_a1, weekday=weekday, session="morning",
                                     period=period, subject=subject, teacher=cast.teacher_a1)
    return weekday


def test_today_lists_the_rooms_periods_in_order(cast, client, kiosk):
    device, token = kiosk
    weekday = _timetable_today(cast, device)
    body = call(client, "get", "/today", token).json()
    assert body["weekday"] == weekday and body["room"]["name"] == "P201"
    assert [(p["period"], p["class_group"]["name"], p["teacher"]) for p in body["periods"]] == [
        (1, "10A1", "Lê Văn Toán"), (2, "10A1", "Lê Văn Toán"),
    ]


def test_now_is_the_period_under_way_or_about_to_start(cast, kiosk):
    device, token = kiosk
    _timetable_today(cast, device)
    today = timezone.localdate()

    def at(hour, minute):
        moment = timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour, minute)))
        now = selectors.today_in_room(device, moment)["now"]
        return now and now["period"]

    assert at(6, 50) is None
    assert at(6, 56) == 1  # five minutes early, the board shows the coming period
    assert at(7, 47) == 2
    assert at(9, 0) is None


# --- check-ins ---------------------------------------------------------------------------


def test_a_batch_is_stored_and_answered_per_event(cast, client, kiosk):
    device, token = kiosk
    events = [event("CARD-A1"), event("CARD-S1"), event(card=None, student_code=cast.pupil_a2.student_code)]
    body = upload(client, token, events).json()
    assert [r["status"] for r in body["results"]] == ["accepted"] * 3
    assert body["accepted"] == 3
    stored = CheckInEvent.objects.filter(device=device)
    assert {e.student for e in stored} == {cast.pupil_a1, cast.sibling_a1, cast.pupil_a2}


def test_sending_the_same_batch_twice_stores_it_once(client, kiosk):
    device, token = kiosk
    events = [event("CARD-A1"), event("CARD-S1")]
    upload(client, token, events)
    again = upload(client, token, events).json()
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert CheckInEvent.objects.count() == 2


def test_overlapping_batches_store_each_event_once(client, kiosk):
    device, token = kiosk
    events = [event("CARD-A1", minutes_ago=m) for m in range(1, 7)]
    upload(client, token, events[:4])
    body = upload(client, token, events[2:]).json()
    assert [r["status"] for r in body["results"]] == ["duplicate", "duplicate", "accepted", "accepted"]
    assert CheckInEvent.objects.count() == 6


def test_late_and_out_of_order_events_are_all_kept_with_their_own_times(client, kiosk):
    device, token = kiosk
    days_late = [event("CARD-A1", minutes_ago=60 * 24 * d) for d in (1, 5, 3, 12)]
    body = upload(client, token, days_late).json()
    assert body["accepted"] == 4
    stored = sorted(CheckInEvent.objects.values_list("occurred_at", flat=True))
    assert len(stored) == 4 and stored[0] < stored[-1] - datetime.timedelta(days=10)


def test_the_same_id_with_other_content_is_a_conflict_and_the_first_is_kept(client, kiosk):
    device, token = kiosk
    first = event("CARD-A1")
    upload(client, token, [first])
    changed = {**first, "card_id": "CARD-S1"}
    body = upload(client, token, [changed]).json()
    assert body["results"][0]["status"] == "conflict" and body["conflicts"] == 1
    assert CheckInEvent.objects.get().card_id == "CARD-A1"


def test_an_id_repeated_inside_one_batch(client, kiosk):
    device, token = kiosk
    one = event("CARD-A1")
    body = upload(client, token, [one, one, {**one, "direction": "out"}]).json()
    assert [r["status"] for r in body["results"]] == ["accepted", "duplicate", "conflict"]
    assert CheckInEvent.objects.count() == 1


def test_an_unknown_card_is_kept_for_the_school_to_resolve(cast, client, kiosk):
    device, token = kiosk
    body = upload(client, token, [event("CARD-NEW")]).json()
    assert body["results"][0] == {**body["results"][0], "status": "accepted", "pupil_known": False}
    kept = CheckInEvent.objects.get()
    assert kept.student is None and kept.card_id == "CARD-NEW" and kept.school == cast.school_a


def test_a_card_of_another_schools_pupil_does_not_match(cast, client, kiosk):
    device, token = kiosk
    cast.sibling_b.card_id = "CARD-B"
    cast.sibling_b.save()
    upload(client, token, [event("CARD-B")])
    assert CheckInEvent.objects.get().student is None


def test_events_from_the_future_or_too_long_ago_are_rejected_with_a_reason(client, kiosk):
    device, token = kiosk
    body = upload(client, token, [event(minutes_ago=-60), event(minutes_ago=60 * 24 * 61), event()]).json()
    assert [r["status"] for r in body["results"]] == ["rejected", "rejected", "accepted"]
    assert all(r["reason"] for r in body["results"][:2])
    assert CheckInEvent.objects.count() == 1


@pytest.mark.parametrize(
    "field, bad",
    [
        ("event_id", "not-a-uuid"),
        ("event_id", None),
        ("occurred_at", "hôm qua"),
        ("occurred_at", "2026-11-25T07:00:00"),  # no UTC offset
        ("direction", "sideways"),
        ("card_id", ""),
        ("card_id", "x" * 41),
    ],
)
def test_a_malformed_field_is_named_and_nothing_is_stored(client, kiosk, field, bad):
    device, token = kiosk
    broken = event()
    broken[field] = bad
    response = upload(client, token, [event(), broken])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert f"events.1.{field}" in [e["field"] for e in error["fields"]]
    assert f"events.1.{field}" in error["message"]
    assert CheckInEvent.objects.count() == 0


def test_an_event_needs_a_card_or_a_code(client, kiosk):
    device, token = kiosk
    response = upload(client, token, [event(card=None)])
    assert response.status_code == 422
    assert CheckInEvent.objects.count() == 0


@pytest.mark.parametrize("body", [{}, {"events": []}, {"events": "all"}, [1, 2]])
def test_a_malformed_batch_is_422(client, kiosk, body):
    device, token = kiosk
    assert call(client, "post", "/check-ins", token, body).status_code == 422


def test_not_json_is_a_4xx_json_answer(client, kiosk):
    device, token = kiosk
    response = client.post(API + "/check-ins", data="{not json", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_too_many_events_in_one_upload(client, kiosk, settings):
    settings.DEVICE_API_MAX_EVENTS = 3
    device, token = kiosk
    response = upload(client, token, [event() for _ in range(4)])
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "events"


def test_an_oversized_body_is_413(client, kiosk, settings):
    settings.DEVICE_API_MAX_BODY_BYTES = 1000
    device, token = kiosk
    response = upload(client, token, [event() for _ in range(20)])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_device_over_its_rate_is_told_when_to_retry(client, kiosk, settings):
    settings.DEVICE_API_RATE_PER_MINUTE = 3
    device, token = kiosk
    statuses = [call(client, "get", "/me", token).status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    response = call(client, "get", "/me", token)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "rate_limited"


def test_errors_speak_vietnamese_by_default_and_english_on_request(client, kiosk):
    device, token = kiosk
    broken = {"events": [event(direction="sideways")]}
    vi = call(client, "post", "/check-ins", token, broken).json()["error"]["message"]
    en = call(client, "post", "/check-ins", token, broken, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert vi != en and "events.0.direction" in vi and "events.0.direction" in en
    assert en.startswith("Invalid data")


def test_an_upload_runs_the_same_queries_for_10_or_100_events(client, kiosk):
    device, token = kiosk

    def queries(n):
        with CaptureQueriesContext(connection) as ctx:
            assert upload(client, token, [event() for _ in range(n)]).json()["accepted"] == n
        return len(ctx.captured_queries)

    queries(1)  # the first request of a minute also writes last_seen_at
    assert queries(10) == queries(100) == 5  # device, pupils, insert in a savepoint


def test_check_ins_prefill_the_class_attendance(cast, client, kiosk):
    device, token = kiosk
    upload(client, token, [event("CARD-A1"), event("CARD-S1", direction="out")])
    assert selectors.checked_in_student_ids(cast.class_a1, timezone.localdate()) == {cast.pupil_a1.pk}

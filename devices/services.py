"""Writes that devices cause: heartbeats and the offline-first attendance upload."""

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass
from functools import cached_property

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import CheckInEvent
from school.models import ClassroomDevice, Student

# Events older than this are refused (a kiosk left in a cupboard for a term); later ones,
# days late and out of order, are welcome.
MAX_EVENT_AGE = datetime.timedelta(days=60)
# A device clock a little ahead of ours is tolerated; further ahead is a broken clock.
MAX_FUTURE = datetime.timedelta(minutes=10)
# The largest clock skew the database column holds (a 32-bit integer).
MAX_SKEW_SECONDS = 2**31 - 1


def record_heartbeat(
    device: ClassroomDevice, *, firmware_version: str, battery_percent: int | None,
    device_time: datetime.datetime,
) -> ClassroomDevice:
    now = timezone.now()
    device.firmware_version = firmware_version
    device.battery_percent = battery_percent
    # A dead clock battery can report any year: keep the skew within the integer column (it
    # still reads as drifting) instead of failing the heartbeat that should reveal it.
    skew = round((device_time - now).total_seconds())
    device.clock_skew_seconds = max(-MAX_SKEW_SECONDS, min(skew, MAX_SKEW_SECONDS))
    device.last_seen_at = now
    device.save(
        update_fields=["firmware_version", "battery_percent", "clock_skew_seconds", "last_seen_at"]
    )
    return device


@dataclass(frozen=True)
class CheckIn:
    """One event as the device sent it (already schema-valid)."""

    event_id: uuid.UUID
    card_id: str | None
    student_code: str | None
    occurred_at: datetime.datetime
    direction: str

    @cached_property
    def fingerprint(self) -> str:
        try:
            occurred_at = self.occurred_at.astimezone(datetime.UTC).isoformat()
        except OverflowError:  # e.g. 0001-01-01T00:00+07:00: rejected as too old, never stored
            occurred_at = self.occurred_at.isoformat()
        canonical = json.dumps(
            [
                str(self.event_id), self.card_id or "", self.student_code or "",
                occurred_at, self.direction,
            ]
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CheckInResult:
    event_id: uuid.UUID
    status: str  # accepted, duplicate, conflict, rejected
    reason: str | None = None
    pupil_known: bool | None = None


def record_check_ins(device: ClassroomDevice, events: list[CheckIn]) -> list[CheckInResult]:
    """Store each event exactly once, whatever the order, lateness or repetition of uploads.

    Returns one result per event sent, in order: accepted (stored now), duplicate (stored
    before, same content), conflict (the id was stored before with other content: the first
    is kept), or rejected (with the reason; nothing stored). A constant number of queries per
    batch: pupils, one INSERT … ON CONFLICT DO NOTHING, and the stored ids it skipped.
    """
    now = timezone.now()
    results: dict[int, CheckInResult] = {}
    first_of: dict[uuid.UUID, int] = {}
    candidates: list[tuple[int, CheckIn]] = []
    for index, event in enumerate(events):
        if event.event_id in first_of:  # repeated inside this very batch
            results[index] = _repeat(event, events[first_of[event.event_id]])
            continue
        first_of[event.event_id] = index
        reason = _rejection(event, now)
        if reason:
            results[index] = CheckInResult(event.event_id, "rejected", reason)
        else:
            candidates.append((index, event))

    # Insert first: a fresh upload (the common case) then needs no lookup of stored ids.
    pupils = _match_pupils(device, [e for _, e in candidates])
    inserted = _insert(device, [(e, pupils.get(_key(e))) for _, e in candidates], now)
    skipped = [e.event_id for _, e in candidates if e.event_id not in inserted]
    stored = (
        dict(
            CheckInEvent.objects.filter(device=device, event_id__in=skipped).values_list(
                "event_id", "payload_hash"
            )
        )
        if skipped
        else {}
    )
    for index, event in candidates:
        if event.event_id in inserted:
            known = pupils.get(_key(event)) is not None
            results[index] = CheckInResult(event.event_id, "accepted", None, known)
        else:  # stored before, by an earlier upload or a concurrent one
            results[index] = _against_stored(event, stored[event.event_id])
    return [results[i] for i in range(len(events))]


def _rejection(event: CheckIn, now: datetime.datetime) -> str | None:
    if event.occurred_at > now + MAX_FUTURE:
        return _("occurred_at is in the future: check the device's clock.")
    if event.occurred_at < now - MAX_EVENT_AGE:
        return _("occurred_at is more than 60 days ago.")
    return None


def _repeat(event: CheckIn, first: CheckIn) -> CheckInResult:
    if event.fingerprint == first.fingerprint:
        return CheckInResult(event.event_id, "duplicate", _("Sent twice in this upload."))
    return CheckInResult(
        event.event_id, "conflict", _("This event_id appears twice in the upload with different content.")
    )


def _against_stored(event: CheckIn, stored_hash: str) -> CheckInResult:
    if stored_hash == event.fingerprint:
        return CheckInResult(event.event_id, "duplicate", _("Already received."))
    return CheckInResult(
        event.event_id, "conflict",
        _("This event_id was received before with different content; the first one is kept."),
    )


def _key(event: CheckIn) -> tuple[str, str]:
    return ("card", event.card_id) if event.card_id else ("code", event.student_code)


def _match_pupils(device: ClassroomDevice, events: list[CheckIn]) -> dict[tuple[str, str], int]:
    """Pupil ids of the device's school by card or student code, in one query."""
    cards = {e.card_id for e in events if e.card_id}
    codes = {e.student_code for e in events if not e.card_id}
    if not (cards or codes):
        return {}
    rows = Student.objects.filter(
        Q(card_id__in=cards) | Q(student_code__in=codes), school_id=device.school_id
    ).values_list("id", "card_id", "student_code")
    found = {}
    for pupil_id, card_id, code in rows:
        if card_id in cards:
            found[("card", card_id)] = pupil_id
        if code in codes:
            found[("code", code)] = pupil_id
    return found


_COLUMNS = [
    "device_id", "school_id", "event_id", "student_id", "card_id", "student_code",
    "occurred_at", "direction", "received_at", "payload_hash",
]


def _insert(device: ClassroomDevice, rows: list[tuple[CheckIn, int | None]], now) -> set[uuid.UUID]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING event_id: the ids this call stored. Two
    kiosks' retries racing each other store each event once, and each learns which it stored.
    (Django's bulk_create cannot say which rows an ignored conflict skipped.)"""
    if not rows:
        return set()
    # Values adapted once per kind rather than per field (this is the hot path of a
    # province's morning): the driver takes them as they are.
    native_uuid = connection.features.has_native_uuid_field
    moment = connection.ops.adapt_datetimefield_value
    received = moment(now)
    params = []
    for event, pupil_id in rows:
        params += [
            device.pk, device.school_id, event.event_id if native_uuid else event.event_id.hex,
            pupil_id, event.card_id or "", event.student_code or "", moment(event.occurred_at),
            event.direction, received, event.fingerprint,
        ]
    table = CheckInEvent._meta.db_table
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"] * len(rows))
    sql = (
        f'INSERT INTO "{table}" ({", ".join(_COLUMNS)}) VALUES {placeholders} '
        f"ON CONFLICT (device_id, event_id) DO NOTHING RETURNING event_id"
    )
    event_field = CheckInEvent._meta.get_field("event_id")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {event_field.to_python(row[0]) for row in cursor.fetchall()}


@transaction.atomic
def resolve_unknown_card(school, card_id: str, student: Student) -> int:
    """Give `card_id` to `student` (of `school`) and attach the school's unresolved check-ins
    with that card to them. Returns how many check-ins were resolved."""
    if student.school_id != school.pk:
        raise ValueError("the pupil belongs to another school")
    if student.card_id != card_id:
        student.card_id = card_id
        student.save(update_fields=["card_id"])
    return CheckInEvent.objects.filter(school=school, card_id=card_id, student__isnull=True).update(
        student=student, resolved_at=timezone.now()
    )

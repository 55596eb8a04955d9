"""The classroom devices' API: boards, attendance kiosks and clicker hubs. Every endpoint
authenticates the device, loads only through devices/access.py, and calls a service or
selector."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from devices import access, selectors, services
from devices.auth import DeviceToken
from devices.schemas import (
    CheckInBatchIn,
    CheckInBatchOut,
    DeviceOut,
    HeartbeatIn,
    HeartbeatOut,
    RosterOut,
    TodayOut,
)
from school.schemas import ErrorOut

router = Router(tags=["devices"], auth=DeviceToken())

ERRORS = {401: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
# Endpoints with a JSON body also answer 400 when the body is not JSON at all.
BODY_ERRORS = {400: ErrorOut, **ERRORS}
HEARTBEAT_SECONDS = 60


@router.get("/me", response={200: DeviceOut, **ERRORS}, summary="Who this device is")
def me(request: HttpRequest):
    device = request.auth
    return {
        "id": device.pk, "name": device.name, "kind": device.kind,
        "school": device.school.name, "room": device.room.name,
    }


@router.post(
    "/heartbeat", response={200: HeartbeatOut, **BODY_ERRORS}, summary="Report health and clock"
)
def heartbeat(request: HttpRequest, payload: HeartbeatIn):
    device = services.record_heartbeat(request.auth, **payload.dict())
    return {
        "server_time": timezone.now(),
        "clock_skew_seconds": device.clock_skew_seconds,
        "clock_ok": not device.clock_drifts,
        "next_heartbeat_seconds": HEARTBEAT_SECONDS,
    }


@router.get("/today", response={200: TodayOut, **ERRORS}, summary="Today's periods in this room")
def today(request: HttpRequest):
    return selectors.today_in_room(request.auth)


@router.get(
    "/classes/{class_id}/roster",
    response={200: RosterOut, **ERRORS},
    summary="Pupils of a class that uses this room, in Vietnamese order",
)
def class_roster(request: HttpRequest, class_id: int):
    class_group = access.get_class_group_for_device(request.auth, class_id)
    return selectors.roster(class_group)


@router.post(
    "/check-ins",
    response={200: CheckInBatchOut, **BODY_ERRORS},
    summary="Upload attendance check-ins (offline-first, idempotent)",
    description=(
        "Send events in batches (at most DEVICE_API_MAX_EVENTS). Each event_id is stored once "
        "per device: resending a batch, overlapping batches and late or out-of-order events "
        "are safe. Each event is answered accepted, duplicate, conflict (same id, other "
        "content: the first is kept) or rejected (with the reason). Cards that match no "
        "pupil are accepted and kept for the school to resolve."
    ),
)
def upload_check_ins(request: HttpRequest, payload: CheckInBatchIn):
    events = [services.CheckIn(**event.dict()) for event in payload.events]
    results = services.record_check_ins(request.auth, events)
    counts = {status: 0 for status in ("accepted", "duplicate", "conflict", "rejected")}
    for result in results:
        counts[result.status] += 1
    return {
        "accepted": counts["accepted"],
        "duplicates": counts["duplicate"],
        "conflicts": counts["conflict"],
        "rejected": counts["rejected"],
        "results": [result.__dict__ for result in results],
    }

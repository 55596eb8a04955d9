"""The classroom devices' API: boards, attendance kiosks and clicker hubs. Every endpoint
authenticates the device, loads only through devices/access.py, and calls a service or
selector."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Router, Status

from devices import access, lessons, quizzes, selectors, services
from devices.auth import DeviceToken
from devices.schemas import (
    CheckInBatchIn,
    CheckInBatchOut,
    DeviceOut,
    HeartbeatIn,
    HeartbeatOut,
    LessonOut,
    QuizAnswersIn,
    QuizAnswersOut,
    QuizOpenIn,
    QuizResultsOut,
    QuizSessionOut,
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
    events = [services.CheckIn(**event.model_dump()) for event in payload.events]
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


# --- lessons -----------------------------------------------------------------------------

IF_NONE_MATCH = Header(
    default=None, alias="If-None-Match",
    description="The ETag of the copy the device already has: unchanged, the answer is a 304.",
)
ETAG_HEADER = {
    "ETag": {"description": "Send it back as If-None-Match.", "schema": {"type": "string"}}
}
CONDITIONAL = {
    "responses": {
        200: {"headers": ETAG_HEADER},
        304: {"description": "Not modified: the copy the device has is current (no body).",
              "headers": ETAG_HEADER},
    }
}


@router.get(
    "/lessons/{lesson_id}",
    response={200: LessonOut, 304: None, **ERRORS},
    url_name="device_lesson",
    summary="A lesson's content, downloaded once",
    description=(
        "A published lesson given to a class that uses this device's room: its blocks in "
        "order (text, headings, images, videos, materials, formulas, quizzes without the "
        "answer key, homework). The answer carries an ETag; send it back as If-None-Match "
        "and an unchanged lesson is answered 304 with no body. Materials are downloaded with "
        "the device's token from each material's `url`."
    ),
    openapi_extra=CONDITIONAL,
)
def lesson(
    request: HttpRequest, lesson_id: int, response: HttpResponse,
    if_none_match: str | None = IF_NONE_MATCH,
):
    found = access.get_lesson_for_device(request.auth, lesson_id)
    etag = lessons.lesson_etag(found)  # before the body is built: a 304 never builds it
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    if lessons.etag_matches(if_none_match, etag):
        del response["Content-Type"]
        return Status(304, None)
    return lessons.lesson_content(found, request.build_absolute_uri)


BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE = {
    "responses": {
        200: {
            "description": "The file, with its media type and a Content-Disposition naming it.",
            # The answer carries the material's own media type (application/pdf, audio/mpeg…),
            # so "*/*" is what it is; application/octet-stream comes first because generators
            # (openapi-python-client) turn only that into a typed binary (File) answer and
            # drop the operation's 200 for "*/*" alone.
            "content": {"application/octet-stream": BINARY, "*/*": BINARY},
            "headers": ETAG_HEADER,
        },
        304: CONDITIONAL["responses"][304],
    }
}


@router.get(
    "/materials/{material_id}",
    response={200: None, 304: None, **ERRORS},
    url_name="device_material",
    summary="Download a material of a lesson",
    description=(
        "A material (PDF, slides, worksheet, audio, video…) used by a lesson this device may "
        "read (GET /lessons/{id}). With an ETag: send it back as If-None-Match and an "
        "unchanged file is answered 304 with no body."
    ),
    openapi_extra=FILE,
)
def material_file(
    request: HttpRequest, material_id: int, if_none_match: str | None = IF_NONE_MATCH
):
    material = access.get_material_for_device(request.auth, material_id)
    etag = lessons.material_etag(material)
    if lessons.etag_matches(if_none_match, etag):
        answer = HttpResponse(status=304)
        del answer["Content-Type"]
    else:
        answer = lessons.material_file_response(material)
    answer["ETag"] = etag
    answer["Cache-Control"] = "private, no-cache"
    return answer


# --- clicker quizzes ---------------------------------------------------------------------


@router.post(
    "/quizzes",
    response={200: QuizSessionOut, 201: QuizSessionOut, **BODY_ERRORS},
    summary="Open a lesson's quiz for a class",
    description=(
        "Opens the quiz block `quiz_id` of a lesson this device may read, for a class that "
        "uses its room, and answers with its questions (never the answer key). Idempotent: "
        "while a session for the same lesson, quiz and class is open on this device, it is "
        "returned (200) instead of a new one (201). A session belongs to the device that "
        "opened it."
    ),
)
def open_quiz(request: HttpRequest, payload: QuizOpenIn):
    device = request.auth
    found = access.get_lesson_for_device(device, payload.lesson_id)
    class_group = access.get_class_group_for_device(device, payload.class_id)
    session, created = quizzes.open_quiz(
        device=device, lesson=found, quiz_id=payload.quiz_id, class_group=class_group
    )
    return Status(201 if created else 200, quizzes.session_with_questions(session))


@router.post(
    "/quizzes/{session_id}/answers",
    response={200: QuizAnswersOut, **BODY_ERRORS},
    summary="Send clicker answers",
    description=(
        "Answers from clickers, through the board or a hub, each naming the pupil by card_id "
        "or student_code. Each is answered accepted, unchanged or rejected (unknown_pupil, "
        "not_in_class, unknown_question, bad_choice, session_closed). A pupil has one answer "
        "per question: sending the same answer again changes nothing (unchanged), so uploads "
        "can be retried safely; a different choice while the session is open replaces the "
        "earlier one (accepted, replaced: true). Answers in one upload are taken in order. "
        "A malformed upload (422) stores nothing."
    ),
)
def quiz_answers(request: HttpRequest, session_id: int, payload: QuizAnswersIn):
    session = access.get_quiz_session_for_device(request.auth, session_id)
    answers = [quizzes.Answer(**answer.model_dump()) for answer in payload.answers]
    results = quizzes.record_answers(session, answers)
    counts = {status: 0 for status in ("accepted", "unchanged", "rejected")}
    for result in results:
        counts[result.status] += 1
    return {**counts, "results": [result.__dict__ for result in results]}


@router.post(
    "/quizzes/{session_id}/close",
    response={200: QuizResultsOut, **ERRORS},
    summary="Close a quiz and get its results with the answer key",
    description="Closing a closed session changes nothing. Answers sent later are rejected.",
)
def close_quiz(request: HttpRequest, session_id: int):
    session = access.get_quiz_session_for_device(request.auth, session_id)
    quizzes.close_quiz(session)
    return quizzes.quiz_results([session])[0]


@router.get(
    "/quizzes/{session_id}/results",
    response={200: QuizResultsOut, **ERRORS},
    summary="A quiz's results per question",
    description=(
        "Per question: how many pupils chose each key and how many answered; the correct key "
        "only once the session is closed (null before), so the board can show the counts "
        "while pupils are still answering."
    ),
)
def quiz_results(request: HttpRequest, session_id: int):
    session = access.get_quiz_session_for_device(request.auth, session_id)
    return quizzes.quiz_results([session])[0]

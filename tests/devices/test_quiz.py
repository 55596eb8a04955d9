"""Clicker quizzes: a board opens a lesson's quiz for its class, clickers answer (idempotent per
pupil and question), the board and the teacher see the results per question — against the
test cast, a device of another school, and another device of the same room."""

# ruff: noqa: F811 (pytest fixtures imported from sibling test modules are parameters here)

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devices import quizzes
from devices.models import QuizAnswer, QuizSession
from tests import factories as f
from tests.conftest import assert_cast, who_may
from tests.devices.test_api import call
from tests.devices.test_lessons_api import (  # noqa: F401 (fixtures)
    EXPLANATION,
    an_image,
    fresh_rate_limits,
    full_body,
    new_lesson,
    token,
    token_b,
    wagtail_root_collection,
)
from tests.devices.test_openapi import CHECKS, in_process, schema  # noqa: F401 (fixtures)
from tests.lms.conftest import library, log_in  # noqa: F401

pytestmark = pytest.mark.django_db

STAFF_A = {"operator", "principal", "teacher_a1", "teacher_a2", "homeroom_a1", "group_head"}
# Whose classes include 10A1: the school's managers, its Toán teacher and its homeroom teacher.
SEES_10A1_RESULTS = {"operator", "principal", "teacher_a1", "homeroom_a1"}


@pytest.fixture
def quiz(library):
    """The lesson's quiz: its block id and its two questions' ids (answers B, then A)."""
    found = quizzes.lesson_quizzes(library.lesson)
    (only,) = found.values()
    return only


@pytest.fixture
def cards(cast):
    cast.pupil_a1.card_id = "CARD-A1"
    cast.pupil_a1.save()
    cast.sibling_a1.card_id = "CARD-S1"
    cast.sibling_a1.save()
    cast.pupil_a2.card_id = "CARD-A2"  # 10A2: not the quiz's class
    cast.pupil_a2.save()


def open_body(library, quiz, cast, **overrides):
    return {
        "lesson_id": library.lesson.pk,
        "quiz_id": quiz.id,
        "class_id": cast.class_a1.pk,
        **overrides,
    }


def open_quiz(client, token, library, quiz, cast, **overrides):
    return call(client, "post", "/quizzes", token, open_body(library, quiz, cast, **overrides))


@pytest.fixture
def session_id(cast, library, quiz, client, token, cards):
    response = open_quiz(client, token, library, quiz, cast)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def answer(question, choice, card="CARD-A1", **pupil):
    body = {"question_id": question.id, "choice": choice, **pupil}
    if not pupil:
        body["card_id"] = card
    return body


def send(client, token, session_id, answers):
    return call(client, "post", f"/quizzes/{session_id}/answers", token, {"answers": answers})


def statuses(response):
    return [(r["status"], r["reason"]) for r in response.json()["results"]]


# --- opening -----------------------------------------------------------------------------


def test_opening_a_quiz_gives_its_questions_without_the_answer_key(
    cast, library, quiz, client, token
):
    response = open_quiz(client, token, library, quiz, cast)
    assert response.status_code == 201
    body = response.json()
    assert body["quiz_id"] == quiz.id and body["title"] == "Kiểm tra nhanh"
    assert body["class_group"] == {"id": cast.class_a1.pk, "name": "10A1"}
    assert body["closed_at"] is None
    assert [q["id"] for q in body["questions"]] == [q.id for q in quiz.questions]
    assert body["questions"][1] == {
        "id": quiz.questions[1].id,
        "prompt": "Hệ số a của y = 2x² − 3x + 1 là?",
        "choices": [{"key": "A", "text": "2"}, {"key": "B", "text": "−3"}],
    }
    assert '"correct"' not in response.content.decode()


def test_the_answer_key_is_not_in_the_open_session_even_with_an_explanation(
    cast, library, client, token
):
    lesson = new_lesson(
        cast,
        library,
        "Bài 18. Ôn tập",
        full_body(library.material, an_image()),
        assign_to=cast.class_a1,
    )
    (quiz,) = quizzes.lesson_quizzes(lesson).values()
    response = call(
        client,
        "post",
        "/quizzes",
        token,
        {"lesson_id": lesson.pk, "quiz_id": quiz.id, "class_id": cast.class_a1.pk},
    )
    text = response.content.decode()
    assert response.status_code == 201
    assert '"correct"' not in text and EXPLANATION not in text and '"answer"' not in text


def test_opening_twice_returns_the_open_session(cast, library, quiz, client, token):
    first = open_quiz(client, token, library, quiz, cast)
    again = open_quiz(client, token, library, quiz, cast)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert QuizSession.objects.count() == 1
    # once it is closed, opening it again starts a new session
    call(client, "post", f"/quizzes/{first.json()['id']}/close", token)
    third = open_quiz(client, token, library, quiz, cast)
    assert third.status_code == 201 and third.json()["id"] != first.json()["id"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"quiz_id": "no-such-quiz"}, "quiz_id"),
        ({"lesson_id": 987654}, "lesson_id"),
        ({"lesson_id": 2**70}, "lesson_id"),  # beyond the database's integers: 404, not 500
        ({"class_id": -(2**70)}, "class_id"),
        ("class_a2", "class_id"),  # no period in this room
        ("class_b", "class_id"),  # another school's
    ],
)
def test_opening_what_the_device_may_not_is_404_naming_the_field(
    cast, library, quiz, client, token, overrides, field
):
    if isinstance(overrides, str):
        overrides = {"class_id": getattr(cast, overrides).pk}
    response = open_quiz(client, token, library, quiz, cast, **overrides)
    assert response.status_code == 404
    assert response.json()["error"]["fields"][0]["field"] == field
    assert not QuizSession.objects.exists()


def test_another_schools_device_cannot_open_the_quiz(cast, library, quiz, client, token_b):
    response = open_quiz(client, token_b, library, quiz, cast)
    assert response.status_code == 404 and "questions" not in response.json()
    assert not QuizSession.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"lesson_id": "bài 16"}, "lesson_id"),
        ({"class_id": None}, "class_id"),
        ({"quiz_id": ""}, "quiz_id"),
        ({"quiz_id": "x" * 65}, "quiz_id"),
        ({"quiz_id": "a\x00b"}, "quiz_id"),
        ("drop class_id", "class_id"),
    ],
)
def test_a_malformed_open_is_422_naming_the_field(
    cast, library, quiz, client, token, change, field
):
    body = open_body(library, quiz, cast)
    if change == "drop class_id":
        del body["class_id"]
    else:
        body.update(change)
    response = call(client, "post", "/quizzes", token, body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["error"]["fields"]] == [field]
    assert not QuizSession.objects.exists()


# --- answers -----------------------------------------------------------------------------


def test_answers_are_idempotent_per_pupil_and_question(cast, quiz, client, token, session_id):
    first, second = quiz.questions
    batch = [answer(first, "B"), answer(second, "A"), answer(first, "C", card="CARD-S1")]
    assert statuses(send(client, token, session_id, batch)) == [("accepted", None)] * 3
    again = send(client, token, session_id, batch).json()
    assert [r["status"] for r in again["results"]] == ["unchanged"] * 3
    assert (again["accepted"], again["unchanged"], again["rejected"]) == (0, 3, 0)
    assert QuizAnswer.objects.count() == 3


def test_a_new_choice_while_open_replaces_the_earlier_one(cast, quiz, client, token, session_id):
    first = quiz.questions[0]
    send(client, token, session_id, [answer(first, "A")])
    stored = QuizAnswer.objects.get()
    result = send(client, token, session_id, [answer(first, "B")]).json()["results"][0]
    assert (result["status"], result["replaced"]) == ("accepted", True)
    changed = QuizAnswer.objects.get()
    assert changed.choice == "B" and changed.answered_at == stored.answered_at
    assert changed.updated_at > stored.updated_at
    # by student code it is the same pupil
    by_code = answer(first, "B", student_code=cast.pupil_a1.student_code)
    assert statuses(send(client, token, session_id, [by_code])) == [("unchanged", None)]


def test_answers_in_one_upload_are_taken_in_order(quiz, client, token, session_id):
    first = quiz.questions[0]
    body = send(
        client, token, session_id, [answer(first, "A"), answer(first, "C"), answer(first, "C")]
    )
    assert [(r["status"], r["replaced"]) for r in body.json()["results"]] == [
        ("accepted", False),
        ("accepted", True),
        ("unchanged", False),
    ]
    assert QuizAnswer.objects.get().choice == "C"


def test_answers_are_rejected_with_the_reason(cast, quiz, client, token, session_id):
    first, second = quiz.questions
    cast.sibling_b.card_id = "CARD-B"  # another school's pupil
    cast.sibling_b.save()
    batch = [
        answer(first, "B", card="CARD-NOBODY"),
        answer(first, "B", card="CARD-B"),
        answer(first, "B", card="CARD-A2"),
        answer(first, "B", student_code=cast.pupil_a2.student_code),
        {**answer(first, "B"), "question_id": "no-such-question"},
        answer(second, "C"),  # two choices only
        answer(first, "B"),
    ]
    response = send(client, token, session_id, batch)
    assert response.status_code == 200
    assert statuses(response) == [
        ("rejected", "unknown_pupil"),
        ("rejected", "unknown_pupil"),
        ("rejected", "not_in_class"),
        ("rejected", "not_in_class"),
        ("rejected", "unknown_question"),
        ("rejected", "bad_choice"),
        ("accepted", None),
    ]
    assert all(r["message"] for r in response.json()["results"][:6])
    assert QuizAnswer.objects.count() == 1


def test_answers_after_closing_are_rejected(quiz, client, token, session_id):
    first = quiz.questions[0]
    send(client, token, session_id, [answer(first, "A")])
    call(client, "post", f"/quizzes/{session_id}/close", token)
    response = send(
        client, token, session_id, [answer(first, "B"), answer(first, "B", card="CARD-S1")]
    )
    assert statuses(response) == [("rejected", "session_closed")] * 2
    assert QuizAnswer.objects.get().choice == "A"


@pytest.mark.parametrize(
    "field, bad",
    [
        ("choice", "G"),
        ("choice", "a"),
        ("choice", None),
        ("question_id", ""),
        ("question_id", "q" * 65),
        ("card_id", ""),
        ("card_id", "x" * 41),
        ("card_id", "A\x00"),
    ],
)
def test_a_malformed_answer_is_named_and_nothing_is_stored(
    quiz, client, token, session_id, field, bad
):
    first = quiz.questions[0]
    broken = answer(first, "A", card="CARD-S1")
    broken[field] = bad
    response = send(client, token, session_id, [answer(first, "B"), broken])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert f"answers.1.{field}" in [e["field"] for e in error["fields"]]
    assert f"answers.1.{field}" in error["message"]
    assert not QuizAnswer.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "answers"),
        ({"answers": []}, "answers"),
        ({"answers": "A"}, "answers"),
        ({"answers": [{"question_id": "x", "choice": "A"}]}, "answers.0"),  # no card nor code
    ],
)
def test_a_malformed_upload_is_422(client, token, session_id, body, field):
    response = call(client, "post", f"/quizzes/{session_id}/answers", token, body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["error"]["fields"]]
    assert not QuizAnswer.objects.exists()


def test_an_upload_runs_the_same_queries_for_1_and_40_answers(
    cast, quiz, client, token, session_id
):
    pupils = [f.StudentFactory(school=cast.school_a, card_id=f"CARD-{i}") for i in range(20)]
    for pupil in pupils:
        f.enrol(pupil, cast.class_a1)
    first, second = quiz.questions
    small = [answer(first, "A", card="CARD-0")]
    large = [answer(q, "B", card=p.card_id) for p in pupils for q in (first, second)]
    counts = []
    for batch in (small, large):
        send(client, token, session_id, [answer(first, "C", card="CARD-19")])  # something to update
        with CaptureQueriesContext(connection) as context:
            response = send(client, token, session_id, batch + [answer(first, "A", card="CARD-19")])
        assert response.json()["rejected"] == 0
        counts.append(len(context.captured_queries))
    # device, session; in its transaction (a savepoint in tests): lock, pupils, their stored
    # answers, one INSERT, one UPDATE
    assert counts[0] == counts[1] == 9
    assert QuizAnswer.objects.count() == 40


# --- results and closing -----------------------------------------------------------------


def test_results_per_question_and_the_key_only_once_closed(cast, quiz, client, token, session_id):
    first, second = quiz.questions
    send(
        client,
        token,
        session_id,
        [
            answer(first, "B"),
            answer(second, "B"),
            answer(first, "A", card="CARD-S1"),
        ],
    )
    results = call(client, "get", f"/quizzes/{session_id}/results", token).json()
    assert results["pupils"] == 2
    one, two = results["questions"]
    assert [(c["key"], c["count"]) for c in one["choices"]] == [("A", 1), ("B", 1), ("C", 0)]
    assert (one["answered"], two["answered"]) == (2, 1)
    assert one["correct"] is None and two["correct"] is None
    assert '"correct": "' not in json.dumps(results)

    closed = call(client, "post", f"/quizzes/{session_id}/close", token)
    assert closed.status_code == 200
    assert [q["correct"] for q in closed.json()["questions"]] == ["B", "A"]
    assert closed.json()["session"]["closed_at"] is not None
    after = call(client, "get", f"/quizzes/{session_id}/results", token).json()
    assert [q["correct"] for q in after["questions"]] == ["B", "A"]


def test_closing_twice_changes_nothing(client, token, session_id):
    first = call(client, "post", f"/quizzes/{session_id}/close", token).json()
    second = call(client, "post", f"/quizzes/{session_id}/close", token).json()
    assert first["session"]["closed_at"] == second["session"]["closed_at"]


def test_a_session_belongs_to_the_device_that_opened_it(
    cast, quiz, client, token, token_b, session_id
):
    neighbour = f.DeviceFactory(room=cast.device.room, kind="clicker_hub").issue_token()
    first = quiz.questions[0]
    for other in (neighbour, token_b):
        for method, path, body in [
            ("post", f"/quizzes/{session_id}/answers", {"answers": [answer(first, "B")]}),
            ("post", f"/quizzes/{session_id}/close", None),
            ("get", f"/quizzes/{session_id}/results", None),
        ]:
            response = call(client, method, path, other, body)
            assert response.status_code == 404, (path, response.content)
            assert response.json()["error"]["fields"][0]["field"] == "session_id"
    assert not QuizAnswer.objects.exists()
    assert QuizSession.objects.get().closed_at is None


def test_people_cannot_use_the_quiz_api(cast, library, quiz, client, session_id):
    first = quiz.questions[0]

    def may(user):
        log_in(client, user)
        return any(
            call(client, method, path, body=body).status_code != 401
            for method, path, body in [
                ("post", "/quizzes", open_body(library, quiz, cast)),
                ("post", f"/quizzes/{session_id}/answers", {"answers": [answer(first, "B")]}),
                ("post", f"/quizzes/{session_id}/close", None),
                ("get", f"/quizzes/{session_id}/results", None),
            ]
        )

    assert who_may(cast, may) == set()
    assert not QuizAnswer.objects.exists()
    assert QuizSession.objects.get().closed_at is None


def test_the_quiz_answers_match_the_openapi_document(
    cast, library, quiz, token, cards, in_process
):
    def conforms(method, path, status, body=None, **path_parameters):
        operation = schema["/api/devices" + path][method]
        kwargs = {"path_parameters": path_parameters} if path_parameters else {}
        if body is not None:
            kwargs.update(body=body, media_type="application/json")
        case = operation.Case(**kwargs)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == status, response.text
        return response.json()

    opened = conforms("POST", "/quizzes", 201, open_body(library, quiz, cast))
    conforms("POST", "/quizzes", 200, open_body(library, quiz, cast))
    first = quiz.questions[0]
    answers = {"answers": [answer(first, "B"), answer(first, "E"), answer(first, "A", card="?")]}
    conforms("POST", "/quizzes/{session_id}/answers", 200, answers, session_id=opened["id"])
    conforms("GET", "/quizzes/{session_id}/results", 200, session_id=opened["id"])
    conforms("POST", "/quizzes/{session_id}/close", 200, session_id=opened["id"])


# --- the teachers' page ------------------------------------------------------------------


def test_who_opens_a_lessons_quiz_results(cast, library, quiz, client, token, session_id):
    send(client, token, session_id, [answer(quiz.questions[0], "B")])
    url = reverse("devices:lesson_quiz_results", args=[library.lesson.pk])

    def opens(user):
        response = log_in(client, user).get(url)
        assert response.status_code in (200, 302, 404), (user, response.status_code)
        return response.status_code == 200

    def sees_10a1(user):
        response = log_in(client, user).get(url)
        return (
            response.status_code == 200
            and f'data-session-id="{session_id}"' in response.content.decode()
        )

    assert_cast(cast, opens, STAFF_A)  # parents, other schools, strangers: 404; anonymous: login
    assert_cast(cast, sees_10a1, SEES_10A1_RESULTS)


def test_the_teacher_sees_counts_and_the_correct_answer_while_open(
    cast, library, quiz, client, token, session_id
):
    first = quiz.questions[0]
    send(client, token, session_id, [answer(first, "B"), answer(first, "A", card="CARD-S1")])
    response = log_in(client, cast.teacher_a1).get(
        reverse("devices:lesson_quiz_results", args=[library.lesson.pk])
    )
    page = response.content.decode()
    assert "Kiểm tra nhanh" in page and "10A1" in page and "P201" in page
    question = page.split(f'data-question-id="{first.id}"')[1].split("</div>")[0]
    assert question.count('class="choice correct"') == 1
    correct = question.split('class="choice correct"')[1].split("</li>")[0]
    assert "Đường parabol" in correct and '<span class="count">1</span>' in correct


def test_the_results_page_runs_the_same_queries_for_1_and_3_sessions(
    cast, library, quiz, client, token, cards
):
    url = reverse("devices:lesson_quiz_results", args=[library.lesson.pk])
    log_in(client, cast.principal)
    counts = []
    for runs in (1, 3):
        QuizSession.objects.all().delete()
        for _ in range(runs):
            opened = open_quiz(client, token, library, quiz, cast).json()
            send(client, token, opened["id"], [answer(quiz.questions[0], "B")])
            call(client, "post", f"/quizzes/{opened['id']}/close", token)
        client.get(url)  # Wagtail caches the site's root paths for the lesson's link
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.content.decode().count("data-session-id") == runs
        counts.append(len(context.captured_queries))
    # session, user, site, the page's menu; lesson, answer key; sessions, answers, class sizes
    assert counts[0] == counts[1] == 9

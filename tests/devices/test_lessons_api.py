"""Lessons for classroom boards: a lesson's content as JSON with an ETag (downloaded once on a
slow link), its materials, and the lesson of each period in `today` — against the test cast
and a device of another school."""

# ruff: noqa: F811 (pytest fixtures imported from sibling test modules are parameters here)

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection

from lms import services as lms_services
from lms.models import LessonAssignment, LessonPage
from school.models import PeriodTime, TimetableSlot
from tests.conftest import who_may
from tests.devices.test_api import call
from tests.devices.test_openapi import CHECKS, in_process, schema  # noqa: F401 (fixtures)
from tests.lms.conftest import LESSON_DAY, PDF, lesson_body, library, pdf, publish  # noqa: F401

pytestmark = pytest.mark.django_db

EXPLANATION = "Vì đồ thị của hàm số bậc hai là một parabol."


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture(autouse=True)
def wagtail_root_collection(db):
    """Wagtail's data migrations make the root collection; a run with --no-migrations has
    none, and lms's services add each school's collection under it."""
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def token(cast):
    return cast.device.issue_token()


@pytest.fixture
def token_b(cast):
    return cast.device_b.issue_token()


def lesson_url(lesson) -> str:
    return f"/lessons/{lesson.pk}"


def material_url(material) -> str:
    return f"/materials/{material.pk}"


def new_lesson(cast, library, title, body, *, assign_to=None, on=LESSON_DAY):
    """A published lesson in the Toán 10 unit, given to `assign_to` (a class) on `on`."""
    lesson = publish(
        lms_services.create_lesson(
            parent=library.unit, title=title, body=body, user=cast.teacher_a1
        )
    )
    if assign_to is not None:
        lms_services.assign_lesson(
            lesson=lesson, class_groups=[assign_to], on=on, user=cast.teacher_a1
        )
    return lesson


def republish(lesson, **changes):
    draft = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(draft, name, value)
    draft.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


def png(width=40, height=30) -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (11, 110, 79)).save(buffer, "PNG")
    return ImageFile(buffer, name="do-thi.png")


def an_image(title="Đồ thị y = x²", **size):
    return get_image_model().objects.create(title=title, file=png(**size))


# --- who may -----------------------------------------------------------------------------


def test_the_rooms_board_reads_a_lesson_given_to_its_class(library, client, token):
    response = call(client, "get", lesson_url(library.lesson), token)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == library.lesson.pk and body["title"] == "Bài 16. Hàm số bậc hai"
    assert body["subject"] == {"code": library.lesson.subject.code, "name": "Toán"}


def test_another_schools_device_gets_404_and_never_the_lesson(library, client, token_b):
    for path in (lesson_url(library.lesson), material_url(library.material)):
        response = call(client, "get", path, token_b)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "Hàm số" not in response.content.decode()


def test_people_cannot_read_lessons_or_today_through_the_device_api(cast, library, client):
    def may(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        return any(
            call(client, "get", path).status_code != 401
            for path in (lesson_url(library.lesson), material_url(library.material), "/today")
        )

    assert who_may(cast, may) == set()


def test_a_lesson_given_to_no_class_of_the_room_is_404(cast, library, client, token):
    not_given = new_lesson(cast, library, "Bài 17. Dấu của tam thức bậc hai", lesson_body())
    assert call(client, "get", lesson_url(not_given), token).status_code == 404
    # given to 10A2, which has no period in P201
    literature = library.literature
    lesson = publish(
        lms_services.create_lesson(parent=literature, title="Bài 1. Văn bản", user=cast.teacher_a2)
    )
    lms_services.assign_lesson(
        lesson=lesson, class_groups=[cast.class_a2], on=LESSON_DAY, user=cast.teacher_a2
    )
    assert call(client, "get", lesson_url(lesson), token).status_code == 404


def test_a_draft_or_unpublished_lesson_is_404_even_when_given(cast, library, client, token):
    draft = lms_services.create_lesson(parent=library.unit, title="Bản nháp", user=cast.teacher_a1)
    LessonAssignment.objects.create(lesson=draft, class_group=cast.class_a1, date=LESSON_DAY)
    assert call(client, "get", lesson_url(draft), token).status_code == 404
    LessonPage.objects.get(pk=library.lesson.pk).unpublish()
    assert call(client, "get", lesson_url(library.lesson), token).status_code == 404
    assert call(client, "get", material_url(library.material), token).status_code == 404


def test_a_made_up_id_is_404_naming_the_field(client, token):
    response = call(client, "get", "/lessons/987654", token)
    assert response.status_code == 404
    assert response.json()["error"]["fields"][0]["field"] == "lesson_id"


# --- the content -------------------------------------------------------------------------


def full_body(material, image):
    """One block of every kind, with a quiz explanation (which gives the answer away)."""
    body = lesson_body(material)
    quiz = next(value for kind, value in body if kind == "quiz")
    quiz["questions"][0]["explanation"] = EXPLANATION
    body += [
        ("image", {"image": image, "caption": "Hình 6.1"}),
        (
            "video",
            {"title": "Vẽ parabol", "file": None, "embed": "https://www.youtube.com/watch?v=abc"},
        ),
        ("video", {"title": "Bài giảng", "file": material, "embed": None}),
    ]
    return body


def test_every_block_kind_as_json(cast, library, client, token):
    lesson = new_lesson(
        cast,
        library,
        "Bài 18. Ôn tập",
        full_body(library.material, an_image()),
        assign_to=cast.class_a1,
    )
    body = call(client, "get", lesson_url(lesson), token).json()
    blocks = {}
    for block in body["blocks"]:
        blocks.setdefault(block["type"], []).append(block["value"])
        assert block["id"]
    assert [b["type"] for b in body["blocks"]] == [
        "heading",
        "paragraph",
        "material",
        "formula",
        "quiz",
        "homework",
        "image",
        "video",
        "video",
    ]
    assert blocks["heading"] == [{"text": "Định nghĩa", "level": "h2"}]
    assert blocks["paragraph"][0]["html"].startswith("<p>Hàm số bậc hai")
    material = blocks["material"][0]
    assert material == {
        "id": library.material.pk,
        "title": "Phiếu học tập bài 16",
        "filename": "phieu-hoc-tap.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "url": f"http://testserver/api/devices/materials/{library.material.pk}",
        "note": "In ra trước giờ học",
    }
    assert "<math" in blocks["formula"][0]["mathml"] and blocks["formula"][0]["display"] is True
    assert blocks["homework"] == [
        {"instructions": "<p>Làm bài 6.7 và 6.8 trang 24.</p>", "due": "2026-09-16"}
    ]
    image = blocks["image"][0]
    assert image["url"].startswith("http://testserver/") and image["caption"] == "Hình 6.1"
    assert (image["width"], image["height"]) == (40, 30)
    assert blocks["video"][0] == {
        "title": "Vẽ parabol",
        "file": None,
        "embed_url": "https://www.youtube.com/watch?v=abc",
    }
    assert blocks["video"][1]["file"]["id"] == library.material.pk
    assert blocks["video"][1]["embed_url"] is None


def test_the_answer_key_is_never_in_the_lessons_json(cast, library, client, token):
    lesson = new_lesson(
        cast,
        library,
        "Bài 18. Ôn tập",
        full_body(library.material, an_image()),
        assign_to=cast.class_a1,
    )
    response = call(client, "get", lesson_url(lesson), token)
    quiz = next(b["value"] for b in response.json()["blocks"] if b["type"] == "quiz")
    assert quiz["questions"][0]["choices"] == [
        {"key": "A", "text": "Đường thẳng"},
        {"key": "B", "text": "Đường parabol"},
        {"key": "C", "text": "Đường tròn"},
    ]
    assert set(quiz["questions"][0]) == {"id", "prompt", "choices"}
    text = response.content.decode()
    assert '"correct"' not in text and '"answer"' not in text and EXPLANATION not in text


def test_links_in_text_lead_to_the_devices_download_or_nowhere(cast, library, client, token):
    html = (
        f'<p>Xem <a linktype="document" id="{library.material.pk}">phiếu</a>, '
        f'<a linktype="page" id="{library.unit.pk}">chương</a> và '
        '<a href="https://vi.wikipedia.org/wiki/Parabol">Parabol</a>.</p>'
    )
    lesson = new_lesson(
        cast, library, "Bài 19. Liên kết", [("paragraph", html)], assign_to=cast.class_a1
    )
    paragraph = call(client, "get", lesson_url(lesson), token).json()["blocks"][0]["value"]["html"]
    download = f"http://testserver/api/devices/materials/{library.material.pk}"
    assert paragraph == (
        f'<p>Xem <a href="{download}">phiếu</a>, '
        '<a>chương</a> và <a href="https://vi.wikipedia.org/wiki/Parabol">Parabol</a>.</p>'
    )
    # and the linked material is one the board may download
    assert call(client, "get", material_url(library.material), token).status_code == 200


def test_the_json_matches_the_openapi_document(cast, library, token, in_process):
    lesson = new_lesson(
        cast,
        library,
        "Bài 18. Ôn tập",
        full_body(library.material, an_image()),
        assign_to=cast.class_a1,
    )
    case = schema["/api/devices/lessons/{lesson_id}"]["GET"].Case(
        path_parameters={"lesson_id": lesson.pk}
    )
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CHECKS)
    assert response.status_code == 200
    again = case.call(
        headers={"Authorization": f"Bearer {token}", "If-None-Match": response.headers["etag"][0]}
    )
    case.validate_response(again, checks=CHECKS)
    assert again.status_code == 304


# --- ETag --------------------------------------------------------------------------------


def test_etag_round_trip(cast, library, client, token):
    path = lesson_url(library.lesson)
    first = call(client, "get", path, token)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and etag.endswith('"')  # strong

    again = call(client, "get", path, token, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    # a weak form of the same tag, or one among several, matches too
    assert call(client, "get", path, token, HTTP_IF_NONE_MATCH=f'"x", W/{etag}').status_code == 304
    assert (
        call(client, "get", path, token, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    )

    republish(library.lesson, title="Bài 16. Hàm số bậc hai (sửa)")
    changed = call(client, "get", path, token, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["title"] == "Bài 16. Hàm số bậc hai (sửa)"
    assert changed["ETag"] != etag
    assert call(client, "get", path, token, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_a_304_is_not_a_way_around_the_access_check(library, client, token, token_b):
    etag = call(client, "get", lesson_url(library.lesson), token)["ETag"]
    response = call(client, "get", lesson_url(library.lesson), token_b, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 404


def test_a_replaced_material_file_changes_the_lessons_etag(cast, library, client, token):
    path = lesson_url(library.lesson)
    etag = call(client, "get", path, token)["ETag"]
    lms_services.replace_material_file(
        material=library.material, file=pdf("phieu-v2.pdf", PDF + b"%v2\n"), user=cast.teacher_a1
    )
    response = call(client, "get", path, token, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    material = next(b["value"] for b in response.json()["blocks"] if b["type"] == "material")
    assert material["filename"] == "phieu-v2.pdf" and material["size"] == len(PDF) + 4


# --- materials ---------------------------------------------------------------------------


def test_the_board_downloads_a_material_of_its_lesson_with_an_etag(library, client, token):
    response = call(client, "get", material_url(library.material), token)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="phieu-hoc-tap.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    etag = response["ETag"]
    again = call(client, "get", material_url(library.material), token, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag


def test_a_material_in_no_lesson_of_the_room_is_404(cast, library, client, token):
    spare = lms_services.add_material(
        school=cast.school_a, title="Đề cương", file=pdf("de-cuong.pdf")
    )
    assert call(client, "get", material_url(spare), token).status_code == 404
    # used only by a lesson given to no class of the room
    new_lesson(cast, library, "Bài 20. Đề cương", [("material", {"document": spare, "note": ""})])
    response = call(client, "get", material_url(spare), token)
    assert response.status_code == 404
    assert response.json()["error"]["fields"][0]["field"] == "material_id"


# --- query counts ------------------------------------------------------------------------


def queries(client, path, token, **headers) -> int:
    with CaptureQueriesContext(connection) as context:
        response = call(client, "get", path, token, **headers)
    assert response.status_code in (200, 304), response.content
    return len(context.captured_queries)


def test_the_lesson_endpoint_runs_the_same_queries_for_1_and_10_blocks_of_each_kind(
    cast, library, client, token
):
    def lesson_of(copies, title):
        images = [an_image(f"Hình {i}") for i in range(copies)]
        body = []
        for image in images:
            body += full_body(library.material, image)
        return new_lesson(cast, library, title, body, assign_to=cast.class_a1)

    small, large = lesson_of(1, "Một lần"), lesson_of(10, "Mười lần")
    for lesson in (small, large):  # the first read makes the image renditions, once ever
        call(client, "get", lesson_url(lesson), token)
    assert len(call(client, "get", lesson_url(large), token).json()["blocks"]) == 90

    counts = [queries(client, lesson_url(lesson), token) for lesson in (small, large)]
    assert counts[0] == counts[1] == 8  # device, lesson, ETag (materials, images), body (4)
    etags = [call(client, "get", lesson_url(lesson), token)["ETag"] for lesson in (small, large)]
    not_modified = [
        queries(client, lesson_url(lesson), token, HTTP_IF_NONE_MATCH=etag)
        for lesson, etag in zip((small, large), etags, strict=True)
    ]
    assert not_modified[0] == not_modified[1] == 4  # the body is never built for a 304


# --- today -------------------------------------------------------------------------------


def timetable_today(cast, periods: int):
    """`periods` periods of 10A1 today (Toán, morning then afternoon), with bell times."""
    weekday = timezone.localdate().isoweekday()
    slots = [("morning", p) for p in range(1, 6)] + [("afternoon", p) for p in range(1, 6)]
    for session, period in slots[:periods]:
        start = datetime.time(7 if session == "morning" else 13, 0)
        PeriodTime.objects.get_or_create(
            school=cast.school_a,
            session=session,
            period=period,
            defaults={"starts_at": start, "ends_at": datetime.time(start.hour, 45)},
        )
        TimetableSlot.objects.create(
            class_group=cast.class_a1,
            weekday=weekday,
            session=session,
            period=period,
            subject=cast.math,
            teacher=cast.teacher_a1,
        )


def test_today_gives_each_period_the_lesson_for_it(cast, library, client, token, token_b):
    timetable_today(cast, 3)
    today = timezone.localdate()
    lms_services.assign_lesson(
        lesson=library.lesson,
        class_groups=[cast.class_a1],
        on=today,
        user=cast.teacher_a1,
        session="morning",
        period=2,
    )
    other = new_lesson(cast, library, "Bài 17. Dấu của tam thức bậc hai", lesson_body())
    # given without a period: the lesson of the day's Toán periods that have none of their own
    LessonAssignment.objects.create(lesson=other, class_group=cast.class_a1, date=today)
    body = call(client, "get", "/today", token).json()
    other_ref = {"id": other.pk, "title": "Bài 17. Dấu của tam thức bậc hai"}
    assert [(p["period"], p["lesson"]) for p in body["periods"]] == [
        (1, other_ref),
        (2, {"id": library.lesson.pk, "title": "Bài 16. Hàm số bậc hai"}),
        (3, other_ref),
    ]
    # another school's device sees its own room only
    assert "Hàm số" not in call(client, "get", "/today", token_b).content.decode()


def test_today_shows_no_lesson_of_another_day_subject_or_a_draft(cast, library, client, token):
    timetable_today(cast, 1)
    today = timezone.localdate()
    LessonAssignment.objects.create(  # another day
        lesson=library.lesson, class_group=cast.class_a1, date=today - datetime.timedelta(days=1)
    )
    draft = lms_services.create_lesson(parent=library.unit, title="Bản nháp", user=cast.teacher_a1)
    LessonAssignment.objects.create(
        lesson=draft, class_group=cast.class_a1, date=today, session="morning", period=1
    )
    literature = publish(
        lms_services.create_lesson(parent=library.literature, title="Văn bản", user=cast.teacher_a2)
    )
    LessonAssignment.objects.create(lesson=literature, class_group=cast.class_a1, date=today)
    body = call(client, "get", "/today", token).json()
    assert [p["lesson"] for p in body["periods"]] == [None]


def test_today_runs_the_same_queries_for_1_and_10_periods(cast, library, client, token):
    # given without a period: it is the lesson of every Toán period of the day
    LessonAssignment.objects.create(
        lesson=library.lesson, class_group=cast.class_a1, date=timezone.localdate()
    )
    call(client, "get", "/me", token)  # the device's last-seen time is written once a minute
    counts = []
    for periods in (1, 10):
        TimetableSlot.objects.all().delete()
        timetable_today(cast, periods)
        with CaptureQueriesContext(connection) as context:
            body = call(client, "get", "/today", token).json()
        assert len(body["periods"]) == periods
        assert sum(1 for p in body["periods"] if p["lesson"]) == periods  # no period, same subject
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1] == 4  # device, slots, bell times, the day's lessons

"""A lesson's content never reaches a page as markup its author typed: every block type,
the formula above all (issue 10, hole 2), on the pages other people open — the published
lesson (parents), the moderator's preview (the subject group's head), the pupil's list of
lessons, Wagtail's documents list, and the board's JSON."""

# ruff: noqa: F811 (pytest fixtures imported from sibling test modules are parameters here)

import io

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model
from wagtail.models import Collection

from lms import services
from tests.devices.test_api import call
from tests.lms.conftest import LESSON_DAY, library, log_in, pdf, publish  # noqa: F401
from tests.security.payloads import PAYLOADS, assert_shown_as_text, live_markup, text_of

pytestmark = pytest.mark.django_db

FORMULA_PAYLOAD = r"\text{<img/src/onerror=alert(document.domain)>}"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()  # the device API's rate limit is kept in the shared cache


@pytest.fixture(autouse=True)
def wagtail_root_collection(db):
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def formula_lesson(cast, library, latex, *, published=True):
    lesson = services.create_lesson(
        parent=library.unit, title="Bài 19. Công thức",
        body=[("formula", {"latex": latex, "display": True})], user=cast.teacher_a1,
    )
    if published:
        lesson = publish(lesson)
        services.assign_lesson(
            lesson=lesson, class_groups=[cast.class_a1], on=LESSON_DAY, user=cast.teacher_a1
        )
    return lesson


def test_a_formulas_text_is_text_on_the_published_lesson(cast, library, client):
    lesson = formula_lesson(cast, library, FORMULA_PAYLOAD)
    page = log_in(client, cast.parent_a1).get(lesson.url).content.decode()
    assert "<math" in page and "<mtext>" in page
    assert live_markup(page) == []
    assert "<img/src/onerror=alert(document.domain)>" in text_of(page)


def test_a_formulas_text_is_text_in_the_moderators_preview(cast, library, client):
    lesson = formula_lesson(cast, library, FORMULA_PAYLOAD, published=False)
    services.submit_lesson(lesson, user=cast.teacher_a1)
    url = reverse("wagtailadmin_pages:revisions_view", args=[lesson.pk, lesson.latest_revision.pk])
    response = log_in(client, cast.group_head).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<mtext>" in page and live_markup(page) == []


def test_a_formulas_text_is_text_in_the_boards_mathml(cast, library, client):
    lesson = formula_lesson(cast, library, FORMULA_PAYLOAD)
    body = call(client, "get", f"/lessons/{lesson.pk}", cast.device.issue_token()).json()
    mathml = body["blocks"][0]["value"]["mathml"]
    assert mathml.startswith("<math") and live_markup(mathml) == []
    assert "&lt;img/src/onerror=alert(document.domain)&gt;" in mathml


@pytest.mark.parametrize("latex", [
    r"\href{javascript:alert('XSS')}{x}",
    r"\text{</math><script>alert('XSS')</script>}",
    r"\text{<math><annotation-xml encoding='text/html'><img src=x onerror=alert('XSS')>}",
    r"\mathrm{<svg onload=alert('XSS')>}",
    r"\text{&lt;img src=x onerror=alert('XSS')&gt;}",
    r"\color{red\" onmouseover=\"alert('XSS')}{x}",
])
def test_no_formula_becomes_live_markup(cast, library, client, latex):
    lesson = formula_lesson(cast, library, latex)
    page = log_in(client, cast.parent_a1).get(lesson.url).content.decode()
    assert live_markup(page) == []
    body = call(client, "get", f"/lessons/{lesson.pk}", cast.device.issue_token()).json()
    assert live_markup(body["blocks"][0]["value"]["mathml"]) == []


# --- every block type, every payload ------------------------------------------------------


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (11, 110, 79)).save(buffer, "PNG")
    return ImageFile(buffer, name="hinh.png")


def payload_body(cast, payload):
    """Blocks of every type holding `payload` where a teacher types; rich text as stored raw
    (as a copy, an import or the revision JSON could bring it), not as the editor saves it."""
    material = services.add_material(school=cast.school_a, title=payload.text, file=pdf())
    image = get_image_model().objects.create(title=payload.text, file=png())
    return [
        ("heading", {"text": payload.text, "level": "h2"}),
        ("paragraph", f"<p>{payload.text}</p>{payload.text}"),
        ("image", {"image": image, "caption": payload.text}),
        ("video", {"title": payload.text, "file": material, "embed": None}),
        ("material", {"document": material, "note": payload.text}),
        ("formula", {"latex": rf"\text{{{payload.text}}}", "display": True}),
        ("quiz", {"title": payload.text, "questions": [{
            "prompt": payload.text, "explanation": payload.text,
            "choices": [{"text": payload.text, "correct": True}, {"text": "b", "correct": False}],
        }]}),
        ("homework", {"instructions": payload.text, "due_date": "2026-09-16"}),
    ]


@pytest.fixture
def payload_lessons(cast, library):
    """One published lesson per payload, given to 10A1, its title and intro the payload."""
    lessons = []
    for number, payload in enumerate(PAYLOADS, 1):
        lesson = publish(services.create_lesson(  # numbered: their slugs must differ
            parent=library.unit, title=f"Bài {number}. {payload.text}", intro=payload.text,
            body=payload_body(cast, payload), user=cast.teacher_a1,
        ))
        services.assign_lesson(
            lesson=lesson, class_groups=[cast.class_a1], on=LESSON_DAY, user=cast.teacher_a1
        )
        lessons.append((payload, lesson))
    return lessons


def test_no_lesson_block_shows_typed_markup(cast, payload_lessons, client):
    for reader in (cast.parent_a1, cast.group_head):  # the group head sees the answer key
        log_in(client, reader)
        for payload, lesson in payload_lessons:
            response = client.get(lesson.url)
            assert response.status_code == 200
            assert_shown_as_text(response.content.decode(), payload)


def test_no_lesson_title_shows_typed_markup_in_a_pupils_list(cast, payload_lessons, client):
    url = reverse("lms:student_lessons", args=[cast.pupil_a1.pk])
    response = log_in(client, cast.parent_a1).get(url, {"tuan": LESSON_DAY.isoformat()})
    page = response.content.decode()
    assert live_markup(page) == []
    for payload, _lesson in payload_lessons:
        assert payload.visible is None or payload.visible in text_of(page), payload.name


def test_no_material_title_shows_typed_markup_in_wagtails_documents_list(
    cast, payload_lessons, client
):
    page = log_in(client, cast.principal).get(reverse("wagtaildocs:index")).content.decode()
    assert live_markup(page) == []


def test_the_boards_markup_fields_hold_no_typed_markup(cast, payload_lessons, client):
    token = cast.device.issue_token()
    for payload, lesson in payload_lessons:
        blocks = call(client, "get", f"/lessons/{lesson.pk}", token).json()["blocks"]
        markup = [
            block["value"].get("mathml") or block["value"].get("html")
            or block["value"].get("instructions") for block in blocks
        ]
        assert all(live_markup(m or "") == [] for m in markup), payload.name

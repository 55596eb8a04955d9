"""A lesson's formula never reaches a page as markup its author typed (issue 10, hole 2),
on the pages other people open: the published lesson (parents), the moderator's preview
(the subject group's head) and the board's JSON."""

# ruff: noqa: F811 (pytest fixtures imported from sibling test modules are parameters here)

import pytest
from django.core.cache import cache
from django.urls import reverse
from wagtail.models import Collection

from lms import services
from tests.devices.test_api import call
from tests.lms.conftest import LESSON_DAY, library, log_in, publish  # noqa: F401
from tests.security.payloads import live_markup, text_of

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


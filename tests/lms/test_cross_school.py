"""A lesson shows only its own school's materials: the admin refuses another school's
material in a block or a text link (a Vietnamese error on the block, nothing saved), the
published lesson never opens it to this school's parents and boards, and neither the page,
its preview nor the device API names it."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from lms import services
from lms.blocks import RICH_TEXT_FEATURES
from lms.models import LessonMaterial, LessonPage
from tests.lms.conftest import log_in, pdf, publish

pytestmark = pytest.mark.django_db

FOREIGN_TITLE = "Đề kiểm tra bí mật trường Hồng Hà"
FOREIGN_FILE = "de-kiem-tra-bi-mat.pdf"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


@pytest.fixture
def foreign(cast):
    """A private material of school B."""
    return services.add_material(school=cast.school_b, title=FOREIGN_TITLE, file=pdf(FOREIGN_FILE))


def edit_form(lesson, body) -> dict:
    return nested_form_data({
        "title": lesson.title,
        "slug": lesson.slug,
        "intro": lesson.intro,
        "body": streamfield(body),
        "comments": inline_formset([]),
    })


def link_to(material_id) -> str:
    return rich_text(
        f'<p>Xem <a linktype="document" id="{material_id}">phiếu</a>.</p>',
        features=RICH_TEXT_FEATURES,
    )


def post_edit(client, user, lesson, body):
    url = reverse("wagtailadmin_pages:edit", args=[lesson.pk])
    with translation.override("vi"):
        return log_in(client, user).post(url, edit_form(lesson, body), HTTP_ACCEPT_LANGUAGE="vi")


def shown(response) -> str:
    """The edit page as a reader sees it: Wagtail puts the blocks, their values and errors
    in JSON attributes, with non-ASCII letters escaped."""
    page = html.unescape(response.content.decode())
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)


def revisions(lesson) -> int:
    return lesson.revisions.count()


def test_the_admin_refuses_another_schools_material_in_a_block(cast, library, foreign, client):
    before = revisions(library.lesson)
    response = post_edit(
        client, cast.teacher_a1, library.lesson,
        [("material", {"document": str(foreign.pk), "note": ""})],
    )
    assert response.status_code == 200  # the form again, with its errors
    page = shown(response)
    assert "không thuộc thư viện của trường" in page
    assert revisions(library.lesson) == before
    assert FOREIGN_TITLE not in page and FOREIGN_FILE not in page


def test_the_admin_refuses_another_schools_video(cast, library, client):
    video = services.add_material(
        school=cast.school_b, title=FOREIGN_TITLE,
        file=pdf("bai-giang.mp4", MP4),
    )
    before = revisions(library.lesson)
    response = post_edit(
        client, cast.teacher_a1, library.lesson,
        [("video", {"title": "", "file": str(video.pk), "embed": ""})],
    )
    assert response.status_code == 200
    assert "không thuộc thư viện của trường" in shown(response)
    assert revisions(library.lesson) == before


@pytest.mark.parametrize("kind", ["paragraph", "homework"])
def test_the_admin_refuses_a_text_link_to_another_schools_material(
    cast, library, foreign, client, kind
):
    text = link_to(foreign.pk)
    value = text if kind == "paragraph" else {"instructions": text, "due_date": ""}
    before = revisions(library.lesson)
    response = post_edit(client, cast.teacher_a1, library.lesson, [(kind, value)])
    assert response.status_code == 200
    page = shown(response)
    assert "liên kết tới một tài liệu không thuộc thư viện của trường" in page
    assert revisions(library.lesson) == before
    assert FOREIGN_FILE not in page


def test_the_admin_still_saves_the_schools_own_materials(cast, library, client):
    before = revisions(library.lesson)
    own = library.material.pk
    response = post_edit(
        client, cast.teacher_a1, library.lesson,
        [("material", {"document": str(own), "note": ""}), ("paragraph", link_to(own))],
    )
    assert response.status_code == 302
    assert revisions(library.lesson) == before + 1


def lesson_using(library, cast, material):
    """A published lesson of school A whose content, written around the admin (as content
    saved before the rule was), uses `material` in every way a lesson can."""
    link = f'<p>Xem <a linktype="document" id="{material.pk}">phiếu</a>.</p>'
    lesson = services.create_lesson(
        parent=library.unit, title="Bài 17. Dấu của tam thức bậc hai", user=cast.teacher_a1,
        body=[
            ("material", {"document": material, "note": ""}),
            ("paragraph", link),
            ("homework", {"instructions": link, "due_date": None}),
        ],
    )
    lesson = publish(lesson)
    services.assign_lesson(
        lesson=lesson, class_groups=[cast.class_a1], on=library.lesson.assignments.get().date,
        user=cast.teacher_a1,
    )
    return lesson


def test_publishing_never_links_another_schools_material(cast, library, foreign):
    lesson = lesson_using(library, cast, foreign)
    assert not LessonMaterial.objects.filter(lesson=lesson, material=foreign).exists()
    # and the sync itself, run again on the stored content, refuses it too
    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson._sync_material_links()
    assert not LessonMaterial.objects.filter(material=foreign).exists()


def test_nobody_of_the_publishing_school_downloads_it(cast, library, foreign, client):
    lesson_using(library, cast, foreign)
    for user in (cast.parent_a1, cast.teacher_a1, cast.principal):
        assert log_in(client, user).get(foreign.url).status_code == 404


def test_the_page_and_its_preview_never_name_it(cast, library, foreign, client):
    lesson = lesson_using(library, cast, foreign)
    for user in (cast.parent_a1, cast.teacher_a1):
        page = log_in(client, user).get(lesson.url).content.decode()
        assert "Dấu của tam thức" in page
        assert FOREIGN_TITLE not in page and FOREIGN_FILE not in page
        assert f"/tai-lieu/{foreign.pk}/" not in page
    preview = reverse("wagtailadmin_pages:preview_on_edit", args=[lesson.pk])
    log_in(client, cast.teacher_a1)
    response = client.get(preview)
    page = response.content.decode()
    assert FOREIGN_TITLE not in page and FOREIGN_FILE not in page


def test_the_page_still_shows_its_own_material(cast, library, client):
    lesson = lesson_using(library, cast, library.material)
    page = log_in(client, cast.parent_a1).get(lesson.url).content.decode()
    assert page.count(library.material.url) == 3


def test_the_device_api_never_names_it(cast, library, foreign, client):
    lesson = lesson_using(library, cast, foreign)
    token = cast.device.issue_token()
    response = client.get(
        reverse("api:device_lesson", kwargs={"lesson_id": lesson.pk}),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert FOREIGN_TITLE not in text and FOREIGN_FILE not in text
    assert f"/materials/{foreign.pk}" not in text
    material_url = reverse("api:device_material", kwargs={"material_id": foreign.pk})
    assert client.get(material_url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404

"""Wagtail's admin around the pages, asked by a teacher and the manager of school B with ids
of school A's pages, files and workflows: its JSON API (/cms/api/main/), the image and
document listings and choosers, the reports and their filters, a page's history and
revisions, the workflows, and the user admin. None of it names school A's lessons,
materials, images, staff or school."""

import html
import io
import re

import pytest
from django.core.files.images import ImageFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model

from lms import services
from school.models import StaffMembership
from tests import factories as f
from tests.lms.conftest import log_in

pytestmark = pytest.mark.django_db

IMAGE_TITLE = "Sơ đồ phòng thi Hạ Long"


def readable(response) -> str:
    """The body as a reader sees it: HTML entities and JSON's \\uXXXX escapes decoded."""
    text = html.unescape(response.content.decode())
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def png() -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (11, 110, 79)).save(buffer, "PNG")
    return ImageFile(buffer, name="so-do-phong-thi.png")


@pytest.fixture
def school_a(cast, library):
    """School A's lesson awaiting review after changes, a locked page, an image."""
    lesson = services.create_lesson(
        parent=library.unit, title="Bài 17. Dấu của tam thức bậc hai", user=cast.teacher_a1
    )
    services.submit_lesson(lesson, user=cast.teacher_a1)
    library.unit.locked, library.unit.locked_by = True, cast.group_head
    library.unit.save(update_fields=["locked", "locked_by"])
    collection = library.course.get_parent().specific.collection
    image = get_image_model().objects.create(title=IMAGE_TITLE, file=png(), collection=collection)
    return {"lesson": lesson, "image": image}


@pytest.fixture
def school_b(cast):
    """School B uses the library too: a teacher (with a course) and its manager."""
    library = services.ensure_school_library(cast.school_b)
    teacher = f.UserFactory(full_name="Mai Thị Giáo Viên B")
    f.StaffMembershipFactory(user=teacher, school=cast.school_b, role=StaffMembership.Role.TEACHER)
    subject = f.SubjectFactory(school=cast.school_b, name="Tiếng Việt")
    f.TeachingAssignmentFactory(teacher=teacher, class_group=cast.class_b, subject=subject)
    services.create_course(school_year=cast.class_b.school_year, subject=subject, grade=3)
    return {"library": library, "teacher": teacher, "manager": cast.other_school_admin}


def school_a_words(cast, library, school_a) -> list[str]:
    return [
        library.lesson.title, school_a["lesson"].title, library.material.title, IMAGE_TITLE,
        "so-do-phong-thi", library.material.filename, "Hạ Long",
        cast.teacher_a1.full_name, cast.group_head.full_name, cast.principal.full_name,
        str(cast.teacher_a1.phone),
    ]


def leaks(client, user, url, words) -> list[str]:
    response = log_in(client, user).get(url)
    body = readable(response)
    return [word for word in words if word and word in body]


def api_urls(library, school_a) -> list[str]:
    api = "/cms/api/main"
    return [
        f"{api}/images/", f"{api}/images/{school_a['image'].pk}/",
        f"{api}/images/?search=Sơ+đồ",
        f"{api}/documents/", f"{api}/documents/{library.material.pk}/",
        f"{api}/pages/", f"{api}/pages/{library.lesson.pk}/",
        f"{api}/pages/?child_of={library.unit.pk}", f"{api}/pages/?descendant_of={library.course.pk}",
        f"{api}/pages/?search=Hàm+số", f"{api}/pages/find/?html_path=/hoc-lieu/",
        f"{api}/pages/find/?id={library.lesson.pk}",
    ]


def test_the_admin_api_shows_school_b_nothing_of_school_a(cast, library, school_a, school_b, client):
    words = school_a_words(cast, library, school_a)
    for who in ("teacher", "manager"):
        for url in api_urls(library, school_a):
            assert leaks(client, school_b[who], url, words) == [], (who, url)


def test_the_admin_api_still_lists_a_schools_own_files(cast, library, school_a, client):
    images = readable(log_in(client, cast.teacher_a1).get("/cms/api/main/images/"))
    assert IMAGE_TITLE in images
    documents = readable(client.get("/cms/api/main/documents/"))
    assert library.material.title in documents
    everything = readable(log_in(client, cast.operator).get("/cms/api/main/images/"))
    assert IMAGE_TITLE in everything


def test_image_and_document_screens_show_school_b_nothing_of_school_a(
    cast, library, school_a, school_b, client
):
    words = school_a_words(cast, library, school_a)
    image, material = school_a["image"], library.material
    urls = [
        reverse("wagtailimages:index"), reverse("wagtailimages:index_results"),
        reverse("wagtailimages_chooser:choose"), reverse("wagtailimages_chooser:choose_results"),
        reverse("wagtailimages_chooser:chosen", args=[image.pk]),
        reverse("wagtailimages:edit", args=[image.pk]),
        reverse("wagtaildocs:index"), reverse("wagtaildocs:index_results"),
        reverse("wagtaildocs_chooser:choose"), reverse("wagtaildocs_chooser:choose_results"),
        reverse("wagtaildocs_chooser:chosen", args=[material.pk]),
        reverse("wagtaildocs:edit", args=[material.pk]),
    ]
    for who in ("teacher", "manager"):
        for url in urls:
            assert leaks(client, school_b[who], url, words) == [], (who, url)


def report_urls(library, school_a) -> list[str]:
    lesson = school_a["lesson"]
    return [
        "/cms/reports/page-types-usage/", "/cms/reports/page-types-usage/results/",
        "/cms/reports/workflow/", "/cms/reports/workflow/results/",
        "/cms/reports/workflow_tasks/", "/cms/reports/workflow_tasks/results/",
        "/cms/reports/locked/", "/cms/reports/locked/results/",
        "/cms/reports/aging-pages/", "/cms/reports/aging-pages/results/",
        "/cms/reports/site-history/", "/cms/reports/site-history/results/",
        "/cms/pages/search/?q=Hàm+số", "/cms/pages/search/results/?q=Hàm+số",
        f"/cms/pages/{library.lesson.pk}/history/", f"/cms/pages/{library.lesson.pk}/history/results/",
        f"/cms/pages/{library.lesson.pk}/revisions/",
        f"/cms/pages/{lesson.pk}/revisions/compare/earliest...latest/",
        f"/cms/pages/{lesson.pk}/workflow_history/",
        f"/cms/pages/{lesson.pk}/preview/",
        f"/cms/pages/{lesson.pk}/edit/preview/",
    ]


def test_reports_and_history_show_school_b_nothing_of_school_a(
    cast, library, school_a, school_b, client
):
    words = school_a_words(cast, library, school_a)
    for who in ("teacher", "manager"):
        for url in report_urls(library, school_a):
            assert leaks(client, school_b[who], url, words) == [], (who, url)


def test_workflows_and_tasks_show_school_b_nothing_of_school_a(
    cast, library, school_a, school_b, client
):
    words = school_a_words(cast, library, school_a)
    state = school_a["lesson"].current_workflow_state
    workflow, task = state.workflow, state.current_task_state.task
    urls = [
        "/cms/workflows/list/", f"/cms/workflows/edit/{workflow.pk}/",
        f"/cms/workflows/usage/{workflow.pk}/", "/cms/workflows/tasks/index/",
        f"/cms/workflows/tasks/edit/{task.pk}/", "/cms/workflows/task_chooser/",
        f"/cms/workflows/task_chooser/{task.pk}/",
    ]
    for who in ("teacher", "manager"):
        for url in urls:
            assert leaks(client, school_b[who], url, words) == [], (who, url)
    assert log_in(client, cast.operator).get("/cms/workflows/task_chooser/").status_code == 200


def test_the_school_a_reports_filters_still_name_school_a_staff(cast, library, school_a, client):
    """The scoping keeps a school's own submitters and lockers in its filters."""
    body = readable(log_in(client, cast.principal).get("/cms/reports/workflow/"))
    assert cast.teacher_a1.full_name in body
    body = readable(client.get("/cms/reports/locked/"))
    assert cast.group_head.full_name in body
    body = readable(client.get("/cms/reports/site-history/"))
    assert cast.teacher_a1.full_name in body


def test_wagtails_user_admin_is_closed_to_schools(cast, library, school_b, client):
    """Accounts are managed by the school administration (and the operator), never through
    Wagtail's user and group admin."""
    urls = [
        "/cms/users/", f"/cms/users/edit/{cast.teacher_a1.pk}/",
        f"/cms/users/edit/{school_b['teacher'].pk}/", "/cms/users/add/",
        f"/cms/users/delete/{school_b['teacher'].pk}/", "/cms/groups/", "/cms/groups/add/",
    ]
    for user in (cast.principal, school_b["manager"], school_b["teacher"], cast.teacher_a1):
        for url in urls:
            response = log_in(client, user).get(url)
            assert response.status_code in (302, 403, 404), (user, url)
            if response.status_code == 302:
                assert not response["Location"].startswith("/cms/users"), (user, url)
    assert log_in(client, cast.operator).get("/cms/users/").status_code == 200

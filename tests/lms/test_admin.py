"""Wagtail's admin (/cms/): a teacher sees and edits only the courses of the subjects they
teach at their school; a school's tree and materials are invisible to other schools' staff,
in the explorer, in search and in the choosers. The rights follow the staff and teaching
assignments at once (lms/permissions.py)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from lms import permissions, services
from lms.models import SchoolGroup
from school.models import StaffMembership, TeachingAssignment
from tests import factories as f
from tests.conftest import assert_cast
from tests.lms.conftest import log_in, pdf

pytestmark = pytest.mark.django_db

MATH_EDITORS = {"operator", "principal", "teacher_a1", "group_head"}


def status(client, user, url):
    return log_in(client, user).get(url).status_code


def text(response) -> str:
    """The page's HTML; Wagtail's choosers answer JSON with the HTML inside."""
    if response["Content-Type"].startswith("application/json"):
        return response.json().get("html", "")
    return response.content.decode()


def test_who_may_edit_a_toan_lesson_in_the_admin(cast, library, client):
    url = reverse("wagtailadmin_pages:edit", args=[library.lesson.pk])
    assert_cast(cast, lambda user: status(client, user, url) == 200, MATH_EDITORS)


def test_who_may_add_a_lesson_to_ngu_van(cast, library, client):
    url = reverse("wagtailadmin_pages:add_subpage", args=[library.literature.pk])
    assert_cast(cast, lambda user: status(client, user, url) == 200, {"operator", "principal", "teacher_a2"})


def test_who_enters_the_admin_at_all(cast, library, client):
    url = reverse("wagtailadmin_home")
    staff_a = {"principal", "teacher_a1", "teacher_a2", "homeroom_a1", "group_head"}
    assert_cast(cast, lambda user: status(client, user, url) == 200, {"operator"} | staff_a)


def test_the_explorer_shows_each_teacher_their_own_courses(cast, library, client):
    school_library = library.course.get_parent()
    url = reverse("wagtailadmin_explore", args=[school_library.pk])

    def lists(user):
        response = log_in(client, user).get(url)
        if response.status_code == 302 and response["Location"].startswith("/cms/pages/"):
            # A teacher of one course is taken straight to it (Wagtail's explorable root).
            response = client.get(response["Location"])
        if response.status_code != 200:
            return set()
        page = text(response)
        return {title for title in ("Toán 10", "Ngữ văn 10") if title in page}

    assert lists(cast.teacher_a1) == {"Toán 10"}
    assert lists(cast.teacher_a2) == {"Ngữ văn 10"}
    assert lists(cast.group_head) == {"Toán 10"}
    assert lists(cast.principal) == {"Toán 10", "Ngữ văn 10"}
    assert lists(cast.other_school_admin) == set()


def test_admin_search_and_page_chooser_keep_to_the_users_tree(cast, library, client):
    services.ensure_school_library(cast.school_b)  # the other school uses the library too
    search = reverse("wagtailadmin_pages:search") + "?q=Hàm+số+bậc+hai"
    chooser = reverse("wagtailadmin_choose_page_search") + "?q=Hàm+số"
    browse = reverse("wagtailadmin_choose_page_child", args=[library.unit.pk])

    def finds(url):
        def check(user):
            response = log_in(client, user).get(url)
            return response.status_code == 200 and "Bài 16. Hàm số bậc hai" in text(response)
        return check

    assert_cast(cast, finds(search), MATH_EDITORS)
    assert_cast(cast, finds(chooser), MATH_EDITORS)
    assert_cast(cast, finds(browse), MATH_EDITORS)


def test_other_schools_do_not_see_the_materials_library(cast, library, client):
    services.ensure_school_library(cast.school_b)
    listing = reverse("wagtaildocs:index")
    chooser = reverse("wagtaildocs_chooser:choose")

    def sees(url):
        def check(user):
            response = log_in(client, user).get(url)
            return response.status_code == 200 and library.material.title in text(response)
        return check

    staff_a = {"operator", "principal", "teacher_a1", "teacher_a2", "homeroom_a1", "group_head"}
    assert_cast(cast, sees(chooser), staff_a)  # every teacher of the school may reuse it
    # The listing shows what one may edit: the managers (and the uploader, here nobody).
    assert_cast(cast, sees(listing), {"operator", "principal", "group_head"})


def test_the_page_types_report_is_the_operators_only(cast, library, client):
    url = reverse("wagtailadmin_reports:page_types_usage")
    assert status(client, cast.principal, url) == 404
    assert status(client, cast.operator, url) == 200


def test_groups_follow_teaching_assignments_at_once(cast, library, client):
    edit = reverse("wagtailadmin_pages:edit", args=[library.lesson.pk])
    assert status(client, cast.teacher_a2, edit) != 200
    assignment = f.TeachingAssignmentFactory(
        teacher=cast.teacher_a2, class_group=cast.class_a2, subject=cast.math
    )
    assert status(client, cast.teacher_a2, edit) == 200
    assignment.delete()
    assert status(client, cast.teacher_a2, edit) != 200


def test_leaving_the_staff_takes_the_admin_away(cast, library, client):
    edit = reverse("wagtailadmin_pages:edit", args=[library.lesson.pk])
    membership = StaffMembership.objects.get(user=cast.teacher_a1)
    membership.is_active = False
    membership.save()
    assert status(client, cast.teacher_a1, edit) == 302  # no admin access: sent to log in
    assert not cast.teacher_a1.groups.exists()


def test_a_new_group_head_can_approve_and_the_old_one_cannot(cast, library):
    lesson = services.create_lesson(parent=library.unit, title="Bài 18", user=cast.teacher_a1)
    services.submit_lesson(lesson, user=cast.teacher_a1)
    old_head = StaffMembership.objects.get(user=cast.group_head)
    old_head.is_group_head = False
    old_head.save()
    StaffMembership.objects.filter(user=cast.teacher_a1).update(subject_group=cast.math_group)
    new_head = StaffMembership.objects.get(user=cast.teacher_a1)
    new_head.is_group_head = True
    new_head.save()
    task = lesson.current_workflow_task.specific
    assert task.get_actions(lesson, cast.group_head) == []
    assert [a[0] for a in task.get_actions(lesson, cast.teacher_a1)] == ["reject", "approve", "approve"]


def test_last_years_teaching_gives_no_rights(cast, library, client):
    year = cast.class_a1.school_year
    year.is_current = False
    year.save()
    assert not cast.teacher_a1.groups.filter(lms_role__kind=SchoolGroup.Kind.SUBJECT).exists()


def test_sync_is_idempotent_and_names_the_groups(cast, library):
    before = sorted(Group.objects.filter(lms_role__school=cast.school_a).values_list("name", "user__id"), key=str)
    permissions.sync_school(cast.school_a)
    permissions.sync_school(cast.school_a)
    after = sorted(Group.objects.filter(lms_role__school=cast.school_a).values_list("name", "user__id"), key=str)
    assert before == after
    names = {name for name, _ in after}
    code = cast.school_a.code
    assert {f"{code} · Ban giám hiệu", f"{code} · Cán bộ, giáo viên", f"{code} · Tổ trưởng Toán – Tin"} <= names
    assert TeachingAssignment.objects.filter(teacher=cast.teacher_a1).exists()


def test_uploads_go_to_the_schools_collection(cast, library):
    material = services.add_material(school=cast.school_a, title="Đề cương", file=pdf("de-cuong.pdf"))
    assert material.school_id == cast.school_a.pk
    assert material.collection_id == library.course.get_parent().specific.collection_id

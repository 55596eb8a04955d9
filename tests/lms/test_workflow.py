"""Moderation: a teacher's lesson goes to the head of the subject group (tổ trưởng), who asks
for changes with a comment or approves it; approving publishes it, now or when scheduled.
The reviewer acts through Wagtail's admin URLs, as in the browser."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision, WorkflowState

from lms import services
from lms.models import LessonPage
from tests.lms.conftest import lesson_body, log_in

pytestmark = pytest.mark.django_db


def workflow_action(client, user, lesson, action, **data):
    lesson.refresh_from_db()
    task_state = lesson.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, action, task_state.pk])
    return log_in(client, user).post(url, data)


@pytest.fixture
def draft(cast, library):
    return services.create_lesson(
        parent=library.unit, title="Bài 17. Dấu của tam thức bậc hai", body=lesson_body(),
        user=cast.teacher_a1,
    )


def test_a_teacher_cannot_publish_only_submit(cast, library, draft):
    perms = draft.permissions_for_user(cast.teacher_a1)
    assert perms.can_edit() and not perms.can_publish() and perms.can_submit_for_moderation()
    assert draft.permissions_for_user(cast.group_head).can_publish()


def test_submit_reject_with_comment_resubmit_approve(cast, library, draft, client):
    state = services.submit_lesson(draft, user=cast.teacher_a1)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    task = state.current_task_state.task.specific
    assert list(task.groups.values_list("name", flat=True)) == [f"{cast.school_a.code} · Tổ trưởng Toán – Tin"]

    # Another teacher, the principal and the other school cannot act on the task.
    for user in (cast.teacher_a1, cast.teacher_a2, cast.other_school_admin):
        with pytest.raises(PermissionDenied):
            services.review_lesson(draft, user=user, approve=True)

    comment = "Bổ sung ví dụ về parabol có bề lõm quay xuống."
    response = workflow_action(client, cast.group_head, draft, "reject", comment=comment)
    assert response.status_code in (200, 302)
    draft.refresh_from_db()
    assert draft.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not draft.live

    # The comment reaches the teacher: on the page's workflow history in the admin.
    history = log_in(client, cast.teacher_a1).get(
        reverse("wagtailadmin_pages:workflow_history_detail", args=[draft.pk, draft.current_workflow_state.pk])
    )
    assert history.status_code == 200 and comment in history.content.decode()

    services.edit_lesson(draft, user=cast.teacher_a1, intro="Có thêm ví dụ a < 0.")
    state = services.submit_lesson(draft, user=cast.teacher_a1)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    response = workflow_action(client, cast.group_head, draft, "approve")
    assert response.status_code in (200, 302)
    lesson = LessonPage.objects.get(pk=draft.pk)
    assert lesson.live and lesson.intro == "Có thêm ví dụ a < 0."
    assert lesson.current_workflow_state is None


def test_approval_of_a_scheduled_lesson_publishes_it_when_due(cast, library, draft, client):
    go_live = timezone.now() + datetime.timedelta(days=2)
    services.edit_lesson(draft, user=cast.teacher_a1, go_live_at=go_live)
    services.submit_lesson(draft, user=cast.teacher_a1)
    workflow_action(client, cast.group_head, draft, "approve")

    draft.refresh_from_db()
    assert not draft.live
    revision = Revision.page_revisions.get(object_id=str(draft.pk), approved_go_live_at__isnull=False)
    assert abs(revision.approved_go_live_at - go_live) < datetime.timedelta(seconds=1)

    call_command("publish_scheduled", verbosity=0)
    draft.refresh_from_db()
    assert not draft.live  # not due yet

    # Two days later (the schedule is moved back instead of the clock moved forward).
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled", verbosity=0)
    draft.refresh_from_db()
    assert draft.live


def test_a_subject_without_a_group_goes_to_the_schools_managers(cast, library, client):
    lesson = services.create_lesson(parent=library.literature, title="Thần trụ trời", user=cast.teacher_a2)
    state = services.submit_lesson(lesson, user=cast.teacher_a2)
    assert state.workflow.name.startswith("Duyệt bài giảng · Ban giám hiệu")
    with pytest.raises(PermissionDenied):
        services.review_lesson(lesson, user=cast.group_head, approve=True)
    workflow_action(client, cast.principal, lesson, "approve")
    lesson.refresh_from_db()
    assert lesson.live


def test_revisions_can_be_compared_and_rolled_back_by_the_subjects_editors(cast, library, draft, client):
    first = draft.latest_revision
    services.edit_lesson(draft, user=cast.teacher_a1, title="Bài 17 (sửa)")
    draft.refresh_from_db()
    second = draft.latest_revision
    compare = reverse("wagtailadmin_pages:revisions_compare", args=[draft.pk, first.pk, second.pk])
    revert = reverse("wagtailadmin_pages:revisions_revert", args=[draft.pk, first.pk])

    def opens(user, url):
        return log_in(client, user).get(url).status_code == 200

    for url in (compare, revert):
        assert opens(cast.teacher_a1, url) and opens(cast.group_head, url)
        assert not opens(cast.teacher_a2, url) and not opens(cast.other_school_admin, url)
    assert "Bài 17 (sửa)" in log_in(client, cast.teacher_a1).get(compare).content.decode()

    # Rolling back = saving the old revision's content as the newest draft.
    first.as_object().save_revision(user=cast.teacher_a1)
    latest = LessonPage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    assert latest.title == "Bài 17. Dấu của tam thức bậc hai"

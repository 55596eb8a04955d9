"""Daily comments: written by a teacher of the pupil's class (assigned or homeroom) about one
or more pupils, all or none; read by the guardians (and staff who may see the pupil), who are
notified in-app and by e-mail, not by SMS."""

import pytest
from django.urls import reverse

from contactbook.models import DailyComment, Delivery, Notification
from tests.conftest import assert_cast
from tests.contactbook.attendance_support import (  # noqa: F401 (the *_fixture names are fixtures)
    fetch,
    now_fixture,
)

pytestmark = pytest.mark.django_db


def class_url(cast) -> str:
    return reverse("contactbook:class_comments", args=[cast.class_a1.pk])


def write(user, cast, pupils, kind="praise", text="Hăng hái phát biểu xây dựng bài"):
    data = {"students": [p.pk for p in pupils], "kind": kind, "text": text}
    return fetch(user, class_url(cast), "post", data, language="en")


def test_the_class_comment_page_is_for_the_classs_teachers(cast, now):
    assert_cast(
        cast, lambda u: fetch(u, class_url(cast)).status_code == 200, {"teacher_a1", "homeroom_a1"}
    )


def test_only_a_teacher_of_the_pupil_may_write(cast, now):
    def writes(user):
        DailyComment.objects.all().delete()
        return (
            write(user, cast, [cast.pupil_a1]).status_code == 302 and DailyComment.objects.exists()
        )

    assert_cast(cast, writes, {"teacher_a1", "homeroom_a1"})


def test_a_teacher_whose_assignment_ends_can_no_longer_write(cast, now):
    cast.teacher_a1.teaching_assignments.all().delete()
    assert write(cast.teacher_a1, cast, [cast.pupil_a1]).status_code == 404


def test_one_comment_per_pupil_and_each_guardian_told_once(cast, now):
    cast.parent_a1.email = "bo@example.com"
    cast.parent_a1.phone = "0987000011"
    cast.parent_a1.save()
    assert (
        write(
            cast.teacher_a1, cast, [cast.pupil_a1, cast.sibling_a1], "concern", "Quên  vở bài tập"
        ).status_code
        == 302
    )
    comments = DailyComment.objects.order_by("student__sort_key")
    assert [(c.student, c.kind, c.text, c.author) for c in comments] == [
        (cast.pupil_a1, "concern", "Quên vở bài tập", cast.teacher_a1),
        (cast.sibling_a1, "concern", "Quên vở bài tập", cast.teacher_a1),
    ]
    notes = Notification.objects.filter(kind="comment")
    assert sorted(n.recipient.full_name for n in notes) == sorted(
        [cast.parent_a1.full_name, cast.parent_of_two.full_name]
    )
    # In-app and e-mail by default; SMS is for absences.
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


@pytest.mark.parametrize(
    "pupils, kind, text, field",
    [
        ([], "praise", "Tốt", "students"),
        (["pupil_a1", "pupil_a2"], "praise", "Tốt", "students"),
        (["pupil_a1"], "scolding", "Tốt", "kind"),
        (["pupil_a1"], "praise", "   ", "text"),
        (["pupil_a1"], "praise", "x" * 501, "text"),
    ],
    ids=["no pupil", "a pupil of another class", "unknown kind", "empty", "too long"],
)
def test_a_bad_comment_writes_nothing(cast, now, pupils, kind, text, field):
    response = write(cast.homeroom_a1, cast, [getattr(cast, p) for p in pupils], kind, text)
    assert response.status_code == 422 and field in response.context["form"].errors
    assert not DailyComment.objects.exists() and not Notification.objects.exists()


def test_the_pupils_comments_page_is_for_those_who_may_see_the_pupil(cast, now):
    write(cast.teacher_a1, cast, [cast.pupil_a1])
    url = reverse("contactbook:pupil_comments", args=[cast.pupil_a1.pk])
    assert_cast(
        cast,
        lambda u: fetch(u, url).status_code == 200,
        {"operator", "principal", "teacher_a1", "homeroom_a1", "parent_a1"},
    )
    page = fetch(cast.parent_a1, url)
    assert [c.text for c in page.context["comments"]] == ["Hăng hái phát biểu xây dựng bài"]
    cast.pupil_a1.guardianships.all().delete()
    assert fetch(cast.parent_a1, url).status_code == 404

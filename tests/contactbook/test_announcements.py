"""Announcements: who may address a class, a grade or the school; who sees each (the
audience's guardians, now, and the school's staff); guardians notified once; opening one is
recorded; the author and the managers see who has read it."""

import pytest
from django.urls import reverse

from contactbook import announcements
from contactbook import access
from contactbook.models import Announcement, AnnouncementRead, Notification
from tests import factories as f
from tests.conftest import assert_cast
from tests.contactbook.attendance_support import (  # noqa: F401 (the *_fixture names are fixtures)
    big_class,
    fetch,
    now_fixture,
)

pytestmark = pytest.mark.django_db

STAFF_A = {"operator", "principal", "teacher_a1", "teacher_a2", "homeroom_a1", "group_head"}


def send(
    author,
    school,
    audience,
    class_group=None,
    grade=None,
    title="Họp phụ huynh",
    body="Thứ Bảy, 8:00",
):
    return announcements.send_announcement(
        author=author,
        school=school,
        audience=audience,
        class_group=class_group,
        grade=grade,
        title=title,
        body=body,
    )


def detail_url(announcement) -> str:
    return reverse("contactbook:announcement", args=[announcement.pk])


def post_new(user, target, title="Họp phụ huynh", body="Thứ Bảy, 8:00"):
    return fetch(
        user,
        reverse("contactbook:new_announcement"),
        "post",
        {"target": target, "title": title, "body": body},
        language="en",
    )


# --- audiences -------------------------------------------------------------------------------


def test_a_class_announcement_reaches_that_classs_guardians_and_the_schools_staff(cast, now):
    item = send(cast.homeroom_a1, cast.school_a, "class", class_group=cast.class_a1)
    assert_cast(
        cast,
        lambda u: fetch(u, detail_url(item)).status_code == 200,
        STAFF_A | {"parent_a1", "parent_of_two"},
    )


def test_a_grade_announcement_reaches_every_class_of_the_grade(cast, now):
    item = send(cast.principal, cast.school_a, "grade", grade=10)
    assert_cast(
        cast,
        lambda u: fetch(u, detail_url(item)).status_code == 200,
        STAFF_A | {"parent_a1", "parent_a2", "parent_of_two"},
    )
    eleven = send(cast.principal, cast.school_a, "grade", grade=11)
    assert_cast(
        cast,
        lambda u: (
            access.announcements_visible_to(u).filter(pk=eleven.pk).exists()
            if u.is_authenticated
            else False
        ),
        STAFF_A,
    )


def test_a_school_announcement_reaches_that_schools_families_only(cast, now):
    item = send(cast.other_school_admin, cast.school_b, "school")
    assert_cast(
        cast,
        lambda u: fetch(u, detail_url(item)).status_code == 200,
        {"operator", "other_school_admin", "parent_of_two"},
    )


def test_guardians_are_notified_once_even_with_two_children_in_the_audience(cast, now):
    second = f.StudentFactory(school=cast.school_a, given_name="Giang")
    f.enrol(second, cast.class_a2)
    f.link_guardian(cast.parent_a1, second)
    item = send(cast.principal, cast.school_a, "school")
    told = Notification.objects.filter(kind="announcement")
    assert sorted(n.recipient.full_name for n in told) == sorted(
        [cast.parent_a1.full_name, cast.parent_a2.full_name, cast.parent_of_two.full_name]
    )
    assert {n.url for n in told} == {f"/phu-huynh/thong-bao/{item.pk}/"}


def test_an_unlinked_guardian_or_a_moved_pupils_guardian_stops_seeing_it(cast, now):
    item = send(cast.homeroom_a1, cast.school_a, "class", class_group=cast.class_a1)
    cast.pupil_a1.guardianships.all().delete()
    assert fetch(cast.parent_a1, detail_url(item)).status_code == 404
    assert not fetch(cast.parent_a1, reverse("contactbook:announcements")).context["announcements"]
    cast.sibling_a1.enrolments.get().end(on=now.date(), status="transferred")
    f.enrol(cast.sibling_a1, cast.class_a2)
    assert fetch(cast.parent_of_two, detail_url(item)).status_code == 404


# --- writing ---------------------------------------------------------------------------------


def test_who_may_address_a_class(cast, now):
    def sends(user):
        Announcement.objects.all().delete()
        response = post_new(user, f"class-{cast.class_a1.pk}")
        return response.status_code == 302 and Announcement.objects.filter(author=user.pk).exists()

    assert_cast(cast, sends, {"operator", "principal", "homeroom_a1"})


def test_who_may_address_a_grade_or_the_school(cast, now):
    for target in (f"grade-{cast.school_a.pk}-10", f"school-{cast.school_a.pk}"):

        def sends(user, target=target):
            Announcement.objects.all().delete()
            return post_new(user, target).status_code == 302 and Announcement.objects.exists()

        assert_cast(cast, sends, {"operator", "principal"})


def test_the_new_announcement_form_is_for_those_who_may_send(cast, now):
    url = reverse("contactbook:new_announcement")
    # other_school_admin manages school B, so may write to school B's families (only).
    assert_cast(
        cast,
        lambda u: fetch(u, url).status_code == 200,
        {"operator", "principal", "homeroom_a1", "other_school_admin"},
    )
    choices = fetch(cast.other_school_admin, url).context["form"].fields["target"].choices
    assert [name for name, _options in choices[1:]] == [cast.school_b.name]


@pytest.mark.parametrize(
    "target, title, body, field",
    [
        ("", "T", "B", "target"),
        ("class-999999", "T", "B", "target"),
        ("class-{a1}", "  ", "B", "title"),
        ("class-{a1}", "T", "", "body"),
        ("class-{a1}", "x" * 201, "B", "title"),
    ],
    ids=["no audience", "someone else's class", "no title", "no text", "title too long"],
)
def test_a_bad_announcement_is_refused_and_nobody_is_told(cast, now, target, title, body, field):
    response = post_new(cast.homeroom_a1, target.format(a1=cast.class_a1.pk), title, body)
    assert response.status_code == 422 and field in response.context["form"].errors
    assert not Announcement.objects.exists() and not Notification.objects.exists()


# --- reading and receipts --------------------------------------------------------------------


def test_opening_it_records_the_first_reading_and_clears_the_notification(cast, now):
    item = send(cast.homeroom_a1, cast.school_a, "class", class_group=cast.class_a1)
    listed = fetch(cast.parent_a1, reverse("contactbook:announcements")).context["announcements"]
    assert [(a.pk, a.is_read) for a in listed] == [(item.pk, False)]
    fetch(cast.parent_a1, detail_url(item))
    first = AnnouncementRead.objects.get(user=cast.parent_a1).read_at
    fetch(cast.parent_a1, detail_url(item))
    assert AnnouncementRead.objects.get(user=cast.parent_a1).read_at == first
    assert Notification.objects.get(recipient=cast.parent_a1).read_at is not None
    listed = fetch(cast.parent_a1, reverse("contactbook:announcements")).context["announcements"]
    assert [(a.pk, a.is_read) for a in listed] == [(item.pk, True)]


def test_the_author_sees_which_guardians_have_read_it(cast, now):
    item = send(cast.homeroom_a1, cast.school_a, "class", class_group=cast.class_a1)
    fetch(cast.parent_a1, detail_url(item))
    page = fetch(cast.homeroom_a1, reverse("contactbook:staff_announcement", args=[item.pk]))
    receipts = page.context["receipts"]
    (group,) = receipts["classes"]
    assert [
        (pupil.given_name, [(g.full_name, bool(at)) for g, at in guardians])
        for pupil, guardians in group.pupils
    ] == [
        ("An", [(cast.parent_a1.full_name, True)]),
        ("Châu", [(cast.parent_of_two.full_name, False)]),
    ]
    assert (receipts["guardians"], receipts["guardians_read"]) == (2, 1)
    content = page.content.decode()
    assert f'data-guardian="{cast.parent_a1.pk}" data-read="yes"' in content
    assert f'data-guardian="{cast.parent_of_two.pk}" data-read="no"' in content


def test_receipts_are_for_the_author_and_the_managers(cast, now):
    item = send(cast.homeroom_a1, cast.school_a, "class", class_group=cast.class_a1)

    def sees(user):
        response = fetch(user, detail_url(item))
        return response.status_code == 200 and response.context["receipts"] is not None

    assert_cast(cast, sees, {"operator", "principal", "homeroom_a1"})


def test_a_school_announcements_receipts_are_counted_class_by_class(cast, now):
    item = send(cast.principal, cast.school_a, "school")
    fetch(cast.parent_of_two, detail_url(item))
    fetch(cast.teacher_a1, detail_url(item))
    receipts = announcements.receipts(item)
    assert [(g.class_group.name, g.read, g.guardians) for g in receipts["classes"]] == [
        ("10A1", 1, 2),
        ("10A2", 0, 1),
    ]
    assert (receipts["staff"], receipts["staff_read"]) == (
        5,
        2,
    )  # the principal wrote it; teacher_a1 read it


def test_receipts_run_the_same_queries_for_3_and_30_pupils(django_assert_num_queries, now):
    for size in (3, 30):
        class_group, teacher, pupils = big_class(size)
        item = send(teacher, class_group.school, "class", class_group=class_group)
        with django_assert_num_queries(4):
            announcements.receipts(item)

"""The class page: who may open it, the Vietnamese order, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from school.models import School
from tests import factories as f
from tests.conftest import assert_cast

pytestmark = pytest.mark.django_db


def class_url(class_group):
    return reverse("school:class_detail", args=[class_group.pk])


def test_who_may_open_the_class_page(cast, client):
    def opens(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        response = client.get(class_url(cast.class_a1))
        assert response.status_code in (200, 302, 404)
        return response.status_code == 200

    assert_cast(cast, opens, {"operator", "principal", "teacher_a1", "homeroom_a1"})


def test_anonymous_visitors_are_sent_to_log_in(cast, client):
    response = client.get(class_url(cast.class_a1))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_roster_is_in_vietnamese_order(cast, client):
    for given in ["Ư", "Đức", "Dũng", "Ánh", "Anh"]:
        f.enrol(f.StudentFactory(school=cast.school_a, given_name=given), cast.class_a1)
    client.force_login(cast.principal)
    roster = [s.given_name for s in client.get(class_url(cast.class_a1)).context["students"]]
    assert roster == ["An", "Anh", "Ánh", "Châu", "Dũng", "Đức", "Ư"]


def test_guardian_contacts_only_for_managers_and_the_homeroom_teacher(cast, client):
    for user, shown in [(cast.principal, True), (cast.homeroom_a1, True), (cast.teacher_a1, False)]:
        client.force_login(user)
        response = client.get(class_url(cast.class_a1))
        assert (cast.parent_a1.phone in response.content.decode()) is shown


def test_changing_the_schools_tie_break_resorts_its_pupils(cast, client):
    class_group = cast.class_a1
    f.enrol(f.StudentFactory(school=cast.school_a, family_name="Bùi", middle_name="Thị", given_name="Hoa"), class_group)
    f.enrol(f.StudentFactory(school=cast.school_a, family_name="Anh", middle_name="Văn", given_name="Hoa"), class_group)
    client.force_login(cast.principal)

    def hoas():
        students = client.get(class_url(class_group)).context["students"]
        return [s.full_name for s in students if s.given_name == "Hoa"]

    assert hoas() == ["Bùi Thị Hoa", "Anh Văn Hoa"]
    cast.school_a.name_order = School.NameOrder.FAMILY_MIDDLE
    cast.school_a.save()
    assert hoas() == ["Anh Văn Hoa", "Bùi Thị Hoa"]


def _queries_for_class_page(client, class_group) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(class_url(class_group)).status_code == 200
    return len(ctx.captured_queries)


def test_class_page_queries_do_not_grow_with_the_class(cast, client):
    client.force_login(cast.principal)
    small = _queries_for_class_page(client, cast.class_a1)
    for n in range(30):
        student = f.StudentFactory(school=cast.school_a)
        f.enrol(student, cast.class_a1)
        f.link_guardian(f.UserFactory(), student, relationship="father")
    room = f.RoomFactory(school=cast.school_a)
    subject = cast.class_a1.assignments.first().subject
    for weekday in range(1, 7):
        cast.class_a1.timetable.create(weekday=weekday, session="morning", period=1, subject=subject, room=room)
    assert _queries_for_class_page(client, cast.class_a1) == small
    # session, user, class (through access), manage check, roster, guardians, teachers,
    # timetable, and the navigation's manage check.
    assert small == 9

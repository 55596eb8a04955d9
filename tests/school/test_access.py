"""The access functions and visible_to querysets against the whole cast."""

import pytest
from django.http import Http404

from school import access
from school.models import ClassGroup, Guardian, School, Student
from tests import factories as f
from tests.conftest import assert_cast

pytestmark = pytest.mark.django_db

STAFF_A = {"operator", "principal"}


def may_get_student(student):
    def check(user):
        try:
            return access.get_student_for_user(user, student.pk) == student
        except Http404:
            return False

    return check


def may_get_class(class_group):
    def check(user):
        try:
            return access.get_class_group_for_user(user, class_group.pk) == class_group
        except Http404:
            return False

    return check


def test_who_may_open_a_pupil_in_10a1(cast):
    assert_cast(
        cast,
        may_get_student(cast.pupil_a1),
        STAFF_A | {"teacher_a1", "homeroom_a1", "parent_a1"},
    )


def test_who_may_open_a_pupil_in_10a2(cast):
    assert_cast(cast, may_get_student(cast.pupil_a2), STAFF_A | {"teacher_a2", "parent_a2"})


def test_who_may_open_a_pupil_of_another_school(cast):
    assert_cast(
        cast, may_get_student(cast.sibling_b), {"operator", "other_school_admin", "parent_of_two"}
    )


def test_who_may_open_a_class_roster(cast):
    assert_cast(cast, may_get_class(cast.class_a1), STAFF_A | {"teacher_a1", "homeroom_a1"})
    assert_cast(cast, may_get_class(cast.class_a2), STAFF_A | {"teacher_a2"})
    assert_cast(cast, may_get_class(cast.class_b), {"operator", "other_school_admin"})


def test_who_may_manage_school_a(cast):
    assert_cast(cast, lambda user: access.can_manage_school(user, cast.school_a), STAFF_A)


def test_a_parent_lists_exactly_their_own_children(cast):
    visible = set(Student.objects.visible_to(cast.parent_of_two))
    assert visible == {cast.sibling_a1, cast.sibling_b}


def test_a_teacher_lists_only_the_pupils_of_their_classes(cast):
    assert set(Student.objects.visible_to(cast.teacher_a1)) == {cast.pupil_a1, cast.sibling_a1}
    assert set(ClassGroup.objects.visible_to(cast.teacher_a1)) == {cast.class_a1}


def test_schools_visible_to_staff_only(cast):
    assert set(School.objects.visible_to(cast.teacher_a1)) == {cast.school_a}
    assert not School.objects.visible_to(cast.parent_of_two).exists()


def test_a_parent_sees_no_other_guardian(cast):
    assert list(Guardian.objects.visible_to(cast.parent_a1)) == [cast.parent_a1.guardian]
    assert cast.parent_a2.guardian in Guardian.objects.visible_to(cast.teacher_a2)
    assert cast.parent_a2.guardian not in Guardian.objects.visible_to(cast.teacher_a1)


def test_a_bad_id_is_a_404_not_an_error(cast):
    for bad in ("abc", None, 10**12):
        with pytest.raises(Http404):
            access.get_student_for_user(cast.principal, bad)


# Revocation is immediate: the next request sees the change, nothing is cached.


def test_unlinking_a_guardian_revokes_access_at_once(cast):
    cast.parent_a1.guardian.guardianships.filter(student=cast.pupil_a1).delete()
    assert not may_get_student(cast.pupil_a1)(cast.parent_a1)


def test_moving_a_pupil_moves_who_sees_them(cast):
    enrolment = cast.pupil_a1.enrolments.get(status="active")
    enrolment.end(on=enrolment.start_date, status="transferred")
    f.enrol(cast.pupil_a1, cast.class_a2)
    assert_cast(
        cast, may_get_student(cast.pupil_a1), STAFF_A | {"teacher_a2", "parent_a1"}
    )


def test_a_teacher_who_leaves_the_staff_loses_their_classes(cast):
    cast.teacher_a1.memberships.update(is_active=False)
    assert not may_get_class(cast.class_a1)(cast.teacher_a1)
    assert not may_get_student(cast.pupil_a1)(cast.teacher_a1)


def test_last_years_classes_are_not_a_teachers_any_more(cast):
    cast.class_a1.school_year.is_current = False
    cast.class_a1.school_year.save()
    assert not may_get_class(cast.class_a1)(cast.teacher_a1)
    assert may_get_class(cast.class_a1)(cast.principal)

"""An account is not a school's to change: who may edit, lock or delete which account
(school.access.can_manage_account), against the whole cast."""

import pytest

from school import access
from school.models import StaffMembership
from tests import factories as f
from tests.conftest import assert_cast

pytestmark = pytest.mark.django_db

# Accounts of school A alone: its teachers and the parents of its pupils only.
SCHOOL_A_ALONE = {"teacher_a1", "teacher_a2", "homeroom_a1", "group_head", "parent_a1", "parent_a2"}


def test_school_a_principal_may_change_only_school_a_accounts_alone(cast):
    def changeable(account):
        return account.is_authenticated and access.can_manage_account(cast.principal, account)

    assert_cast(cast, changeable, SCHOOL_A_ALONE)


def test_school_b_admin_may_change_no_school_a_account_nor_the_shared_parent(cast):
    def changeable(account):
        return account.is_authenticated and access.can_manage_account(cast.other_school_admin, account)

    assert_cast(cast, changeable, set())


def test_the_operator_may_change_every_account(cast):
    def changeable(account):
        return account.is_authenticated and access.can_manage_account(cast.operator, account)

    assert_cast(cast, changeable, set(cast.users) - {"anonymous"})


def test_people_who_manage_no_school_may_change_no_account(cast):
    for name in ["teacher_a1", "parent_a1", "stranger"]:
        assert not access.can_manage_account(cast.users[name], cast.parent_a1), name


def test_a_former_teacher_of_another_school_is_not_the_schools_alone(cast):
    f.StaffMembershipFactory(user=cast.teacher_a1, school=cast.school_b, is_active=False)
    assert not access.can_manage_account(cast.principal, cast.teacher_a1)


def test_a_manager_account_is_never_a_schools_to_change(cast):
    vice = f.UserFactory()
    f.StaffMembershipFactory(user=vice, school=cast.school_a, role=StaffMembership.Role.VICE_PRINCIPAL)
    assert not access.can_manage_account(cast.principal, vice)


def test_account_links_tell_direct_pending_and_refused_apart(cast):
    phones = [cast.parent_a1.phone, cast.parent_of_two.phone, cast.operator.phone,
              cast.other_school_admin.phone, cast.stranger.phone, "0999999999"]
    assert access.account_links([cast.school_a.pk], phones) == {
        cast.parent_a1.phone: access.LINK_DIRECTLY,
        cast.parent_of_two.phone: access.LINK_PENDING,
        cast.stranger.phone: access.LINK_PENDING,
        cast.operator.phone: access.LINK_REFUSED,
        cast.other_school_admin.phone: access.LINK_REFUSED,
    }

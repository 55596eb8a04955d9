"""The one door: every object loaded from an id that a person sent comes through here.

Each function answers Http404 both for "does not exist" and "not yours", so an id reveals
nothing. Lists use the `visible_to(user)` querysets in school/managers.py.
"""

from django.db.models import Q
from django.http import Http404

from accounts.models import User
from school.managers import accounts_of_schools_alone, manageable_accounts
from school.models import (
    ClassGroup,
    Department,
    GuardianLinkRequest,
    School,
    StaffMembership,
    Student,
)


def get_or_404(queryset, object_id):
    """`queryset`'s row with this id, or Http404 (missing and not-yours alike; a malformed id
    is missing too). Each app's access functions pass their `visible_to` queryset."""
    try:
        return queryset.get(pk=int(object_id))
    except (queryset.model.DoesNotExist, TypeError, ValueError):
        raise Http404(f"No {queryset.model._meta.verbose_name} {object_id!r} for this user")


def get_student_for_user(user, student_id) -> Student:
    return get_or_404(Student.objects.visible_to(user).select_related("school"), student_id)


def get_class_group_for_user(user, class_group_id) -> ClassGroup:
    queryset = ClassGroup.objects.visible_to(user).select_related(
        "school", "school_year", "homeroom_teacher", "room"
    )
    return get_or_404(queryset, class_group_id)


def get_school_for_manager(user, school_id) -> School:
    return get_or_404(School.objects.managed_by(user), school_id)


def can_manage_school(user, school: School | int) -> bool:
    """Whether `user` manages the school (a School or its id; the operator manages all)."""
    school_id = school.pk if isinstance(school, School) else school
    return School.objects.managed_by(user).filter(pk=school_id).exists()


def is_principal(user, school_id: int) -> bool:
    """The school's principal (an active membership) or the operator; not a vice-principal.
    The decisions the circulars give the principal alone ask this: a disabled pupil's
    promotion, a Học sinh Tiêu biểu title."""
    if not user.is_active:
        return False
    return user.is_superuser or StaffMembership.objects.filter(
        user=user, school_id=school_id, role=StaffMembership.Role.PRINCIPAL, is_active=True
    ).exists()


def manages_any_school(user) -> bool:
    return School.objects.managed_by(user).exists()


def get_department_for_officer(user, code: str) -> Department:
    """The department by its code, for its officers and the operator; Http404 for anyone
    else and for a code that does not exist alike."""
    department = Department.objects.visible_to(user).filter(code=code).first()
    if department is None:
        raise Http404("No such department for this user")
    return department


def can_manage_account(user, account: User) -> bool:
    """May `user` change `account`'s contact details, lock it or delete it? The operator
    may; a school's manager only for an account of their managed schools alone (see
    school.managers.accounts_of_schools_alone); nobody else."""
    return manageable_accounts(user).filter(pk=account.pk).exists()


# How a school may attach an existing account that it found by its phone number.
LINK_DIRECTLY = "direct"  # the account is this school's alone: link it as before
LINK_PENDING = "pending"  # a guardian of elsewhere: ask the holder (GuardianLinkRequest)
LINK_REFUSED = "refused"  # an operator's or staff account: never, ask the operator


def account_links(school_ids, phones) -> dict[str, str]:
    """{phone: LINK_*} for the phones in `phones` that an account holds, as seen by the
    schools `school_ids` (ids or a subquery), in three queries; phones nobody holds are
    absent (a new account is made for them)."""
    phones = set(phones) - {None, ""}
    held = User.objects.filter(phone__in=phones)
    alone = accounts_of_schools_alone(school_ids).filter(phone__in=phones)
    staff = held.filter(Q(is_superuser=True) | Q(is_staff=True) | Q(memberships__isnull=False))
    direct = set(alone.values_list("phone", flat=True))
    refused = set(staff.values_list("phone", flat=True))
    return {
        phone: LINK_DIRECTLY if phone in direct else LINK_REFUSED if phone in refused else LINK_PENDING
        for phone in held.values_list("phone", flat=True)
    }


def get_link_request_for_holder(user, request_id, *, for_update: bool = False):
    """A guardian link request waiting for `user`'s answer (made to their phone number)."""
    requests = GuardianLinkRequest.objects.pending_for(user).select_related("student", "school")
    if for_update:
        requests = requests.select_for_update(of=("self",))
    return get_or_404(requests, request_id)

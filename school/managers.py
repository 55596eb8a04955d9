"""`visible_to(user)` querysets: the one place that says which rows a person may list.
school/access.py builds the single-object access functions on top of these. Beside them, the
two audiences every app reads: a pupil's class now (`Enrolment.objects.current()`) and the
guardians a school's news reaches (`Guardianship.objects.reachable()`)."""

from django.db import models
from django.db.models import Q


# Enrolment.Status.ACTIVE (this module sits below school/models.py, which imports it).
_ACTIVE = "active"


class EnrolmentQuerySet(models.QuerySet):
    def current(self) -> "EnrolmentQuerySet":
        """The pupils' enrolments NOW: still in the class (status active) in a class of its
        school's current year. This is "the pupil's class now" everywhere.

        Status alone does not say it: nothing ends an enrolment when a year is over. Setting up
        the next year creates a new SchoolYear, makes it the current one and imports the new
        classes; last year's enrolments stay active, since "one active enrolment per pupil and
        year" (enrolment_one_active_per_year) allows one in every year. So a promoted pupil
        has two active enrolments, and only the current year's is their class now."""
        return self.filter(status=_ACTIVE, class_group__school_year__is_current=True)

    def active(self) -> "EnrolmentQuerySet":
        """Enrolments whose pupil is still in the class (not moved or left), in ANY year. Only
        where the class or the year is already chosen (a class's roster, a year's import, the
        cards of each year); for the pupil's class now use current()."""
        return self.filter(status=_ACTIVE)


def enrolled(prefix: str = "enrolments__", *, current: bool = True) -> Q:
    """The related-lookup form of Enrolment.objects.current() (or of .active() with
    `current=False`) for a query over pupils or rows that reach them; `prefix` is the path to
    the enrolments ("enrolments__", "student__enrolments__"). Give it in the same filter() call
    as any other condition on the enrolment, so that all of them hold for one row."""
    if current:
        return Q(**{f"{prefix}status": _ACTIVE, f"{prefix}class_group__school_year__is_current": True})
    return Q(**{f"{prefix}status": _ACTIVE})


def managed_school_ids(user) -> models.QuerySet:
    """Ids of the schools whose structure `user` manages (principal, vice-principal, admin)."""
    from school.models import StaffMembership

    return StaffMembership.objects.filter(
        user=user, is_active=True, role__in=StaffMembership.MANAGING_ROLES
    ).values("school_id")


def taught_class_ids(user) -> models.QuerySet:
    """Ids of this year's classes `user` teaches or is homeroom teacher of, at schools where
    they are still on the staff."""
    from school.models import ClassGroup, StaffMembership, TeachingAssignment

    staff_schools = StaffMembership.objects.filter(user=user, is_active=True).values("school_id")
    taught = TeachingAssignment.objects.filter(teacher=user).values("class_group_id")
    return ClassGroup.objects.filter(
        Q(id__in=taught) | Q(homeroom_teacher=user),
        school_id__in=staff_schools,
        school_year__is_current=True,
    ).values("id")


def signed_in(user) -> bool:
    """An active, logged-in person (not anonymous, not a locked account)."""
    return bool(user and user.is_authenticated and user.is_active)


def _nobody(user) -> bool:
    return not signed_in(user)


def staff_school_ids(user) -> models.QuerySet:
    """Ids of the schools where `user` is on the staff now (any role)."""
    from school.models import StaffMembership

    return StaffMembership.objects.filter(user=user, is_active=True).values("school_id")


def children_class_ids(user) -> models.QuerySet:
    """Ids of the classes `user`'s children are in now."""
    from school.models import Enrolment

    return Enrolment.objects.current().filter(
        student__guardianships__guardian__user=user
    ).values("class_group_id")


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DepartmentQuerySet":
        """Departments whose aggregates `user` may view: an active officer's own (an active
        DepartmentMembership), every one for the operator."""
        if _nobody(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(memberships__user=user, memberships__is_active=True)


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SchoolQuerySet":
        """Schools where `user` is on the staff."""
        if _nobody(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(memberships__user=user, memberships__is_active=True)

    def managed_by(self, user) -> "SchoolQuerySet":
        if _nobody(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(id__in=managed_school_ids(user))


class ClassGroupQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """bulk_create skips save(): the sort key is filled here too (the demo writes its
        classes this way)."""
        objs = list(objs)
        for obj in objs:
            obj.sort_key = obj.compute_sort_key()
        return super().bulk_create(objs, *args, **kwargs)

    def visible_to(self, user) -> "ClassGroupQuerySet":
        """Classes whose roster `user` may open: all of a managed school's, and this year's
        classes a teacher teaches or is homeroom teacher of. Parents see their children, not
        class rosters."""
        if _nobody(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(school_id__in=managed_school_ids(user)) | Q(id__in=taught_class_ids(user))
        )


class StudentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StudentQuerySet":
        """Pupils `user` may see: a managed school's, those now in a class the user teaches,
        and the user's own children."""
        from school.models import Enrolment, Guardianship

        if _nobody(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        taught = Enrolment.objects.active().filter(
            class_group_id__in=taught_class_ids(user)  # this year's classes
        ).values("student_id")
        children = Guardianship.objects.filter(guardian__user=user).values("student_id")
        return self.filter(
            Q(school_id__in=managed_school_ids(user)) | Q(id__in=taught) | Q(id__in=children)
        )

    def children_of(self, user) -> "StudentQuerySet":
        """The pupils `user` is a guardian of now; no staff or operator shortcut (a parent's
        pages are a guardian's own)."""
        if _nobody(user):
            return self.none()
        return self.filter(guardianships__guardian__user=user)

    def in_class(self, class_group) -> "StudentQuerySet":
        """Pupils now in `class_group`, in class-list order."""
        return self.filter(
            enrolled(current=False), enrolments__class_group=class_group
        ).order_by("sort_key", "id")


class GuardianQuerySet(models.QuerySet):
    def visible_to(self, user) -> "GuardianQuerySet":
        """Guardians of the pupils `user` may see; a parent sees only themselves."""
        from school.models import Guardianship, StaffMembership, Student

        if _nobody(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        if not StaffMembership.objects.filter(user=user, is_active=True).exists():
            return self.filter(user=user)
        students = Student.objects.visible_to(user).values("id")
        return self.filter(
            Q(id__in=Guardianship.objects.filter(student_id__in=students).values("guardian_id"))
            | Q(user=user)
        )


class GuardianshipQuerySet(models.QuerySet):
    def reachable(self, student_ids) -> "GuardianshipQuerySet":
        """The links to the guardians of the pupils `student_ids` who can be told something
        now: every guardian whose account is active, each with `guardian__user` loaded.

        This is the one audience of everything the school tells a family: a published score,
        an absence, a daily note, a leave decision, an announcement, a message, a weekly
        summary. A deactivated account is NOT told, on purpose: it cannot sign in to read
        what it is told, and deactivation is how a school stops a guardian (after a custody
        change, say), so an SMS or e-mail to that account's number would leak the pupil's
        data to someone the school has cut off. The link itself stays (history, a later
        reactivation); it just reaches nobody while the account is off."""
        if not isinstance(student_ids, models.QuerySet):
            student_ids = list(student_ids)
        return self.filter(
            student_id__in=student_ids, guardian__user__is_active=True
        ).select_related("guardian__user")


def accounts_of_schools_alone(school_ids) -> models.QuerySet:
    """Accounts that belong to the schools `school_ids` (a staff place or a child there) and
    to nothing else: never an operator (is_staff or superuser), never a manager
    (principal, vice-principal, administrator) of any school, never someone with a staff
    place, active or not, at another school, never a guardian with a child at another school.
    These alone may a manager of those schools edit, lock, delete or link directly; every
    other account is someone else's to change (school/access.py can_manage_account)."""
    from accounts.models import User
    from school.models import Guardianship, StaffMembership

    memberships = StaffMembership.objects.all()
    guardianships = Guardianship.objects.all()
    tied = Q(id__in=memberships.filter(school_id__in=school_ids).values("user_id")) | Q(
        id__in=guardianships.filter(student__school_id__in=school_ids).values("guardian__user_id")
    )
    managers = memberships.filter(role__in=StaffMembership.MANAGING_ROLES)
    staff_elsewhere = memberships.exclude(school_id__in=school_ids)
    children_elsewhere = guardianships.exclude(student__school_id__in=school_ids)
    return (
        User.objects.filter(tied)
        .exclude(is_superuser=True)
        .exclude(is_staff=True)
        .exclude(id__in=managers.values("user_id"))
        .exclude(id__in=staff_elsewhere.values("user_id"))
        .exclude(id__in=children_elsewhere.values("guardian__user_id"))
    )


def manageable_accounts(user) -> models.QuerySet:
    """The accounts whose contact details, state and existence `user` may change: every
    account for the operator (superuser); for a school's manager, the accounts of their
    managed schools alone (accounts_of_schools_alone); nobody else's for anyone else."""
    from accounts.models import User

    if _nobody(user):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    return accounts_of_schools_alone(managed_school_ids(user))


class GuardianLinkRequestQuerySet(models.QuerySet):
    def pending(self) -> "GuardianLinkRequestQuerySet":
        return self.filter(decided_at__isnull=True)

    def pending_for(self, user) -> "GuardianLinkRequestQuerySet":
        """The requests waiting for `user`'s answer: made to their account and its number."""
        if _nobody(user) or not user.phone:
            return self.none()
        return self.pending().filter(holder=user, phone=user.phone)

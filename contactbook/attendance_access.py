"""The one door for attendance, leave requests, daily comments and announcements
(contactbook/access.py holds the grade book's). Every function reads the database on each call
and answers Http404 for "missing" and "not yours" alike, so unlinking a guardian, moving a
pupil or changing a homeroom teacher counts on the very next request."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from contactbook.models import Announcement, LeaveRequest
from school.access import get_class_group_for_user
from school.access import get_or_404
from school.managers import managed_school_ids, signed_in, taught_class_ids
from school.models import ClassGroup, Enrolment, StaffMembership, Student


# --- classes: who keeps the register -------------------------------------------------------


def register_class_ids(user) -> QuerySet:
    """Ids of the classes whose attendance and leave requests `user` keeps: this year's classes
    they are homeroom teacher (GVCN) of at a school where they are still on the staff, and
    every class of a school they manage."""
    if not signed_in(user):
        return ClassGroup.objects.none().values("id")
    if user.is_superuser:
        return ClassGroup.objects.values("id")
    staff_schools = StaffMembership.objects.filter(user=user, is_active=True).values("school_id")
    return ClassGroup.objects.filter(
        Q(school_id__in=managed_school_ids(user))
        | Q(homeroom_teacher=user, school_id__in=staff_schools, school_year__is_current=True)
    ).values("id")


def may_keep_register(user, class_group: ClassGroup) -> bool:
    return ClassGroup.objects.filter(pk=class_group.pk, id__in=register_class_ids(user)).exists()


def get_class_for_attendance(user, class_group_id) -> tuple[ClassGroup, bool]:
    """A class whose attendance `user` may open, and whether they may write it. Readers: all
    who may open the class (its teachers too); writers: its homeroom teacher and the school's
    managers."""
    class_group = get_class_group_for_user(user, class_group_id)
    return class_group, may_keep_register(user, class_group)


def get_class_for_register(user, class_group_id) -> ClassGroup:
    """A class whose leave requests `user` decides (homeroom teacher, the school's managers)."""
    queryset = ClassGroup.objects.filter(id__in=register_class_ids(user)).select_related(
        "school", "school_year", "homeroom_teacher"
    )
    return get_or_404(queryset, class_group_id)


def get_class_for_comments(user, class_group_id) -> ClassGroup:
    """A class `user` teaches this year (an assignment, or its homeroom teacher), so may write
    daily comments about its pupils."""
    queryset = (
        ClassGroup.objects.filter(id__in=taught_class_ids(user)).select_related(
            "school", "school_year", "homeroom_teacher"
        )
        if signed_in(user)
        else ClassGroup.objects.none()
    )
    return get_or_404(queryset, class_group_id)


# --- pupils seen by their guardians --------------------------------------------------------


def children_of(user) -> QuerySet:
    return Student.objects.children_of(user)


def get_child_for_guardian(user, student_id) -> Student:
    return get_or_404(children_of(user).select_related("school"), student_id)


# --- leave requests ------------------------------------------------------------------------


def get_leave_for_guardian(user, leave_id) -> LeaveRequest:
    """A leave request about one of `user`'s children (whoever of the guardians asked)."""
    queryset = LeaveRequest.objects.filter(student__in=children_of(user).values("id"))
    return get_or_404(queryset.select_related("student"), leave_id)


def get_leave_for_register(user, leave_id) -> LeaveRequest:
    """A leave request about a pupil now in a class whose register `user` keeps."""
    pupils = Enrolment.objects.filter(
        status=Enrolment.Status.ACTIVE, class_group_id__in=register_class_ids(user)
    ).values("student_id")
    queryset = LeaveRequest.objects.filter(student_id__in=pupils).select_related(
        "student", "student__school"
    )
    return get_or_404(queryset, leave_id)


# --- announcements -------------------------------------------------------------------------


def announcements_visible_to(user) -> QuerySet:
    """Announcements `user` may read: every one of a school where they are on the staff, and,
    for a guardian, those whose audience includes a child now enrolled there."""
    if not signed_in(user):
        return Announcement.objects.none()
    if user.is_superuser:
        return Announcement.objects.all()
    staff_schools = StaffMembership.objects.filter(user=user, is_active=True).values("school_id")
    enrolled = Enrolment.objects.filter(
        status=Enrolment.Status.ACTIVE, student__guardianships__guardian__user=user
    )
    same_grade = enrolled.filter(
        class_group__school_year_id=OuterRef("school_year_id"), class_group__grade=OuterRef("grade")
    )
    return Announcement.objects.filter(
        Q(school_id__in=staff_schools)
        | Q(
            audience=Announcement.Audience.CLASS,
            class_group_id__in=enrolled.values("class_group_id"),
        )
        | Q(Exists(same_grade), audience=Announcement.Audience.GRADE)
        | Q(
            audience=Announcement.Audience.SCHOOL,
            school_year_id__in=enrolled.values("class_group__school_year_id"),
        )
    )


def get_announcement_for_user(user, announcement_id) -> Announcement:
    queryset = announcements_visible_to(user).select_related("school", "class_group", "author")
    return get_or_404(queryset, announcement_id)


def may_see_receipts(user, announcement: Announcement) -> bool:
    """Who has read it: its author (while still on that school's staff), the school's managers."""
    if not signed_in(user):
        return False
    if user.is_superuser:
        return True
    if StaffMembership.objects.filter(
        user=user,
        school_id=announcement.school_id,
        is_active=True,
        role__in=StaffMembership.MANAGING_ROLES,
    ).exists():
        return True
    return (
        announcement.author_id == user.pk
        and StaffMembership.objects.filter(
            user=user, school_id=announcement.school_id, is_active=True
        ).exists()
    )


def announcement_classes_for(user) -> QuerySet:
    """Classes `user` may address: this year's classes of the schools they manage, and the
    classes they are homeroom teacher of."""
    return (
        ClassGroup.objects.filter(id__in=register_class_ids(user), school_year__is_current=True)
        .select_related("school", "school_year")
        .order_by("school__name", "sort_key")
    )

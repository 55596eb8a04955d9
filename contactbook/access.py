"""The contact book's doors: who may read and write what, and every object loaded from an id a
person sent. Built on school/access.py and the visible_to querysets; every check reads the
database on each call, so unlinking a guardian, moving a pupil or changing an assignment or a
homeroom teacher counts on the very next request. Like school/access.py, loading answers
Http404 for "missing" and "not yours" alike (an HTML view and the API both turn Http404 into a
404).

Who sees a grade
----------------
Each audience of a pupil's grades, and the one door it comes through (tested as one table
against the cast: tests/contactbook/test_who_sees_a_grade.py):

- a parent (a guardian of the pupil now): their own children's PUBLISHED scores, on the
  portal (contactbook.portal.portal_home, its SQL's `published_at IS NOT NULL`), the child's
  grades page (school.access.get_student_for_user, then gradebook.reads.pupil_grades) and the
  cards (reports.access.get_card_student_for_user; cards read Score.objects.published());
- a subject teacher: the grade books of the subjects they teach in their classes, drafts
  included (get_grade_book_for_user / may_read_grade_book), and those pupils' grades page
  (published only); not a colleague's subject, not the cards;
- the homeroom teacher (GVCN): every subject's grade book of their class, drafts included
  (conduct, comments and titles draw on all of them), and the grades page;
- the school's managers (principal, vice-principal, administrator): every grade book of the
  school, the grades page and the cards;
- the operator (superuser): every door but the portal, which is a guardian's own;
- a device: never. A device holds a token for the device API (devices/auth.py), which has
  no operation that returns a score; on the pages it is nobody.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from contactbook.models import (
    Announcement,
    LeaveRequest,
    Message,
    MessageAttachment,
    Notification,
    SummaryAcknowledgement,
    WeeklySummary,
)
from school.access import get_class_group_for_user, get_or_404
from school.managers import managed_school_ids, signed_in, taught_class_ids
from school.models import (
    ClassGroup,
    Enrolment,
    Guardianship,
    School,
    StaffMembership,
    Student,
    Subject,
    TeachingAssignment,
)

# --- the grade book: who reads it, who writes it -----------------------------------------


@dataclass(frozen=True)
class GradeBookAccess:
    class_group: ClassGroup
    subject: Subject
    teacher: object  # the assigned subject teacher (a User)
    may_write: bool

    def __iter__(self):  # (class_group, subject, may_write), as callers unpacked it before
        return iter((self.class_group, self.subject, self.may_write))


def get_grade_book_for_user(user, class_group_id, subject_id) -> GradeBookAccess:
    """The grade book of a class and subject that `user` may open, and whether they may write.

    A grade book exists for each subject taught in the class (a teaching assignment): under
    Circular 22 in grades 6–12, under Circular 27 (primary subjects) in grades 1–5.
    Readers (see `may_read_grade_book`): the subject's teacher, the class's homeroom teacher,
    the school's managers and the operator. Writer: the teacher assigned to that subject in
    that class, still on the staff, in the current school year. Two queries (three for a
    manager)."""
    class_group = get_class_group_for_user(user, class_group_id)
    try:
        subject_pk = int(subject_id)
    except (TypeError, ValueError):
        raise Http404("No such grade book") from None
    active = StaffMembership.objects.filter(
        user=OuterRef("teacher"), school=class_group.school_id, is_active=True
    )
    assignment = (
        TeachingAssignment.objects.filter(class_group=class_group, subject_id=subject_pk)
        .select_related("subject", "teacher")
        .annotate(teacher_on_staff=Exists(active))
        .first()
    )
    if assignment is None or class_group.is_primary != (
        assignment.subject.assessment == Subject.Assessment.PRIMARY
    ):  # a subject assessed under the other circular than the class's grade: no grade book
        raise Http404("No such grade book for this user")
    if not may_read_grade_book(user, class_group, assignment.teacher_id):
        raise Http404("No such grade book for this user")
    may_write = (
        user.is_authenticated
        and assignment.teacher_id == user.pk
        and assignment.teacher_on_staff
        and class_group.school_year.is_current
    )
    return GradeBookAccess(class_group, assignment.subject, assignment.teacher, bool(may_write))


def may_read_grade_book(
    user, class_group: ClassGroup, teacher_id: int | None, managed: set[int] | None = None
) -> bool:
    """Whether `user`, who may open `class_group`, reads its grade book of the subject taught by
    `teacher_id` (unpublished scores, comments, history). The subject's teacher and the
    homeroom teacher (GVCN), whose conduct ratings, comments and titles draw on every subject,
    do; so do the school's managers and the operator. A teacher of another subject of the
    class does not: DESIGN.md, a teacher sees the subjects they are assigned. `managed`, the
    ids of the schools `user` manages when the caller has read them already, spares a query."""
    if user.is_superuser or user.pk in (teacher_id, class_group.homeroom_teacher_id):
        return True
    if managed is not None:
        return class_group.school_id in managed
    return School.objects.managed_by(user).filter(pk=class_group.school_id).exists()


def may_grade(user, class_group: ClassGroup, subject: Subject) -> bool:
    return (
        user.is_authenticated
        and class_group.school_year.is_current
        and TeachingAssignment.objects.filter(
            teacher=user,
            class_group=class_group,
            subject=subject,
            teacher__memberships__school=class_group.school_id,
            teacher__memberships__is_active=True,
        ).exists()
    )


def is_homeroom_teacher(user, class_group: ClassGroup) -> bool:
    """The class's homeroom teacher, still on the school's staff, in the current year."""
    return (
        user.is_authenticated
        and class_group.homeroom_teacher_id == user.pk
        and class_group.school_year.is_current
        and StaffMembership.objects.filter(
            user=user, school=class_group.school_id, is_active=True
        ).exists()
    )


# --- classes: who keeps the register (attendance and leave) ------------------------------


def _homeroom(user) -> Q:
    """This year's classes `user` is homeroom teacher (GVCN) of, at a school where they are
    still on the staff."""
    staff_schools = StaffMembership.objects.filter(user=user, is_active=True).values("school_id")
    return Q(homeroom_teacher=user, school_id__in=staff_schools, school_year__is_current=True)


def homeroom_classes(user) -> QuerySet:
    """The classes whose register `user` keeps as their homeroom teacher (the teacher's half of
    `register_class_ids`; a manager's every class is not in it)."""
    if not signed_in(user):
        return ClassGroup.objects.none()
    return ClassGroup.objects.filter(_homeroom(user))


def register_class_ids(user) -> QuerySet:
    """Ids of the classes whose attendance and leave requests `user` keeps: this year's classes
    they are homeroom teacher (GVCN) of at a school where they are still on the staff, and
    every class of a school they manage."""
    if not signed_in(user):
        return ClassGroup.objects.none().values("id")
    if user.is_superuser:
        return ClassGroup.objects.values("id")
    return ClassGroup.objects.filter(
        Q(school_id__in=managed_school_ids(user)) | _homeroom(user)
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


# --- daily comments ----------------------------------------------------------------------


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


# --- pupils seen by their guardians ------------------------------------------------------


def children_of(user) -> QuerySet:
    return Student.objects.children_of(user)


def get_child_for_guardian(user, student_id) -> Student:
    return get_or_404(children_of(user).select_related("school"), student_id)


# --- leave requests ----------------------------------------------------------------------


def get_leave_for_guardian(user, leave_id) -> LeaveRequest:
    """A leave request about one of `user`'s children (whoever of the guardians asked)."""
    queryset = LeaveRequest.objects.filter(student__in=children_of(user).values("id"))
    return get_or_404(queryset.select_related("student"), leave_id)


def get_leave_for_register(user, leave_id) -> LeaveRequest:
    """A leave request about a pupil now in a class whose register `user` keeps."""
    pupils = Enrolment.objects.active().filter(
        class_group_id__in=register_class_ids(user)  # a manager's: every year's classes
    ).values("student_id")
    queryset = LeaveRequest.objects.filter(student_id__in=pupils).select_related(
        "student", "student__school"
    )
    return get_or_404(queryset, leave_id)


# --- announcements -----------------------------------------------------------------------


def announcements_visible_to(user) -> QuerySet:
    """Announcements `user` may read: every one of a school where they are on the staff, and,
    for a guardian, those whose audience includes a child now enrolled there."""
    if not signed_in(user):
        return Announcement.objects.none()
    if user.is_superuser:
        return Announcement.objects.all()
    staff_schools = StaffMembership.objects.filter(user=user, is_active=True).values("school_id")
    enrolled = Enrolment.objects.active().filter(  # in the announcement's year (below)
        student__guardianships__guardian__user=user
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


# --- messages: who takes part in a pupil's thread ----------------------------------------


def _guardian_of(user) -> Exists:
    return Exists(Guardianship.objects.filter(student=OuterRef("pk"), guardian__user=user))


def _teacher_of(user) -> Exists:
    return Exists(
        Enrolment.objects.active().filter(
            student=OuterRef("pk"), class_group_id__in=taught_class_ids(user)  # this year's
        )
    )


def get_participation(user, student_id) -> tuple[Student, str]:
    """The pupil whose thread `user` may read and write, and the side they write from
    (a guardian's side wins for a teacher who is also the pupil's parent). Http404 for a
    missing pupil and for anyone who does not take part, alike. One query."""
    if not (user and user.is_authenticated and user.is_active):
        raise Http404("No thread")
    try:
        student = (
            Student.objects.select_related("school")
            .annotate(as_guardian=_guardian_of(user), as_teacher=_teacher_of(user))
            .get(pk=int(student_id))
        )
    except (Student.DoesNotExist, TypeError, ValueError):
        raise Http404("No thread") from None
    if student.as_guardian:
        return student, Message.Side.GUARDIAN
    if student.as_teacher:
        return student, Message.Side.TEACHER
    raise Http404("No thread")


def get_attachment_for_user(user, attachment_id) -> MessageAttachment:
    """An attachment of a thread `user` takes part in now; Http404 otherwise."""
    try:
        attachment = MessageAttachment.objects.select_related("message__thread").get(pk=int(attachment_id))
    except (MessageAttachment.DoesNotExist, TypeError, ValueError):
        raise Http404("No attachment") from None
    get_participation(user, attachment.message.thread.student_id)
    return attachment


def get_taught_class(user, class_group_id) -> ClassGroup:
    """A class `user` teaches or leads now (not one they only manage); Http404 otherwise."""
    try:
        return ClassGroup.objects.filter(id__in=taught_class_ids(user)).get(pk=int(class_group_id))
    except (ClassGroup.DoesNotExist, TypeError, ValueError):
        raise Http404("No class") from None


# --- weekly summaries --------------------------------------------------------------------


def get_summary_for_guardian(user, summary_id) -> WeeklySummary:
    """A summary of one of `user`'s children now, with `acknowledged_at` (this user's) and
    `acknowledged_by_others`; Http404 for anyone else, missing and not-yours alike."""
    if not (user and user.is_authenticated and user.is_active):
        raise Http404("No summary")
    mine = SummaryAcknowledgement.objects.filter(summary=OuterRef("pk"), user=user)
    try:
        return (
            WeeklySummary.objects.filter(
                Exists(Guardianship.objects.filter(student=OuterRef("student_id"), guardian__user=user))
            )
            .select_related("student")
            .prefetch_related(
                Prefetch("acknowledgements", queryset=SummaryAcknowledgement.objects.select_related("user").order_by("acknowledged_at"))
            )
            .annotate(mine=Exists(mine))
            .get(pk=int(summary_id))
        )
    except (WeeklySummary.DoesNotExist, TypeError, ValueError):
        raise Http404("No summary") from None


# --- the notification inbox --------------------------------------------------------------


def get_notification_for_user(user, notification_id) -> Notification:
    try:
        return Notification.objects.get(pk=int(notification_id), recipient=user)
    except (Notification.DoesNotExist, TypeError, ValueError):
        raise Http404("No notification") from None

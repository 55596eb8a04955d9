"""Who may read and write what in the contact book. Built on school/access.py and the
visible_to querysets; every check reads the database, so a changed assignment counts on the
next request. Like school/access.py, loading answers Http404 for "missing" and "not yours"
alike (an HTML view and the API both turn Http404 into a 404)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import Http404

from school.access import get_class_group_for_user
from school.models import ClassGroup, School, StaffMembership, Subject, TeachingAssignment


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

"""Who may write what in the contact book. Built on school/access.py and the visible_to
querysets; every check reads the database, so a changed assignment counts on the next request."""

from school.access import get_class_group_for_user
from school.exceptions import NotFound
from school.models import ClassGroup, StaffMembership, Subject, TeachingAssignment


def get_grade_book_for_user(user, class_group_id, subject_id) -> tuple[ClassGroup, Subject, bool]:
    """The class and subject of a grade book `user` may open, and whether they may write in it.
    Readers: those who may open the class (its teachers, homeroom teacher, the school's
    managers). Writer: the teacher assigned to that subject in that class, only."""
    class_group = get_class_group_for_user(user, class_group_id)
    try:
        subject = Subject.objects.get(pk=int(subject_id), school_id=class_group.school_id)
    except (Subject.DoesNotExist, TypeError, ValueError):
        raise NotFound(field="subject_id") from None
    return class_group, subject, may_grade(user, class_group, subject)


def may_grade(user, class_group: ClassGroup, subject: Subject) -> bool:
    return (
        user.is_authenticated
        and class_group.school_year.is_current
        and TeachingAssignment.objects.filter(
            teacher=user, class_group=class_group, subject=subject,
            teacher__memberships__school=class_group.school_id,
            teacher__memberships__is_active=True,
        ).exists()
    )


def is_homeroom_teacher(user, class_group: ClassGroup) -> bool:
    return (
        user.is_authenticated
        and class_group.homeroom_teacher_id == user.pk
        and StaffMembership.objects.filter(user=user, school=class_group.school_id, is_active=True).exists()
    )

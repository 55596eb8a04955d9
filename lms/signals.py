"""Keep Wagtail's groups in step with the school (lms/permissions.py): staff changes,
teaching assignments, a new current year, a subject moved to another subject group, a new
course. Each handler does nothing (one query) for a school that has no library yet."""

from django.contrib.auth.models import Group
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lms import permissions
from lms.models import CoursePage, SchoolGroup
from school.models import (
    ClassGroup,
    SchoolYear,
    StaffMembership,
    Subject,
    TeachingAssignment,
)


def _resync(school_id) -> None:
    if school_id and permissions.school_has_library(school_id):
        permissions.sync_memberships(school_ids=[school_id])


@receiver([post_save, post_delete], sender=StaffMembership)
def staff_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _resync(instance.school_id)


@receiver([post_save, post_delete], sender=TeachingAssignment)
def teaching_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    school_id = (
        ClassGroup.objects.filter(pk=instance.class_group_id).values_list("school_id", flat=True).first()
        or Subject.objects.filter(pk=instance.subject_id).values_list("school_id", flat=True).first()
    )
    _resync(school_id)


@receiver(post_save, sender=SchoolYear)
def year_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _resync(instance.school_id)


@receiver(post_save, sender=Subject)
def subject_changed(sender, instance, created=False, raw=False, **kwargs):
    """A subject moved to another subject group: its courses change approver."""
    if raw or created or not permissions.school_has_library(instance.school_id):
        return
    for course in CoursePage.objects.filter(subject=instance).select_related("school"):
        permissions.sync_course(course)
    permissions.sync_memberships(school_ids=[instance.school_id])


@receiver(post_save, sender=CoursePage)
def course_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """A new course (or one whose subject changed) gets its teachers' and head's rights."""
    if raw or update_fields is not None or not instance.school_id:
        return
    permissions.sync_course(instance)
    permissions.sync_memberships(school_ids=[instance.school_id])


@receiver(post_delete, sender=SchoolGroup)
def school_group_deleted(sender, instance, **kwargs):
    """The Wagtail group goes with its role (a deleted subject or subject group)."""
    Group.objects.filter(pk=instance.group_id).delete()

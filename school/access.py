"""The one door: every object loaded from an id that a person sent comes through here.

Each function answers Http404 both for "does not exist" and "not yours", so an id reveals
nothing. Lists use the `visible_to(user)` querysets in school/managers.py.
"""

from django.http import Http404

from school.models import ClassGroup, School, Student


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


def can_manage_school(user, school: School) -> bool:
    return School.objects.managed_by(user).filter(pk=school.pk).exists()


def manages_any_school(user) -> bool:
    return School.objects.managed_by(user).exists()

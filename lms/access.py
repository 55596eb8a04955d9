"""The one door for lessons and materials: every lesson, material or old file version loaded
from an id a person sent comes through here, and answers Http404 both for "does not exist"
and "not yours". Lists use LessonPage.objects.visible_to(user) and
Material.objects.visible_to(user) (lms/models.py). Nothing is cached: taking a teacher off the
staff or a pupil out of a class takes effect on the next request.

Who sees a published lesson (and downloads its materials):
  - the staff of its school (any active role), and the platform operator;
  - the parents of the pupils now in a class the lesson is assigned to;
  - nobody else: not other schools' staff, not other parents, not anonymous visitors.
Images (and their renditions) of a school's library: its staff and the operator; an image a
published lesson shows, also those who may open that lesson (can_view_image).
Drafts are seen only in Wagtail's admin, by those its page permissions allow
(lms/permissions.py). The quiz's answer key is shown to the school's staff only.
"""

from django.http import Http404

from lms.models import LessonImage, LessonPage, Material, MaterialVersion, school_of_collection
from school.access import get_or_404
from school.managers import children_class_ids, signed_in, staff_school_ids, taught_class_ids
from school.models import ClassGroup, School, StaffMembership


def get_lesson_for_user(user, lesson_id) -> LessonPage:
    return get_or_404(
        LessonPage.objects.visible_to(user).select_related("subject", "school"), lesson_id
    )


def can_view_lesson(user, lesson: LessonPage) -> bool:
    return LessonPage.objects.visible_to(user).filter(pk=lesson.pk).exists()


def is_school_staff(user, school_id) -> bool:
    """On the staff of the school (any role), or the platform operator."""
    if not signed_in(user):
        return False
    if user.is_superuser:
        return True
    return StaffMembership.objects.filter(user=user, school_id=school_id, is_active=True).exists()


def can_view_school_library(user, school_id) -> bool:
    """Course, unit and library pages (lists of lessons) are for the school's staff."""
    return is_school_staff(user, school_id)


def may_see_answers(user, lesson: LessonPage) -> bool:
    """The quiz's answer key: the school's staff only, never pupils or parents."""
    return is_school_staff(user, lesson.school_id)


def get_material_for_user(user, material_id) -> Material:
    return get_or_404(Material.objects.visible_to(user), material_id)


def can_view_material(user, material: Material) -> bool:
    return Material.objects.visible_to(user).filter(pk=material.pk).exists()


def get_material_version_for_user(user, version_id) -> MaterialVersion:
    """An earlier file of a material: the school's staff only (it is reached from a lesson's
    history in the admin)."""
    if not signed_in(user):
        raise Http404("No such file")
    versions = MaterialVersion.objects.select_related("material")
    if not user.is_superuser:
        versions = versions.filter(material__school_id__in=staff_school_ids(user))
    return get_or_404(versions, version_id)


def assignable_classes(user, lesson: LessonPage):
    """This year's classes of the lesson's school to which `user` teaches its subject."""
    if not signed_in(user):
        return ClassGroup.objects.none()
    return ClassGroup.objects.filter(
        id__in=taught_class_ids(user),
        school_id=lesson.school_id,
        assignments__teacher=user,
        assignments__subject_id=lesson.subject_id,
    ).distinct().order_by("sort_key")


def may_assign(user, lesson: LessonPage) -> bool:
    return lesson.live and assignable_classes(user, lesson).exists()


def staff_schools(user):
    """Schools whose library `user` may browse."""
    if not signed_in(user):
        return School.objects.none()
    if user.is_superuser:
        return School.objects.all()
    return School.objects.filter(id__in=staff_school_ids(user))


def parent_class_ids(user):
    return children_class_ids(user)


def can_view_image(user, image) -> bool:
    """An image of a library (its original file or a rendition): the staff of the school whose
    collection holds it, the operator, and whoever may open a published lesson that shows it
    (LessonImage, kept by LessonPage.save)."""
    if not signed_in(user):
        return False
    if user.is_superuser:
        return True
    school_id = school_of_collection(image.collection_id)
    if school_id is not None and is_school_staff(user, school_id):
        return True
    return LessonImage.objects.filter(
        image_id=image.pk, lesson__in=LessonPage.objects.visible_to(user).values("id")
    ).exists()

"""What a device may load: only its own school's data, and of that only the classes that use
its room, the published lessons given to those classes and the materials of those lessons,
and the quiz sessions it opened itself. Missing and not-yours are the same 404.

Also the one door to the teachers' quiz results page: lms.access decides who sees the lesson
and its answer key; school's visible_to decides whose classes' results they see."""

from django.db.models import Q, QuerySet
from django.http import Http404

from devices.models import QuizSession
from lms import access as lms_access
from lms.models import LessonAssignment, LessonMaterial, LessonPage, Material
from school.exceptions import NotFound
from school.models import ClassGroup, ClassroomDevice, TimetableSlot


def classes_using_room(device: ClassroomDevice) -> QuerySet:
    """This year's classes whose home room is the device's room or that have a period there."""
    timetabled = TimetableSlot.objects.filter(
        Q(room=device.room_id) | Q(room__isnull=True, class_group__room=device.room_id)
    ).values("class_group_id")
    return ClassGroup.objects.filter(
        Q(room=device.room_id) | Q(id__in=timetabled),
        school_id=device.school_id,
        school_year__is_current=True,
    )


def get_class_group_for_device(device: ClassroomDevice, class_group_id: int) -> ClassGroup:
    try:
        return classes_using_room(device).get(pk=class_group_id)
    except ClassGroup.DoesNotExist:
        raise NotFound(field="class_id") from None


def lessons_for_device(device: ClassroomDevice) -> QuerySet:
    """Published lessons of the device's school given to a class that uses its room (never a
    draft, never a lesson given to no class here)."""
    given = LessonAssignment.objects.filter(class_group__in=classes_using_room(device)).values(
        "lesson_id"
    )
    return LessonPage.objects.live().filter(school_id=device.school_id, id__in=given)


def get_lesson_for_device(device: ClassroomDevice, lesson_id: int) -> LessonPage:
    """The lesson with its subject (one query); NotFound naming `field` otherwise."""
    try:
        return lessons_for_device(device).select_related("subject").get(pk=lesson_id)
    except LessonPage.DoesNotExist:
        raise NotFound(field="lesson_id") from None


def get_material_for_device(device: ClassroomDevice, material_id: int) -> Material:
    """A material used by the published content of a lesson the device may read."""
    used = LessonMaterial.objects.filter(
        lesson__in=lessons_for_device(device).values("id")
    ).values("material_id")
    try:
        return Material.objects.filter(id__in=used).get(pk=material_id)
    except Material.DoesNotExist:
        raise NotFound(field="material_id") from None


def get_quiz_session_for_device(device: ClassroomDevice, session_id: int) -> QuizSession:
    """A quiz session this very device opened (another device, even in the same room: 404),
    with its lesson and class."""
    try:
        return QuizSession.objects.select_related("lesson", "class_group").get(
            pk=session_id, device=device
        )
    except QuizSession.DoesNotExist:
        raise NotFound(field="session_id") from None


# --- people: the quiz results page -----------------------------------------------------


def get_lesson_for_quiz_results(user, lesson_id) -> LessonPage:
    """A lesson whose quiz results `user` may open: one they may see (lms.access) and whose
    answer key they may see (the school's staff). Http404 otherwise, for missing alike."""
    lesson = lms_access.get_lesson_for_user(user, lesson_id)
    if not lms_access.may_see_answers(user, lesson):
        raise Http404("No quiz results for this user")
    return lesson


def quiz_sessions_for_user(user, lesson: LessonPage) -> QuerySet:
    """The lesson's quiz sessions in the classes `user` may see (managers: the whole school;
    teachers: the classes they teach or are homeroom teacher of)."""
    return QuizSession.objects.filter(
        lesson=lesson, class_group__in=ClassGroup.objects.visible_to(user)
    )

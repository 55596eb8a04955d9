"""What a device may load: only its own school's data, and of that only the classes that use
its room. Missing and not-yours are the same 404."""

from django.db.models import Q, QuerySet

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

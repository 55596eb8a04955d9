"""The demo schools' smart classrooms: an interactive board in every room marked smart, and an
attendance kiosk at the door of every smart room that is a class's home room (so its pupils'
card taps prefill that class's register). Each device gets a token, as the administration
issues one; only the demo kiosk's is ever shown (seed_demo prints it once, on the run that
creates it; `manage.py demo_kiosk_token` issues a fresh one), so `tools/kiosk_simulator.py`
can talk to `make run` straight away.
"""

from collections.abc import Callable

from demo.school import SCHOOL_CODES, UPPER_CODE
from school.models import ClassGroup, ClassroomDevice, Room

# The kiosk the README's simulator command uses: at the door of 10A1's home room.
DEMO_KIOSK_ROOM = "P101"
Kind = ClassroomDevice.Kind


def demo_kiosk() -> ClassroomDevice | None:
    """The demo's kiosk (THPT Hạ Long, room P101), if the demo is there."""
    return ClassroomDevice.objects.filter(
        school__code=UPPER_CODE, room__name=DEMO_KIOSK_ROOM, kind=Kind.KIOSK
    ).first()


def seed_devices(log: Callable[[str], None] = lambda message: None) -> str | None:
    """Register the demo schools' boards and kiosks, each with a token. Returns the demo
    kiosk's token, the only time it can be seen; None (and nothing written) when the demo
    schools already have devices."""
    rooms = list(
        Room.objects.filter(school__code__in=SCHOOL_CODES, is_smart=True)
        .select_related("school")
        .order_by("school__code", "name")
    )
    if not rooms or ClassroomDevice.objects.filter(school__code__in=SCHOOL_CODES).exists():
        return None
    home_rooms = set(
        ClassGroup.objects.filter(room__in=rooms, school_year__is_current=True)
        .values_list("room_id", flat=True)
    )
    devices = []
    for room in rooms:
        devices.append(ClassroomDevice(
            school=room.school, room=room, kind=Kind.BOARD, name=f"Bảng tương tác {room.name}",
        ))
        if room.pk in home_rooms:
            devices.append(ClassroomDevice(
                school=room.school, room=room, kind=Kind.KIOSK, name=f"Máy điểm danh {room.name}",
            ))
    ClassroomDevice.objects.bulk_create(devices)
    token = None
    kiosk = demo_kiosk()
    for device in ClassroomDevice.objects.filter(school__code__in=SCHOOL_CODES):
        issued = device.issue_token()
        if device == kiosk:
            token = issued
    boards = sum(1 for d in devices if d.kind == Kind.BOARD)
    log(f"Phòng học thông minh: {boards} bảng tương tác, {len(devices) - boards} máy điểm danh")
    return token

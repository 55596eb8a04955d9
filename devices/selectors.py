"""Reads for devices, each in a fixed number of queries."""

import datetime

from django.db.models import Q
from django.utils import timezone

from devices.models import CheckInEvent
from lms.models import LessonAssignment
from school.managers import enrolled
from school.models import ClassGroup, ClassroomDevice, PeriodTime, Student, TimetableSlot

# A board shows the next period this many minutes before it starts.
EARLY = datetime.timedelta(minutes=5)


def today_in_room(device: ClassroomDevice, at: datetime.datetime | None = None) -> dict:
    """The room's timetable for the local day of `at` (now by default) and the period under way,
    each period with the lesson given to its class for it. Three queries (slots, bell times,
    the day's lessons), none per period; two when the room has no period that day."""
    local = timezone.localtime(at or timezone.now())
    slots = list(
        TimetableSlot.objects.filter(
            Q(room=device.room_id) | Q(room__isnull=True, class_group__room=device.room_id),
            class_group__school_id=device.school_id,
            class_group__school_year__is_current=True,
            weekday=local.isoweekday(),
        )
        .select_related("class_group", "subject", "teacher")
        .order_by("session", "period")
    )
    bells = {
        (p.session, p.period): p for p in PeriodTime.objects.filter(school_id=device.school_id)
    }
    lessons = _lessons_for_periods(slots, local.date())
    periods = [
        {**_period(slot, bells.get((slot.session, slot.period))), "lesson": lessons(slot)}
        for slot in slots
    ]
    periods.sort(key=lambda p: (p["session"] != "morning", p["period"]))
    return {
        "date": local.date(),
        "weekday": local.isoweekday(),
        "room": {"id": device.room_id, "name": device.room.name},
        "periods": periods,
        "now": _current(periods, local),
    }


def _period(slot: TimetableSlot, bell: PeriodTime | None) -> dict:
    return {
        "session": slot.session,
        "period": slot.period,
        "starts_at": bell.starts_at if bell else None,
        "ends_at": bell.ends_at if bell else None,
        "class_group": {"id": slot.class_group_id, "name": slot.class_group.name},
        "subject": {"code": slot.subject.code, "name": slot.subject.name},
        "teacher": slot.teacher.full_name if slot.teacher else None,
    }


def _lessons_for_periods(slots: list[TimetableSlot], day: datetime.date):
    """A function giving, for one of `slots`, the published lesson given to its class on `day`
    for that period: an assignment for that session and period, or else one without a period
    whose lesson is of the period's subject. Where several fit, the latest given wins. One
    query for all the slots."""
    by_period: dict[tuple, dict] = {}
    by_subject: dict[tuple, dict] = {}
    if slots:
        rows = (
            LessonAssignment.objects.filter(
                class_group_id__in={slot.class_group_id for slot in slots},
                date=day,
                lesson__live=True,
            )
            .order_by("created_at", "id")
            .values_list(
                "class_group_id", "session", "period", "lesson_id", "lesson__title",
                "lesson__subject_id",
            )
        )
        for class_id, session, period, lesson_id, title, subject_id in rows:
            lesson = {"id": lesson_id, "title": title}
            if period is None:
                by_subject[(class_id, subject_id)] = lesson
            else:
                by_period[(class_id, session, period)] = lesson

    def lesson_of(slot: TimetableSlot) -> dict | None:
        return by_period.get((slot.class_group_id, slot.session, slot.period)) or by_subject.get(
            (slot.class_group_id, slot.subject_id)
        )

    return lesson_of


def _current(periods: list[dict], local: datetime.datetime) -> dict | None:
    time = local.time()
    for period in periods:
        if period["starts_at"] is None:
            continue
        opens = (datetime.datetime.combine(local.date(), period["starts_at"]) - EARLY).time()
        if opens <= time <= period["ends_at"]:
            return period
    return None


def roster(class_group: ClassGroup) -> dict:
    """The class's pupils in Vietnamese order, with only what a device needs."""
    pupils = Student.objects.in_class(class_group).only(
        "id", "student_code", "family_name", "middle_name", "given_name", "card_id", "sort_key"
    )
    return {"class_group": {"id": class_group.pk, "name": class_group.name}, "pupils": list(pupils)}


def checked_in_student_ids(class_group: ClassGroup, day: datetime.date) -> set[int]:
    """Pupils of the class whose card was read coming in on `day` (local time): the contact
    book pre-marks them present; the homeroom teacher still confirms."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return set(
        CheckInEvent.objects.filter(
            enrolled("student__enrolments__", current=False),
            student__enrolments__class_group=class_group,
            direction=CheckInEvent.Direction.IN,
            occurred_at__gte=start,
            occurred_at__lt=start + datetime.timedelta(days=1),
        ).values_list("student_id", flat=True)
    )

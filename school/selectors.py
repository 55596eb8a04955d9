"""Reads that pages share or that would be heavy done naively; each runs a fixed number of
queries whatever the size of the class or school (tests pin the counts)."""

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q

from school.managers import enrolled, taught_class_ids
from school.models import (
    ClassGroup,
    Enrolment,
    GuardianLinkRequest,
    Guardianship,
    PeriodTime,
    Student,
    TeachingAssignment,
    TimetableSlot,
)


@dataclass
class TimetableRow:
    session: str
    period: int
    cells: list  # one TimetableSlot or None per weekday, Monday first


def class_page(class_group: ClassGroup, *, with_guardians: bool) -> dict:
    """Everything the class page shows: the roster in Vietnamese order (with each pupil's
    guardians when asked), the subject teachers and the weekly timetable."""
    students = Student.objects.in_class(class_group)
    if with_guardians:
        students = students.prefetch_related(
            Prefetch(
                "guardianships",
                queryset=Guardianship.objects.select_related("guardian__user").order_by("id"),
            )
        )
    assignments = (
        TeachingAssignment.objects.filter(class_group=class_group)
        .select_related("subject", "teacher")
        .order_by("subject__name")
    )
    slots = TimetableSlot.objects.filter(class_group=class_group).select_related("subject", "teacher")
    roster = list(students)
    return {
        "class_group": class_group,
        "students": roster,
        "boys": sum(1 for s in roster if s.sex == Student.Sex.MALE),
        "girls": sum(1 for s in roster if s.sex == Student.Sex.FEMALE),
        "assignments": list(assignments),
        "timetable": _timetable_rows(slots),
        "with_guardians": with_guardians,
    }


def _timetable_rows(slots) -> list[TimetableRow]:
    by_period: dict[tuple[str, int], list] = {}
    for slot in slots:
        row = by_period.setdefault((slot.session, slot.period), [None] * 6)
        row[slot.weekday - 1] = slot
    session_order = {PeriodTime.Session.MORNING: 0, PeriodTime.Session.AFTERNOON: 1}
    keys = sorted(by_period, key=lambda k: (session_order[k[0]], k[1]))
    return [TimetableRow(session, period, by_period[(session, period)]) for session, period in keys]


def home_for_user(user) -> dict:
    """What the landing page lists for `user`: the classes they may open, grouped by school,
    each marked `taught` when the user teaches it or is its homeroom teacher (not only
    manages it), their own children with each child's current class, and how many schools'
    guardian link requests wait for their answer."""
    classes = (
        ClassGroup.objects.visible_to(user)
        .filter(school_year__is_current=True)
        .select_related("school", "homeroom_teacher")
        .annotate(
            size=Count("enrolments", filter=enrolled(current=False)),  # this year's classes
            taught=ExpressionWrapper(
                Q(id__in=taught_class_ids(user)), output_field=BooleanField()
            ),
        )
        .order_by("school__name", "sort_key")
    )
    children = (
        Student.objects.children_of(user)
        .select_related("school")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.current().select_related(
                    "class_group"
                ),
                to_attr="active_enrolments",
            )
        )
    )
    pending_links = GuardianLinkRequest.objects.pending_for(user).count()
    return {"classes": list(classes), "children": list(children), "pending_links": pending_links}

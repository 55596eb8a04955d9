"""Reads for the portal and the lesson pages, each in a fixed number of queries whatever the
number of lessons (tests pin the counts)."""

import datetime
from dataclasses import dataclass, field

from lms.models import LessonAssignment, LessonPage, MaterialVersion
from school.models import Enrolment, Student, Subject

WEEKDAYS = 7
LIST_FIELDS_DEFERRED = ("lesson__body", "lesson__search_text")


@dataclass
class Day:
    date: datetime.date
    assignments: list = field(default_factory=list)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def current_class(student: Student):
    enrolment = (
        Enrolment.objects.current().filter(student=student)
        .select_related("class_group")
        .first()
    )
    return enrolment.class_group if enrolment else None


def _assignments(class_group):
    return (
        LessonAssignment.objects.filter(class_group=class_group, lesson__live=True)
        .select_related("lesson", "lesson__subject")
        .defer(*LIST_FIELDS_DEFERRED)
        .order_by("date", "session", "period", "lesson__subject__name")
    )


def student_lessons(
    student: Student, *, week_of: datetime.date, subject_id: int | None = None
) -> dict:
    """What a pupil's parents see: the lessons given to the pupil's class in the week of
    `week_of`, day by day, with homework due dates; or, with `subject_id`, every lesson of
    that subject given to the class (newest first). Four queries."""
    class_group = current_class(student)
    context = {
        "student": student, "class_group": class_group, "subject": None, "subjects": [],
        "days": [], "lessons": [], "week_start": week_start(week_of), "next_date": None,
    }
    if class_group is None:
        return context
    monday = context["week_start"]
    context["subjects"] = list(
        Subject.objects.filter(
            id__in=LessonAssignment.objects.filter(
                class_group=class_group, lesson__live=True
            ).values("lesson__subject_id")
        ).order_by("name")
    )
    if subject_id is not None:
        context["subject"] = next((s for s in context["subjects"] if s.pk == subject_id), None)
        context["lessons"] = list(
            _assignments(class_group).filter(lesson__subject_id=subject_id).order_by("-date", "session", "period")
        )
        return context
    days = [Day(monday + datetime.timedelta(days=i)) for i in range(WEEKDAYS)]
    week = _assignments(class_group).filter(
        date__gte=monday, date__lt=monday + datetime.timedelta(days=WEEKDAYS)
    )
    for assignment in week:
        days[(assignment.date - monday).days].assignments.append(assignment)
    context["days"] = [d for d in days if d.assignments or d.date.weekday() < 6]
    if not any(d.assignments for d in days):
        # An empty week points to the nearest week that has lessons.
        context["next_date"] = (
            _assignments(class_group).filter(date__gte=monday).values_list("date", flat=True).first()
            or _assignments(class_group).order_by("-date").values_list("date", flat=True).first()
        )
    return context


def material_versions_as_of(material_ids, as_of: datetime.datetime) -> dict:
    """{material id: the MaterialVersion that was current at `as_of`}, for the materials
    whose file has been replaced since: one query."""
    versions = MaterialVersion.objects.filter(
        material_id__in=material_ids, valid_from__lte=as_of, valid_until__gt=as_of
    )
    return {v.material_id: v for v in versions}


def search_lessons(user, query: str, *, limit: int = 50) -> list[LessonPage]:
    """The published lessons `user` may open that match `query`, ignoring tone marks."""
    return list(
        LessonPage.objects.visible_to(user)
        .search_folded(query)
        .select_related("subject", "school")
        .defer("body", "search_text")
        .order_by("-last_published_at")[:limit]
    )

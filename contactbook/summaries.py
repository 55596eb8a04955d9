"""The weekly summary: each Friday evening (Celery beat) every pupil's week — published grades,
attendance, daily comments and lessons — is written as one WeeklySummary row and sent to the
guardians, who acknowledge it ("đã xem"); the homeroom teacher sees who has not.

Safe to run twice: one row per pupil and week under a unique constraint, notifications
deduplicated by key. Work is split by school into chunks of pupils (contactbook/tasks.py), each
chunk one transaction and a fixed number of queries plus a few per pupil for notifying.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contactbook import notifications
from contactbook.messaging import guardians_of
from contactbook.models import (
    AttendanceMark,
    DailyComment,
    Score,
    SummaryAcknowledgement,
    WeeklySummary,
)
from lms.models import LessonAssignment
from school.managers import enrolled
from school.models import ClassGroup, Enrolment, Guardianship, Student

CHUNK_SIZE = 200
ABSENT = (AttendanceMark.Status.EXCUSED, AttendanceMark.Status.UNEXCUSED)


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week."""
    return day - datetime.timedelta(days=day.weekday())


def _week_moments(start: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 and the next Monday 00:00, local time."""
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    return first, first + datetime.timedelta(days=7)


# ----------------------------------------------------------------------------------- the data


def collect_week(pupils: dict[int, int], start: datetime.date) -> dict[int, dict]:
    """{pupil id: snapshot} for pupils {id: current class id} and the week from Monday
    `start`: published scores, attendance, daily comments and the class's lessons (lms
    lessons given to the class that week). Four queries whatever the number of pupils."""
    end = start + datetime.timedelta(days=6)
    since, until = _week_moments(start)
    data = {pid: _empty() for pid in pupils}
    scores = (
        Score.objects.filter(student_id__in=list(pupils), published_at__gte=since, published_at__lt=until)
        .select_related("subject")
        .order_by("subject__name", "kind", "index")
    )
    for score in scores:
        data[score.student_id]["scores"].append({
            "subject": score.subject.name, "kind": score.kind, "index": score.index,
            "value": None if score.value is None else str(score.value), "passed": score.passed,
            "rating": score.rating,
        })
    marks = AttendanceMark.objects.filter(student_id__in=list(pupils), date__range=(start, end)).order_by("date", "session")
    for mark in marks:
        week = data[mark.student_id]["attendance"]
        week[mark.status] = week.get(mark.status, 0) + 1
        if mark.status != AttendanceMark.Status.PRESENT:
            week["marks"].append({"date": mark.date.isoformat(), "session": mark.session, "status": mark.status})
    comments = (
        DailyComment.objects.filter(student_id__in=list(pupils), date__range=(start, end))
        .select_related("author").order_by("date", "created_at")
    )
    for comment in comments:
        data[comment.student_id]["comments"].append({
            "date": comment.date.isoformat(), "kind": comment.kind, "text": comment.text,
            "author": comment.author.full_name,
        })
    by_class = defaultdict(list)
    lessons = (
        LessonAssignment.objects.filter(class_group_id__in=set(pupils.values()), date__range=(start, end),
                                        lesson__live=True)
        .order_by("date", "period")
        .values_list("class_group_id", "date", "lesson__title", "lesson__subject__name")
    )
    for class_id, day, title, subject in lessons:
        by_class[class_id].append({"date": day.isoformat(), "title": title, "subject": subject})
    for pid, class_id in pupils.items():
        data[pid]["lessons"] = by_class.get(class_id, [])
    for pid in data:
        # Kept in the stored snapshot: summaries written before both areas existed say False.
        data[pid]["has_comments"] = True
        data[pid]["has_lessons"] = True
    return data


def _empty() -> dict:
    return {"scores": [], "attendance": {"marks": []}, "comments": [], "lessons": []}


# ----------------------------------------------------------------------------------- writing


def pupil_chunks(size: int | None = None) -> Iterator[tuple[int, list[int]]]:
    """(school id, [pupil ids]) for every pupil now in a class of a current school year,
    school by school, at most `size` (CHUNK_SIZE) pupils at a time."""
    size = size or CHUNK_SIZE
    rows = (
        Enrolment.objects.current()
        .order_by("class_group__school_id", "student_id")
        .values_list("class_group__school_id", "student_id")
    )
    school, chunk = None, []
    for school_id, student_id in rows.iterator(chunk_size=2000):
        if chunk and (school_id != school or len(chunk) >= size):
            yield school, chunk
            chunk = []
        school = school_id
        chunk.append(student_id)
    if chunk:
        yield school, chunk


def create_weekly_summaries(*, school_id: int, start: datetime.date, student_ids: list[int]) -> int:
    """Write the summaries of the week from Monday `start` for the given pupils of a school
    (those now in one of its current classes; others are skipped) and notify their
    guardians. Pupils who already have that week's summary are left alone, so running it
    twice creates nothing new. Returns how many summaries were created."""
    start = week_start(start)
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        current = dict(
            Enrolment.objects.current().filter(
                student_id__in=list(student_ids), class_group__school_id=school_id
            ).values_list("student_id", "class_group_id")
        )
        done = set(
            WeeklySummary.objects.filter(student_id__in=list(current), week_start=start)
            .values_list("student_id", flat=True)
        )
        todo = {pid: cid for pid, cid in current.items() if pid not in done}
        if not todo:
            return 0
        data = collect_week(todo, start)
        WeeklySummary.objects.bulk_create(
            [WeeklySummary(student_id=pid, week_start=start, class_group_id=cid, data=data[pid])
             for pid, cid in todo.items()],
            ignore_conflicts=True,  # a concurrent run wrote it first: theirs stands
        )
        created = list(
            WeeklySummary.objects.filter(student_id__in=list(todo), week_start=start).select_related("student")
        )
        guardians = guardians_of(todo)
        for summary in created:
            _notify_guardians(summary, guardians.get(summary.student_id, []))
    return len(created)


def _notify_guardians(summary: WeeklySummary, recipients: list) -> None:
    if not recipients:
        return
    week = summary.data
    absences = sum(week["attendance"].get(status, 0) for status in ABSENT)
    notifications.notify(
        recipients=recipients,
        kind="weekly_summary",
        title=_("Weekly summary: %(pupil)s") % {"pupil": summary.student.full_name},
        body=_("Week %(start)s–%(end)s. New scores: %(scores)s. Sessions absent: %(absences)s. "
               "Please open it and confirm that you have seen it.")
        % {"start": f"{summary.week_start:%d/%m}", "end": f"{summary.week_end:%d/%m/%Y}",
           "scores": len(week["scores"]), "absences": absences},
        url=reverse("contactbook:summary_detail", args=[summary.pk]),
        key=f"weekly:{summary.student_id}:{summary.week_start.isoformat()}",
    )


# ------------------------------------------------------------------------ acknowledging


def acknowledge(*, user, summary: WeeklySummary) -> SummaryAcknowledgement:
    """Record that `user` (a guardian; the caller loaded `summary` through
    get_summary_for_guardian) has seen the summary. Twice is once: the first time stands."""
    acknowledgement, _created = SummaryAcknowledgement.objects.get_or_create(
        summary=summary, user=user, defaults={"acknowledged_at": timezone.now()}
    )
    return acknowledgement


# ------------------------------------------------------------------------------- reading


@dataclass
class SummaryRow:
    student: Student
    summary: WeeklySummary | None
    acknowledgements: list  # SummaryAcknowledgement, earliest first
    has_guardian: bool

    @property
    def state(self) -> str:
        """"acknowledged", "waiting", "no_guardian" or "no_summary" (for CSS and tests)."""
        if self.summary is None:
            return "no_summary"
        if self.acknowledgements:
            return "acknowledged"
        return "waiting" if self.has_guardian else "no_guardian"


def latest_week(class_group: ClassGroup) -> datetime.date:
    """The most recent week the class's pupils have summaries for, else this week."""
    found = WeeklySummary.objects.filter(
        enrolled("student__enrolments__", current=False), student__enrolments__class_group=class_group
    ).aggregate(latest=Max("week_start"))["latest"]
    return found or week_start(timezone.localdate())


def class_acknowledgements(class_group: ClassGroup, start: datetime.date) -> list[SummaryRow]:
    """For the pupils now in a class (Vietnamese order): the week's summary and who
    acknowledged it when. Three queries whatever the class size."""
    pupils = list(
        Student.objects.in_class(class_group).annotate(
            has_guardian=Exists(Guardianship.objects.filter(student=OuterRef("pk")))
        )
    )
    summaries = {
        s.student_id: s
        for s in WeeklySummary.objects.filter(student__in=pupils, week_start=start).prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=SummaryAcknowledgement.objects.select_related("user").order_by("acknowledged_at"),
            )
        )
    }
    rows = []
    for pupil in pupils:
        summary = summaries.get(pupil.pk)
        acks = list(summary.acknowledgements.all()) if summary else []
        rows.append(SummaryRow(pupil, summary, acks, pupil.has_guardian))
    return rows


def child_summaries(student: Student, user, limit: int = 20) -> list[WeeklySummary]:
    """A pupil's latest summaries, newest first, each with `mine` (acknowledged by `user`)
    and `seen` (by any guardian). One query."""
    return list(
        WeeklySummary.objects.filter(student=student)
        .annotate(
            mine=Exists(SummaryAcknowledgement.objects.filter(summary=OuterRef("pk"), user=user)),
            seen=Exists(SummaryAcknowledgement.objects.filter(summary=OuterRef("pk"))),
        )
        .order_by("-week_start")[:limit]
    )


def for_display(data: dict) -> dict:
    """A snapshot with scores back as Decimal (shown with a decimal comma on Vietnamese pages)
    and dates as dates, for templates. No queries."""
    def day(value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    attendance = data.get("attendance", {})
    return {
        "scores": [
            {**s, "value": None if s["value"] is None else Decimal(s["value"]),
             "kind_label": Score.Kind(s["kind"]).label,
             "rating": Score.Rating(s["rating"]).label if s.get("rating") else None}
            for s in data.get("scores", [])
        ],
        "attendance": {
            "present": attendance.get(AttendanceMark.Status.PRESENT, 0),
            "late": attendance.get(AttendanceMark.Status.LATE, 0),
            "excused": attendance.get(AttendanceMark.Status.EXCUSED, 0),
            "unexcused": attendance.get(AttendanceMark.Status.UNEXCUSED, 0),
            "marks": [
                {**m, "date": day(m["date"]),
                 "session_label": AttendanceMark.Session(m["session"]).label,
                 "status_label": AttendanceMark.Status(m["status"]).label}
                for m in attendance.get("marks", [])
            ],
        },
        "comments": [
            {**c, "date": day(c["date"]), "kind_label": _comment_kind_label(c["kind"])}
            for c in data.get("comments", [])
        ],
        "lessons": [{**lesson, "date": day(lesson["date"])} for lesson in data.get("lessons", [])],
        "has_comments": data.get("has_comments", False),
        "has_lessons": data.get("has_lessons", False),
    }


def _comment_kind_label(kind: str) -> str:
    try:
        return DailyComment.Kind(kind).label
    except ValueError:
        return kind

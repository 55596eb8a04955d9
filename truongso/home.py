"""The landing page's composition: each person's day, read from every app that holds a piece of
it. It sits in the project package, the top layer, because a teacher's day crosses them all
(school's timetable, lms's lessons, the contact book's registers, leave, messages and grade
book, reports' runs); each app keeps its own reads, this module only puts them side by side.

Every read is bounded by the access rules of school/managers.py: a teacher sees the classes
they teach or lead this year (`taught_class_ids`) and the subjects they are assigned; a manager
the schools they manage (`managed_school_ids`). Each part runs a fixed number of queries,
whatever the number of classes, periods or pupils (tests/truongso/test_home*.py pin them).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from contactbook import access
from contactbook.models import AttendanceMark, LeaveRequest, MessageThread, Score, ThreadReadState
from lms.models import LessonAssignment
from reports.models import ReportRun
from school import selectors
from school.managers import (
    enrolled,
    managed_school_ids,
    signed_in,
    taught_class_ids,
)
from school.models import (
    ClassGroup,
    Department,
    Enrolment,
    PeriodTime,
    School,
    TeachingAssignment,
    TimetableSlot,
)

MORNING = PeriodTime.Session.MORNING
AFTERNOON = PeriodTime.Session.AFTERNOON
SESSIONS = (MORNING, AFTERNOON)  # the timetable's order within a day
UNREAD_SHOWN = 5  # threads listed on the home page; the inbox has the rest


def home_context(user, *, day: datetime.date | None = None) -> dict:
    """Everything the home page shows `user` on `day` (today by default): the school's own
    lists (school.selectors.home_for_user), the teacher's day when they teach or lead a class,
    and each managed school's day when they manage one."""
    day = day or timezone.localdate()
    context = selectors.home_for_user(user)
    managed = (
        list(School.objects.filter(id__in=managed_school_ids(user)).order_by("name"))
        if signed_in(user)
        else []
    )
    context.update(
        today=day,
        # The top bar's link to the administration; the operator manages every school.
        can_manage=bool(managed) or bool(signed_in(user) and user.is_superuser),
        teacher_day=teacher_day(user, day) if any(c.taught for c in context["classes"]) else None,
        school_days=school_days(managed, day) if managed else [],
    )
    # A department's officer has no class, pupil or school: their page is the dashboard's
    # link (asked only then, so everyone else's home keeps its queries).
    nothing_else = not (context["classes"] or context["children"] or context["pending_links"])
    context["departments"] = (
        list(Department.objects.visible_to(user)) if nothing_else and not managed else []
    )
    return context


# --------------------------------------------------------------------------- a teacher's day


@dataclass
class Period:
    """One period of the teacher's day: the timetable slot (class, subject, room), its bell
    times and the lessons given to the class for it."""

    slot: TimetableSlot
    lessons: list = field(default_factory=list)

    @property
    def starts_at(self) -> datetime.time | None:
        return self.slot.starts_at

    @property
    def ends_at(self) -> datetime.time | None:
        return self.slot.ends_at


@dataclass
class Register:
    """A class's register (sổ điểm danh) for one session of the day: one the homeroom teacher
    has still to take, or one with pupils absent without leave."""

    class_group: ClassGroup
    session: str
    count: int = 0  # pupils absent without leave, where that is what it lists

    @property
    def session_label(self):
        return PeriodTime.Session(self.session).label


@dataclass
class TeacherDay:
    periods: list[Period]
    registers: list[Register]
    leave: list[dict]  # {"class_group_id", "class_name", "count"} per class, pending requests
    unread_threads: list[MessageThread]
    unread_count: int
    unpublished: list[dict]  # one per grade book: class, subject, term, columns
    unpublished_columns: int = 0

    @property
    def leave_count(self) -> int:
        return sum(row["count"] for row in self.leave)


def teacher_day(user, day: datetime.date) -> TeacherDay:
    """A teacher's day: today's periods, the registers they still have to take, the leave
    requests waiting for them, their unread threads and the grade-book columns they entered
    but have not published. Six queries."""
    taught = taught_class_ids(user)
    # The homeroom half of the contact book's register rule; its other half, a manager's
    # every class, is the school's day.
    homeroom = access.homeroom_classes(user)
    threads = unread_threads(user, taught)
    unpublished = unpublished_books(user, taught)
    return TeacherDay(
        periods=periods_of(user, day, taught),
        registers=registers_to_take(homeroom, day),
        leave=leave_waiting(homeroom),
        unread_threads=threads,
        unread_count=threads[0].unread_total if threads else 0,
        unpublished=unpublished,
        unpublished_columns=sum(book["columns"] for book in unpublished),
    )


def _bell(field_name: str) -> Subquery:
    return Subquery(
        PeriodTime.objects.filter(
            school_id=OuterRef("class_group__school_id"),
            session=OuterRef("session"),
            period=OuterRef("period"),
        ).values(field_name)[:1]
    )


def periods_of(user, day: datetime.date, taught) -> list[Period]:
    """`user`'s periods on `day` in timetable order (morning then afternoon, by period), in
    the classes they teach this year, each with its bell times and the published lessons given
    to the class for it: a lesson given for that very period, or one of the period's subject
    given for the day without a period. Two queries."""
    slots = (
        TimetableSlot.objects.filter(
            teacher=user, weekday=day.isoweekday(), class_group_id__in=taught
        )
        .select_related("class_group", "subject", "room")
        .annotate(starts_at=_bell("starts_at"), ends_at=_bell("ends_at"))
    )
    assignments = (
        LessonAssignment.objects.filter(class_group_id__in=taught, date=day, lesson__live=True)
        .select_related("lesson")
        .order_by("id")
    )
    given: dict[int, list[LessonAssignment]] = {}
    for assignment in assignments:
        given.setdefault(assignment.class_group_id, []).append(assignment)
    periods = []
    for slot in sorted(
        slots, key=lambda s: (SESSIONS.index(s.session), s.period, s.class_group.name)
    ):
        lessons = [
            a.lesson for a in given.get(slot.class_group_id, []) if _given_for(a, slot)
        ]
        periods.append(Period(slot, lessons))
    return periods


def _given_for(assignment: LessonAssignment, slot: TimetableSlot) -> bool:
    if assignment.period is not None:
        return (assignment.session, assignment.period) == (slot.session, slot.period)
    return assignment.lesson.subject_id == slot.subject_id and assignment.session in (
        "",
        slot.session,
    )


def registers_to_take(homeroom, day: datetime.date) -> list[Register]:
    """The sessions of `day` in which the homeroom classes have lessons by their timetable
    and whose register holds no mark yet. A class without a timetable for the day has no
    register due (a day off, or a timetable not entered yet). One query."""
    weekday = day.isoweekday()

    def has_lessons(session):
        return Exists(
            TimetableSlot.objects.filter(class_group=OuterRef("pk"), weekday=weekday, session=session)
        )

    def taken(session):
        return Exists(
            AttendanceMark.objects.filter(class_group=OuterRef("pk"), date=day, session=session)
        )

    classes = homeroom.annotate(
        morning_due=has_lessons(MORNING),
        afternoon_due=has_lessons(AFTERNOON),
        morning_taken=taken(MORNING),
        afternoon_taken=taken(AFTERNOON),
    ).order_by("sort_key")
    return [
        Register(class_group, session)
        for class_group in classes
        for session in SESSIONS
        if getattr(class_group, f"{session}_due") and not getattr(class_group, f"{session}_taken")
    ]


def leave_waiting(homeroom) -> list[dict]:
    """Per homeroom class, how many leave requests about its pupils now wait for an answer.
    One query."""
    rows = (
        LeaveRequest.objects.filter(
            enrolled("student__enrolments__", current=False),
            status=LeaveRequest.Status.PENDING,
            student__enrolments__class_group__in=homeroom,  # this year's
        )
        .values(
            class_group_id=F("student__enrolments__class_group_id"),
            class_name=F("student__enrolments__class_group__name"),
            grade=F("student__enrolments__class_group__grade"),
        )
        .annotate(count=Count("id"))
        .order_by("grade", "class_name")
    )
    return list(rows)


def unread_threads(user, taught) -> list[MessageThread]:
    """The newest threads with messages `user` has not read, about pupils now in the classes
    they teach or lead (the inbox's rule, contactbook's teacher_threads), each carrying
    `unread_total`, the number of all such threads (a window count, so one query)."""
    pupils = Enrolment.objects.active().filter(class_group_id__in=taught)  # this year's
    threads = (
        MessageThread.objects.filter(
            student_id__in=pupils.values("student_id"), last_message_at__isnull=False
        )
        .annotate(
            my_read_at=Subquery(
                ThreadReadState.objects.filter(thread=OuterRef("pk"), user=user).values("read_at")[:1]
            )
        )
        .filter(Q(my_read_at__isnull=True) | Q(my_read_at__lt=F("last_message_at")))
        .select_related("student")
        .annotate(unread_total=Window(Count("id")))
        .order_by("-last_message_at", "-id")[:UNREAD_SHOWN]
    )
    return list(threads)


def unpublished_books(user, taught) -> list[dict]:
    """The grade books `user` writes in (their teaching assignments this year) whose open
    term holds filled cells not yet shown to the guardians, with how many columns do: the
    cells publishing would show (publish_column's rule: pupils now in the class). One query."""
    assigned = TeachingAssignment.objects.filter(
        teacher=user, class_group=OuterRef("class_group"), subject=OuterRef("subject")
    )
    column = Concat("kind", Value("-"), Cast("index", CharField()))
    rows = (
        Score.objects.filter(
            Exists(assigned),
            enrolled("student__enrolments__", current=False),
            class_group_id__in=taught,
            published_at__isnull=True,
            term__closed_at__isnull=True,
            student__enrolments__class_group=F("class_group"),
        )
        .exclude(value__isnull=True, passed__isnull=True, rating__isnull=True)
        .values(
            "class_group_id",
            "subject_id",
            "term_id",
            class_name=F("class_group__name"),
            grade=F("class_group__grade"),
            subject_name=F("subject__name"),
            term_number=F("term__number"),
        )
        .annotate(columns=Count(column, distinct=True))
        .order_by("grade", "class_name", "subject_name", "term_number")
    )
    return list(rows)


# --------------------------------------------------------------------------- a school's day


@dataclass
class SchoolDay:
    """A managed school's day so far: how many classes have taken a register, the marks by
    status, the classes with pupils absent without leave, and the report runs under way."""

    school: School
    classes: int = 0
    registers_taken: int = 0
    present: int = 0
    late: int = 0
    excused: int = 0
    unexcused: int = 0
    absent_classes: list[Register] = field(default_factory=list)
    runs: list = field(default_factory=list)


def school_days(schools: list[School], day: datetime.date) -> list[SchoolDay]:
    """One SchoolDay per school in `schools` (those the user manages), in their order. Two
    queries."""
    days = {school.pk: SchoolDay(school) for school in schools}
    Status = AttendanceMark.Status

    def marks(**conditions):
        return Count("attendance", filter=Q(attendance__date=day, **conditions))

    classes = (
        ClassGroup.objects.filter(school_id__in=list(days), school_year__is_current=True)
        .annotate(
            marks=marks(),
            present=marks(attendance__status=Status.PRESENT),
            late=marks(attendance__status=Status.LATE),
            excused=marks(attendance__status=Status.EXCUSED),
            unexcused_morning=marks(attendance__status=Status.UNEXCUSED, attendance__session=MORNING),
            unexcused_afternoon=marks(
                attendance__status=Status.UNEXCUSED, attendance__session=AFTERNOON
            ),
        )
        .order_by("sort_key")
    )
    for class_group in classes:
        school_day = days[class_group.school_id]
        school_day.classes += 1
        school_day.registers_taken += class_group.marks > 0
        school_day.present += class_group.present
        school_day.late += class_group.late
        school_day.excused += class_group.excused
        for session in SESSIONS:
            count = getattr(class_group, f"unexcused_{session}")
            if count:
                school_day.unexcused += count
                school_day.absent_classes.append(Register(class_group, session, count))
    runs = (
        ReportRun.objects.filter(
            school_id__in=list(days), status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING]
        )
        .select_related("school_year", "term__school_year", "class_group")
        .order_by("created_at")
    )
    for run in runs:
        days[run.school_id].runs.append(run)
    return list(days.values())

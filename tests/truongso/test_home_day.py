"""The home page shows the day: a teacher's periods with their lessons, registers to take,
leave waiting, unread messages and unpublished columns; a principal's school so far today.
"Today" is the real local date: the timetable rows are made for today's weekday (a Sunday's
rows are stored as weekday 7, which the page reads the same way)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contactbook.models import LeaveRequest, Message, MessageThread, ThreadReadState
from lms import services as lms_services
from lms.models import LessonAssignment
from reports.models import ReportRun
from school.models import PeriodTime, TimetableSlot
from tests import factories as f
from tests.lms.conftest import publish

pytestmark = pytest.mark.django_db

MORNING, AFTERNOON = PeriodTime.Session.MORNING, PeriodTime.Session.AFTERNOON


def today() -> datetime.date:
    return timezone.localdate()


def bells(school) -> None:
    """Five periods a session: morning from 7:00, afternoon from 13:00, 45 minutes each."""
    for session, first_hour in ((MORNING, 7), (AFTERNOON, 13)):
        for period in range(1, 6):
            hour = first_hour + period - 1
            PeriodTime.objects.create(
                school=school, session=session, period=period,
                starts_at=datetime.time(hour, 0), ends_at=datetime.time(hour, 45),
            )


def slot(class_group, subject, teacher, session, period, *, weekday=None, room=None):
    return TimetableSlot.objects.create(
        class_group=class_group, weekday=weekday or today().isoweekday(), session=session,
        period=period, subject=subject, teacher=teacher, room=room,
    )


def open_term(year):
    """A term of the cast's school year around today, so registers and grades may be written."""
    return f.TermFactory(
        school_year=year, start_date=today() - datetime.timedelta(days=40),
        end_date=today() + datetime.timedelta(days=40),
    )


def math_unit(cast):
    course = lms_services.create_course(
        school_year=cast.class_a1.school_year, subject=cast.math, grade=10, title="Toán 10"
    )
    return lms_services.create_unit(course=course, title="Chương VI. Hàm số bậc hai")


def lesson(cast, unit, title):
    return publish(
        lms_services.create_lesson(
            parent=unit, title=title, body=[("paragraph", "<p>Đồ thị và bảng biến thiên.</p>")],
            user=cast.teacher_a1,
        )
    )


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


# ----------------------------------------------------------------------------- periods


def test_a_teacher_sees_todays_periods_in_timetable_order_with_their_lessons(cast, client):
    bells(cast.school_a)
    f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=cast.class_a2, subject=cast.math)
    room = cast.class_a1.room
    slot(cast.class_a1, cast.math, cast.teacher_a1, AFTERNOON, 1, room=room)
    slot(cast.class_a2, cast.math, cast.teacher_a1, MORNING, 3)
    slot(cast.class_a1, cast.math, cast.teacher_a1, MORNING, 1, room=room)
    other_day = today().isoweekday() % 6 + 1  # never today's, even on a Sunday
    slot(cast.class_a1, cast.math, cast.teacher_a1, MORNING, 2, weekday=other_day)
    literature = cast.class_a2.assignments.exclude(subject=cast.math).get().subject
    slot(cast.class_a2, literature, cast.teacher_a2, MORNING, 1)  # another teacher's
    unit = math_unit(cast)
    first = lesson(cast, unit, "Bài 16. Hàm số bậc hai")
    second = lesson(cast, unit, "Bài 17. Dấu của tam thức bậc hai")
    lms_services.assign_lesson(
        lesson=first, class_groups=[cast.class_a1], on=today(), user=cast.teacher_a1,
        session=MORNING, period=1,
    )
    # Given for the day without a period: it is the lesson of the class's period of its subject.
    LessonAssignment.objects.create(lesson=second, class_group=cast.class_a2, date=today())
    lms_services.assign_lesson(  # another day's lesson is not today's
        lesson=second, class_groups=[cast.class_a1], on=today() + datetime.timedelta(days=1),
        user=cast.teacher_a1, session=AFTERNOON, period=1,
    )

    response = home(client, cast.teacher_a1)
    periods = response.context["teacher_day"].periods
    assert [(p.slot.class_group.name, p.slot.session, p.slot.period) for p in periods] == [
        ("10A1", "morning", 1), ("10A2", "morning", 3), ("10A1", "afternoon", 1),
    ]
    assert [[lesson.title for lesson in p.lessons] for p in periods] == [
        ["Bài 16. Hàm số bậc hai"], ["Bài 17. Dấu của tam thức bậc hai"], [],
    ]
    assert (periods[0].starts_at, periods[0].ends_at) == (datetime.time(7), datetime.time(7, 45))
    page = response.content.decode()
    assert page.index("Bài 16. Hàm số bậc hai") < page.index("Bài 17. Dấu của tam thức bậc hai")
    assert first.url in page and "Tiết 1 · 07:00–07:45" in page and "phòng P201" in page
    assert "Chưa giao bài học cho tiết này" in page  # the afternoon period has none


def test_a_teacher_without_periods_today_is_told_so(cast, client):
    other_day = today().isoweekday() % 6 + 1
    slot(cast.class_a1, cast.math, cast.teacher_a1, MORNING, 1, weekday=other_day)
    response = home(client, cast.teacher_a1)
    assert response.context["teacher_day"].periods == []
    assert "Hôm nay không có tiết" in response.content.decode()


def test_a_teacher_never_sees_a_period_of_a_class_they_do_not_teach_now(cast, client):
    """A timetable row naming the teacher in another school's class, or in a class of theirs
    after they left the school's staff, shows nothing."""
    other_subject = f.SubjectFactory(school=cast.school_b, name="Tiếng Việt")
    slot(cast.class_b, other_subject, cast.teacher_a1, MORNING, 2)
    slot(cast.class_a1, cast.math, cast.teacher_a1, MORNING, 1)
    periods = home(client, cast.teacher_a1).context["teacher_day"].periods
    assert [p.slot.class_group for p in periods] == [cast.class_a1]
    cast.teacher_a1.memberships.update(is_active=False)
    assert home(client, cast.teacher_a1).context["teacher_day"] is None


# --------------------------------------------------------------------------- registers


def test_a_register_to_take_disappears_once_the_attendance_is_saved(cast, client):
    open_term(cast.class_a1.school_year)
    slot(cast.class_a1, cast.math, cast.teacher_a1, MORNING, 1)
    slot(cast.class_a1, cast.math, cast.teacher_a1, MORNING, 2)  # one register per session
    slot(cast.class_a2, cast.math, cast.teacher_a2, MORNING, 1)  # not homeroom_a1's class
    response = home(client, cast.homeroom_a1)
    registers = response.context["teacher_day"].registers
    assert [(r.class_group, r.session) for r in registers] == [(cast.class_a1, "morning")]
    sheet = reverse("contactbook:attendance_sheet", args=[cast.class_a1.pk])
    assert f"{sheet}?ngay={today():%Y-%m-%d}&amp;buoi=morning" in response.content.decode()

    saved = client.post(sheet, {
        "ngay": f"{today():%Y-%m-%d}", "buoi": "morning",
        f"status-{cast.pupil_a1.pk}": "present", f"status-{cast.sibling_a1.pk}": "unexcused",
    })
    assert saved.status_code == 302
    response = home(client, cast.homeroom_a1)
    assert response.context["teacher_day"].registers == []
    assert "Không còn buổi nào phải điểm danh hôm nay" in response.content.decode()


def test_a_subject_teacher_keeps_no_register(cast, client):
    slot(cast.class_a1, cast.math, cast.teacher_a1, MORNING, 1)
    assert home(client, cast.teacher_a1).context["teacher_day"].registers == []


# ------------------------------------------------------------- leave, messages, columns


def test_leave_requests_waiting_are_counted_for_the_homeroom_teacher(cast, client):
    def ask(pupil, parent, status=LeaveRequest.Status.PENDING):
        LeaveRequest.objects.create(
            student=pupil, requested_by=parent, start_date=today(), end_date=today(),
            reason="Cháu bị sốt", status=status,
        )

    ask(cast.pupil_a1, cast.parent_a1)
    ask(cast.sibling_a1, cast.parent_of_two)
    ask(cast.sibling_a1, cast.parent_of_two, LeaveRequest.Status.APPROVED)
    ask(cast.pupil_a2, cast.parent_a2)  # 10A2: not homeroom_a1's
    ask(cast.sibling_b, cast.parent_of_two)  # another school
    response = home(client, cast.homeroom_a1)
    day = response.context["teacher_day"]
    assert [(row["class_name"], row["count"]) for row in day.leave] == [("10A1", 2)]
    page = response.content.decode()
    assert reverse("contactbook:class_leave", args=[cast.class_a1.pk]) in page and "2 đơn" in page
    assert home(client, cast.teacher_a1).context["teacher_day"].leave == []


def test_unread_messages_are_those_of_the_teachers_pupils_not_read_yet(cast, client):
    def write(pupil, parent):
        thread = MessageThread.objects.create(student=pupil)
        message = Message.objects.create(thread=thread, sender=parent, side="guardian", body="Chào cô")
        thread.last_message_at = message.created_at
        thread.save()
        return thread

    first = write(cast.pupil_a1, cast.parent_a1)
    write(cast.sibling_a1, cast.parent_of_two)
    write(cast.pupil_a2, cast.parent_a2)  # 10A2: teacher_a1 does not teach it
    write(cast.sibling_b, cast.parent_of_two)  # another school
    response = home(client, cast.teacher_a1)
    day = response.context["teacher_day"]
    assert day.unread_count == 2
    assert {t.student for t in day.unread_threads} == {cast.pupil_a1, cast.sibling_a1}
    assert reverse("contactbook:teacher_thread", args=[cast.pupil_a1.pk]) in response.content.decode()
    ThreadReadState.objects.create(thread=first, user=cast.teacher_a1, read_at=timezone.now())
    day = home(client, cast.teacher_a1).context["teacher_day"]
    assert day.unread_count == 1 and [t.student for t in day.unread_threads] == [cast.sibling_a1]


def test_unpublished_columns_count_the_teachers_own_grade_books(cast, client):
    term = open_term(cast.class_a1.school_year)
    a1, a2 = cast.pupil_a1, cast.sibling_a1
    f.score(a1, cast.math, term, index=1, published=False)
    f.score(a2, cast.math, term, index=1, published=False)  # the same column
    f.score(a1, cast.math, term, index=2, published=False)
    f.score(a2, cast.math, term, index=3, value=None, published=False)  # an empty cell
    f.score(a1, cast.math, term, kind="midterm", published=True)
    literature = cast.class_a2.assignments.get().subject
    f.score(cast.pupil_a2, literature, term, published=False)  # teacher_a2's
    closed = f.TermFactory(school_year=term.school_year, number=2, closed_at=timezone.now())
    f.score(a1, cast.math, closed, published=False)  # a closed term cannot be published
    response = home(client, cast.teacher_a1)
    day = response.context["teacher_day"]
    assert day.unpublished_columns == 2
    assert [(b["class_name"], b["subject_name"], b["columns"]) for b in day.unpublished] == [
        ("10A1", "Toán", 2)
    ]
    book = reverse("contactbook:gradebook_term", args=[cast.class_a1.pk, cast.math.pk, term.pk])
    page = response.content.decode()
    assert book in page and "học kỳ 1: 2 cột" in page
    assert home(client, cast.teacher_a2).context["teacher_day"].unpublished_columns == 1


# ------------------------------------------------------------------------- a school's day


def _run(school, year, by, status):
    return ReportRun.objects.create(
        school=school, school_year=year, scope=ReportRun.Scope.SCHOOL, status=status,
        requested_by=by, total=40, done=12,
    )


def test_a_principal_sees_the_schools_attendance_and_runs_under_way(cast, client):
    year_a = cast.class_a1.school_year
    f.attendance_mark(cast.pupil_a1, today(), status="present")
    f.attendance_mark(cast.sibling_a1, today(), status="unexcused")
    f.attendance_mark(cast.pupil_a1, today() - datetime.timedelta(days=1), status="unexcused")
    f.attendance_mark(cast.sibling_b, today(), status="unexcused")  # another school
    running = _run(cast.school_a, year_a, cast.principal, ReportRun.Status.RUNNING)
    _run(cast.school_a, year_a, cast.principal, ReportRun.Status.DONE)
    elsewhere = _run(cast.school_b, cast.class_b.school_year, cast.other_school_admin, ReportRun.Status.RUNNING)

    response = home(client, cast.principal)
    (school_day,) = response.context["school_days"]
    assert school_day.school == cast.school_a
    assert (school_day.classes, school_day.registers_taken) == (2, 1)
    assert (school_day.present, school_day.late, school_day.excused, school_day.unexcused) == (1, 0, 0, 1)
    assert [(r.class_group, r.session, r.count) for r in school_day.absent_classes] == [
        (cast.class_a1, "morning", 1)
    ]
    assert school_day.runs == [running]
    assert response.context["teacher_day"] is None  # the principal teaches no class
    page = response.content.decode()
    assert "Đã điểm danh: 1/2 lớp" in page
    assert reverse("reports:run", args=[running.pk]) in page
    assert reverse("reports:run", args=[elsewhere.pk]) not in page
    sheet = reverse("contactbook:attendance_sheet", args=[cast.class_a1.pk])
    assert f"{sheet}?ngay={today():%Y-%m-%d}&amp;buoi=morning" in page

    (school_day,) = home(client, cast.other_school_admin).context["school_days"]
    assert school_day.school == cast.school_b and school_day.runs == [elsewhere]
    assert school_day.unexcused == 1


def test_a_quiet_school_day_says_so(cast, client):
    page = home(client, cast.principal).content.decode()
    assert "Đã điểm danh: 0/2 lớp" in page
    assert "Hôm nay không có học sinh nghỉ không phép" in page
    assert "Không có đợt in nào đang chạy" in page


def test_teachers_parents_and_the_operator_see_no_schools_day(cast, client):
    """The operator manages every school through the administration, not from a home page
    listing a province's schools; a parent still goes straight to the contact book."""
    assert home(client, cast.teacher_a1).context["school_days"] == []
    response = home(client, cast.operator)
    assert response.context["school_days"] == [] and response.context["can_manage"]
    client.force_login(cast.parent_a1)
    assert client.get(reverse("home"))["Location"] == reverse("contactbook:portal_home")


# ---------------------------------------------------------------------------- queries


def busy_teacher(cast, classes: int) -> None:
    """teacher_a1 teaching Toán and leading `classes` more classes, each with two periods
    today, a lesson, a pupil with an unread message, a leave request and an unpublished
    score."""
    bells(cast.school_a)
    year = cast.class_a1.school_year
    term = open_term(year)
    unit = math_unit(cast)
    for n in range(classes):
        class_group = f.ClassGroupFactory(school_year=year, homeroom_teacher=cast.teacher_a1)
        f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=class_group, subject=cast.math)
        slot(class_group, cast.math, cast.teacher_a1, MORNING, n % 5 + 1, room=f.RoomFactory(school=cast.school_a))
        slot(class_group, cast.math, cast.teacher_a1, AFTERNOON, n % 5 + 1)
        lms_services.assign_lesson(
            lesson=lesson(cast, unit, f"Bài {n + 1}"), class_groups=[class_group], on=today(),
            user=cast.teacher_a1, session=MORNING, period=n % 5 + 1,
        )
        pupil = f.StudentFactory(school=cast.school_a)
        f.enrol(pupil, class_group)
        parent = f.UserFactory()
        f.link_guardian(parent, pupil)
        thread = MessageThread.objects.create(student=pupil, last_message_at=timezone.now())
        Message.objects.create(thread=thread, sender=parent, side="guardian", body="Chào thầy")
        LeaveRequest.objects.create(
            student=pupil, requested_by=parent, start_date=today(), end_date=today(), reason="Ốm"
        )
        f.score(pupil, cast.math, term, published=False, class_group=class_group)


def busy_school(cast, classes: int) -> None:
    """School A with `classes` more classes, each with a register taken today (one pupil
    absent without leave), and a report run under way for each of them."""
    year = cast.class_a1.school_year
    for _ in range(classes):
        class_group = f.ClassGroupFactory(school_year=year)
        for status in ("present", "unexcused"):
            pupil = f.StudentFactory(school=cast.school_a)
            f.enrol(pupil, class_group)
            f.attendance_mark(pupil, today(), status=status, class_group=class_group)
        ReportRun.objects.create(
            school=cast.school_a, school_year=year, scope=ReportRun.Scope.CLASS,
            class_group=class_group, status=ReportRun.Status.QUEUED, requested_by=cast.principal,
        )


TEACHER_QUERIES = 13
PRINCIPAL_QUERIES = 8


@pytest.mark.parametrize("classes", [1, 6])
def test_a_teachers_home_runs_a_fixed_number_of_queries(cast, client, django_assert_num_queries, classes):
    busy_teacher(cast, classes)
    home(client, cast.teacher_a1)  # warm: Wagtail's site root paths are cached after this
    with django_assert_num_queries(TEACHER_QUERIES):
        response = client.get(reverse("home"))
    day = response.context["teacher_day"]
    assert len(day.periods) == 2 * classes and day.unread_count == classes
    assert day.leave_count == classes and day.unpublished_columns == classes
    assert len(day.registers) == 2 * classes


@pytest.mark.parametrize("classes", [1, 6])
def test_a_principals_home_runs_a_fixed_number_of_queries(cast, client, django_assert_num_queries, classes):
    busy_school(cast, classes)
    home(client, cast.principal)
    with django_assert_num_queries(PRINCIPAL_QUERIES):
        response = client.get(reverse("home"))
    (school_day,) = response.context["school_days"]
    assert school_day.registers_taken == classes and school_day.unexcused == classes
    assert len(school_day.runs) == classes

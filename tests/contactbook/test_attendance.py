"""The attendance register: who may read and write it, all-or-nothing saves with history, the
closed term, the same-day alert to guardians (once, by SMS too), prefilling from the kiosk and
from approved leave, the parent's calendar, and pinned query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contactbook import attendance, consents
from contactbook.models import AttendanceMark, Delivery, LeaveRequest, Notification
from school.exceptions import TermClosed
from school.models import Term
from tests import factories as f
from tests.conftest import assert_cast
from tests.contactbook.attendance_support import (  # noqa: F401 (the *_fixture names are fixtures)
    TODAY,
    big_class,
    check_in,
    fetch,
    now_fixture,
    sms_file_fixture,
    sms_lines,
    term_one,
)

pytestmark = pytest.mark.django_db

Status = AttendanceMark.Status


def sheet_url(class_group, day=TODAY, session="morning") -> str:
    return (
        reverse("contactbook:attendance_sheet", args=[class_group.pk])
        + f"?ngay={day:%Y-%m-%d}&buoi={session}"
    )


def post_data(statuses: dict, day=TODAY, session="morning", notes: dict | None = None) -> dict:
    data = {"ngay": day.isoformat(), "buoi": session}
    for pupil, status in statuses.items():
        data[f"status-{pupil.pk}"] = status
        data[f"note-{pupil.pk}"] = (notes or {}).get(pupil, "")
    return data


def whole_class_a1(cast, **overrides) -> dict:
    statuses = {cast.pupil_a1: Status.PRESENT, cast.sibling_a1: Status.PRESENT}
    statuses.update(overrides)
    return statuses


def marks(class_group, day=TODAY, session="morning") -> dict:
    return {
        m.student_id: m.status
        for m in AttendanceMark.objects.filter(class_group=class_group, date=day, session=session)
    }


# --- who may ---------------------------------------------------------------------------------


def test_the_register_is_read_by_the_classs_teachers_and_managers(cast, now):
    url = sheet_url(cast.class_a1)
    assert_cast(
        cast,
        lambda u: fetch(u, url).status_code == 200,
        {"operator", "principal", "teacher_a1", "homeroom_a1"},
    )


def test_only_the_homeroom_teacher_and_managers_write_the_register(cast, now):
    url = sheet_url(cast.class_a1)

    def saves(user):
        AttendanceMark.objects.all().delete()
        response = fetch(user, url, "post", post_data(whole_class_a1(cast, **{})))
        return response.status_code == 302 and len(marks(cast.class_a1)) == 2

    assert_cast(cast, saves, {"operator", "principal", "homeroom_a1"})


def test_a_subject_teacher_sees_the_register_read_only_and_is_refused_on_post(cast, now):
    response = fetch(cast.teacher_a1, sheet_url(cast.class_a1))
    assert b'type="radio"' not in response.content
    response = fetch(
        cast.teacher_a1, sheet_url(cast.class_a1), "post", post_data(whole_class_a1(cast))
    )
    assert response.status_code == 403 and not AttendanceMark.objects.exists()


def test_a_homeroom_teachers_powers_end_at_their_class(cast, now):
    url = sheet_url(cast.class_a2)
    data = post_data({cast.pupil_a2: Status.UNEXCUSED})
    assert fetch(cast.homeroom_a1, url).status_code == 404
    assert fetch(cast.homeroom_a1, url, "post", data).status_code == 404
    assert not AttendanceMark.objects.exists()


def test_a_homeroom_teacher_who_left_the_staff_can_no_longer_write(cast, now):
    cast.homeroom_a1.memberships.update(is_active=False)
    response = fetch(
        cast.homeroom_a1, sheet_url(cast.class_a1), "post", post_data(whole_class_a1(cast))
    )
    assert response.status_code == 404 and not AttendanceMark.objects.exists()


# --- saving ----------------------------------------------------------------------------------


def test_the_register_opens_with_everyone_present_in_vietnamese_order(cast, now):
    sheet = attendance.attendance_sheet(cast.class_a1, TODAY, "morning")
    assert [r.student for r in sheet.rows] == [cast.pupil_a1, cast.sibling_a1]  # An, Châu
    assert {r.status for r in sheet.rows} == {Status.PRESENT} and not sheet.saved


def test_saving_the_register_records_every_pupil_with_who_and_history(cast, now):
    data = post_data(whole_class_a1(cast, **{}), notes={cast.sibling_a1: "  đến   muộn 5 phút "})
    data[f"status-{cast.sibling_a1.pk}"] = Status.LATE
    response = fetch(cast.homeroom_a1, sheet_url(cast.class_a1), "post", data)
    assert response.status_code == 302
    assert marks(cast.class_a1) == {
        cast.pupil_a1.pk: Status.PRESENT,
        cast.sibling_a1.pk: Status.LATE,
    }
    late = AttendanceMark.objects.get(student=cast.sibling_a1)
    assert late.note == "đến muộn 5 phút" and late.recorded_by == cast.homeroom_a1

    fetch(
        cast.principal,
        sheet_url(cast.class_a1),
        "post",
        post_data(whole_class_a1(cast, **{})) | {f"status-{cast.sibling_a1.pk}": Status.EXCUSED},
    )
    history = list(late.history.order_by("history_date"))
    assert [(h.status, h.history_user_id, h.recorded_by_id) for h in history] == [
        (Status.LATE, cast.homeroom_a1.pk, cast.homeroom_a1.pk),
        (Status.EXCUSED, cast.principal.pk, cast.principal.pk),
    ]
    # An unchanged pupil gets no new history row.
    assert AttendanceMark.objects.get(student=cast.pupil_a1).history.count() == 1


def test_a_bad_status_saves_nothing_and_says_which_row(cast, now):
    data = post_data(whole_class_a1(cast, **{}))
    data[f"status-{cast.sibling_a1.pk}"] = "on_holiday"
    response = fetch(cast.homeroom_a1, sheet_url(cast.class_a1), "post", data, language="en")
    assert response.status_code == 422
    assert not AttendanceMark.objects.exists()
    content = response.content.decode()
    assert f'data-student="{cast.sibling_a1.pk}" aria-invalid="true"' in content
    assert f'data-student="{cast.pupil_a1.pk}" aria-invalid' not in content
    assert "Choose one of the statuses in the list." in content


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(
            lambda data, cast: data.pop(f"status-{cast.sibling_a1.pk}"), id="a pupil missing"
        ),
        pytest.param(
            lambda data, cast: data.update({f"status-{cast.pupil_a2.pk}": "present"}),
            id="a foreign pupil",
        ),
        pytest.param(
            lambda data, cast: data.update({"status-abc": "present"}), id="an unreadable row"
        ),
        pytest.param(
            lambda data, cast: data.update({f"note-{cast.pupil_a1.pk}": "x" * 201}),
            id="a note too long",
        ),
    ],
)
def test_a_bad_sheet_is_refused_whole(cast, now, mutate):
    AttendanceMark.objects.create(
        student=cast.pupil_a1,
        class_group=cast.class_a1,
        date=TODAY,
        session="morning",
        status=Status.PRESENT,
        recorded_by=cast.homeroom_a1,
    )
    data = post_data(whole_class_a1(cast, **{}))
    data[f"status-{cast.pupil_a1.pk}"] = Status.LATE  # would change an existing mark
    mutate(data, cast)
    response = fetch(cast.homeroom_a1, sheet_url(cast.class_a1), "post", data)
    assert response.status_code == 422
    assert marks(cast.class_a1) == {cast.pupil_a1.pk: Status.PRESENT}
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "?ngay=2026-02-30&buoi=morning",
        "?ngay=hôm-nay",
        "?buoi=evening",
        "?ngay=9999-12-31",
        "?ngay=0001-01-01&buoi=afternoon",
    ],
)
def test_an_unreadable_day_or_session_never_breaks_the_page(cast, now, query):
    url = reverse("contactbook:attendance_sheet", args=[cast.class_a1.pk])
    assert fetch(cast.homeroom_a1, url + query).status_code == 200
    response = fetch(
        cast.homeroom_a1,
        url,
        "post",
        {**post_data(whole_class_a1(cast)), "ngay": "30/02/2026", "buoi": "evening"},
    )
    assert response.status_code == 400 and not AttendanceMark.objects.exists()


def test_a_day_that_has_not_come_yet_cannot_be_taken(cast, now):
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = fetch(
        cast.homeroom_a1,
        sheet_url(cast.class_a1, tomorrow),
        "post",
        post_data(whole_class_a1(cast), day=tomorrow),
    )
    assert response.status_code == 422 and not AttendanceMark.objects.exists()
    assert (
        b'type="radio"' not in fetch(cast.homeroom_a1, sheet_url(cast.class_a1, tomorrow)).content
    )


def test_a_closed_terms_days_are_read_only(cast, now):
    term = term_one(cast.class_a1.school_year, closed_at=timezone.now())
    AttendanceMark.objects.create(
        student=cast.pupil_a1,
        class_group=cast.class_a1,
        date=TODAY,
        session="morning",
        status=Status.UNEXCUSED,
        recorded_by=cast.homeroom_a1,
    )
    page = fetch(cast.homeroom_a1, sheet_url(cast.class_a1))
    assert page.status_code == 200 and b'type="radio"' not in page.content
    response = fetch(
        cast.principal, sheet_url(cast.class_a1), "post", post_data(whole_class_a1(cast))
    )
    assert response.status_code == 409
    assert marks(cast.class_a1) == {cast.pupil_a1.pk: Status.UNEXCUSED}
    with pytest.raises(TermClosed):
        attendance.record_attendance(
            user=cast.principal,
            class_group=cast.class_a1,
            day=TODAY,
            session="morning",
            entries={cast.pupil_a1.pk: ("present", ""), cast.sibling_a1.pk: ("present", "")},
        )
    # The term whose dates include the day decides: term II, open, is writable.
    f.TermFactory(
        school_year=term.school_year,
        number=2,
        start_date=datetime.date(2027, 1, 18),
        end_date=datetime.date(2027, 5, 31),
    )
    assert Term.objects.of_year(cast.class_a1.school_year_id).containing(TODAY).first() == term


# --- the same-day alert ----------------------------------------------------------------------


def test_guardians_are_told_the_same_day_once_by_sms_too(
    cast, now, sms_file, django_capture_on_commit_callbacks
):
    cast.parent_a1.phone = "0987000011"
    cast.parent_a1.save()
    consents.record_consent(user=cast.parent_a1, channel="sms", agreed=True, source="paper_form")
    data = post_data(whole_class_a1(cast, **{}))
    data[f"status-{cast.pupil_a1.pk}"] = Status.UNEXCUSED
    with django_capture_on_commit_callbacks(execute=True):
        assert fetch(cast.homeroom_a1, sheet_url(cast.class_a1), "post", data).status_code == 302
    alert = Notification.objects.get()
    assert alert.recipient == cast.parent_a1 and alert.kind == "absence"
    assert alert.dedupe_key == f"absence:{cast.pupil_a1.pk}:2026-11-25:morning:{cast.parent_a1.pk}"
    assert Delivery.objects.get(notification=alert, channel="sms").status == "sent"
    assert [line["phone"] for line in sms_lines(sms_file)] == ["0987000011"]

    # Saving the register again (and again, with another pupil late) does not repeat it.
    data[f"status-{cast.sibling_a1.pk}"] = Status.LATE
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            fetch(cast.homeroom_a1, sheet_url(cast.class_a1), "post", data)
    assert Notification.objects.count() == 1 and len(sms_lines(sms_file)) == 1


def test_each_guardian_of_each_absent_pupil_is_told_once(cast, now):
    second = f.UserFactory()
    f.link_guardian(second, cast.pupil_a1, relationship="father")
    attendance.record_attendance(
        user=cast.homeroom_a1,
        class_group=cast.class_a1,
        day=TODAY,
        session="afternoon",
        entries={cast.pupil_a1.pk: ("unexcused", ""), cast.sibling_a1.pk: ("unexcused", "")},
    )
    told = sorted(Notification.objects.values_list("recipient__full_name", flat=True))
    assert told == sorted(
        [cast.parent_a1.full_name, second.full_name, cast.parent_of_two.full_name]
    )


def test_a_guardian_linked_after_the_alert_is_told_at_the_next_save_and_nobody_twice(cast, now):
    def save():
        return attendance.record_attendance(
            user=cast.homeroom_a1,
            class_group=cast.class_a1,
            day=TODAY,
            session="morning",
            entries={cast.pupil_a1.pk: ("unexcused", ""), cast.sibling_a1.pk: ("present", "")},
        )

    assert save().alerted == [cast.pupil_a1.pk]
    assert save().alerted == []
    mother = f.UserFactory()
    f.link_guardian(mother, cast.pupil_a1)
    assert save().alerted == [cast.pupil_a1.pk]
    assert save().alerted == []
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == sorted(
        [cast.parent_a1.pk, mother.pk]
    )


def test_turning_an_absence_into_present_sends_one_correction_and_no_new_alert(cast, now, sms_file):
    def save(status):
        attendance.record_attendance(
            user=cast.homeroom_a1,
            class_group=cast.class_a1,
            day=TODAY,
            session="morning",
            entries={cast.pupil_a1.pk: (status, ""), cast.sibling_a1.pk: ("present", "")},
        )

    save(Status.UNEXCUSED)
    save(Status.PRESENT)
    save(Status.PRESENT)
    keys = sorted(
        k.rsplit(":", 1)[0] for k in Notification.objects.values_list("dedupe_key", flat=True)
    )
    assert keys == [
        f"absence-corrected:{cast.pupil_a1.pk}:2026-11-25:morning",
        f"absence:{cast.pupil_a1.pk}:2026-11-25:morning",
    ]
    save(Status.UNEXCUSED)  # the same absence again: the guardian already knows
    assert Notification.objects.count() == 2


def test_a_present_pupil_gets_no_correction_and_a_past_day_no_alert(cast, now):
    attendance.record_attendance(
        user=cast.homeroom_a1,
        class_group=cast.class_a1,
        day=TODAY,
        session="morning",
        entries={cast.pupil_a1.pk: ("late", ""), cast.sibling_a1.pk: ("present", "")},
    )
    attendance.record_attendance(
        user=cast.homeroom_a1,
        class_group=cast.class_a1,
        day=TODAY,
        session="morning",
        entries={cast.pupil_a1.pk: ("present", ""), cast.sibling_a1.pk: ("present", "")},
    )
    last_week = TODAY - datetime.timedelta(days=7)
    attendance.record_attendance(
        user=cast.homeroom_a1,
        class_group=cast.class_a1,
        day=last_week,
        session="morning",
        entries={cast.pupil_a1.pk: ("unexcused", ""), cast.sibling_a1.pk: ("present", "")},
    )
    assert not Notification.objects.exists()
    assert (
        AttendanceMark.objects.get(student=cast.pupil_a1, date=last_week).status == Status.UNEXCUSED
    )


def test_an_unlinked_guardian_is_not_told(cast, now):
    cast.pupil_a1.guardianships.all().delete()
    attendance.record_attendance(
        user=cast.homeroom_a1,
        class_group=cast.class_a1,
        day=TODAY,
        session="morning",
        entries={cast.pupil_a1.pk: ("unexcused", ""), cast.sibling_a1.pk: ("present", "")},
    )
    assert not Notification.objects.exists()


# --- prefilling ------------------------------------------------------------------------------


def test_the_kiosk_and_approved_leave_prefill_the_register(cast, now):
    extra = f.StudentFactory(school=cast.school_a, given_name="Đào")
    f.enrol(extra, cast.class_a1)
    check_in(cast.pupil_a1, TODAY, cast.device)
    LeaveRequest.objects.create(
        student=extra,
        requested_by=cast.parent_a1,
        start_date=TODAY,
        end_date=TODAY,
        sessions="morning",
        reason="ốm",
        status="approved",
    )
    LeaveRequest.objects.create(
        student=cast.sibling_a1,
        requested_by=cast.parent_of_two,
        start_date=TODAY,
        end_date=TODAY,
        sessions="both",
        reason="khám răng",
    )
    rows = {
        r.student.pk: r for r in attendance.attendance_sheet(cast.class_a1, TODAY, "morning").rows
    }
    assert (rows[cast.pupil_a1.pk].status, rows[cast.pupil_a1.pk].source) == (
        Status.PRESENT,
        "kiosk",
    )
    assert (rows[extra.pk].status, rows[extra.pk].source) == (Status.EXCUSED, "leave")
    # No card read while the kiosk was in use: absent, for the teacher to confirm; a pending
    # request is shown, not applied.
    assert (rows[cast.sibling_a1.pk].status, rows[cast.sibling_a1.pk].source) == (
        Status.UNEXCUSED,
        "kiosk",
    )
    assert rows[cast.sibling_a1.pk].pending_leave is not None
    # The afternoon is not covered by the morning's leave; a saved mark wins over everything.
    afternoon = {
        r.student.pk: r.status
        for r in attendance.attendance_sheet(cast.class_a1, TODAY, "afternoon").rows
    }
    assert afternoon[extra.pk] == Status.UNEXCUSED
    AttendanceMark.objects.create(
        student=extra,
        class_group=cast.class_a1,
        date=TODAY,
        session="morning",
        status=Status.LATE,
        recorded_by=cast.homeroom_a1,
    )
    rows = {
        r.student.pk: r for r in attendance.attendance_sheet(cast.class_a1, TODAY, "morning").rows
    }
    assert (rows[extra.pk].status, rows[extra.pk].source) == (Status.LATE, "saved")


def test_without_kiosk_data_everyone_starts_present(cast, now):
    check_in(
        cast.pupil_a1, TODAY - datetime.timedelta(days=1), cast.device
    )  # yesterday's reads do not count
    sheet = attendance.attendance_sheet(cast.class_a1, TODAY, "morning")
    assert [r.status for r in sheet.rows] == [
        Status.PRESENT,
        Status.PRESENT,
    ] and not sheet.kiosk_used


# --- the parent's calendar -------------------------------------------------------------------


def calendar_url(student, month="2026-11") -> str:
    return reverse("contactbook:pupil_attendance", args=[student.pk]) + f"?thang={month}"


def test_the_calendar_is_for_the_pupils_guardians_and_the_staff_who_see_the_pupil(cast, now):
    url = calendar_url(cast.pupil_a1)
    assert_cast(
        cast,
        lambda u: fetch(u, url).status_code == 200,
        {"operator", "principal", "teacher_a1", "homeroom_a1", "parent_a1"},
    )


def test_an_unlinked_guardian_loses_the_calendar_at_once(cast, now):
    url = calendar_url(cast.pupil_a1)
    assert fetch(cast.parent_a1, url).status_code == 200
    cast.pupil_a1.guardianships.filter(guardian__user=cast.parent_a1).delete()
    assert fetch(cast.parent_a1, url).status_code == 404


def test_the_calendar_shows_each_session_with_its_status(cast, now):
    for day, session, status in [
        (TODAY, "morning", Status.UNEXCUSED),
        (TODAY, "afternoon", Status.PRESENT),
        (datetime.date(2026, 11, 3), "morning", Status.LATE),
        (datetime.date(2026, 10, 30), "morning", Status.EXCUSED),
    ]:
        AttendanceMark.objects.create(
            student=cast.pupil_a1,
            class_group=cast.class_a1,
            date=day,
            session=session,
            status=status,
            recorded_by=cast.homeroom_a1,
        )
    LeaveRequest.objects.create(
        student=cast.pupil_a1,
        requested_by=cast.parent_a1,
        start_date=TODAY + datetime.timedelta(days=2),
        end_date=TODAY + datetime.timedelta(days=2),
        sessions="afternoon",
        reason="r",
        status="approved",
    )
    context = attendance.month_calendar(cast.pupil_a1, 2026, 11)
    cells = {c.day: c for week in context["weeks"] for c in week if c.day}
    assert len(cells) == 30 and all(len(week) == 7 for week in context["weeks"])
    assert context["weeks"][0][6].day == datetime.date(2026, 11, 1)  # 1/11/2026 is a Sunday
    assert (cells[TODAY].morning, cells[TODAY].afternoon, cells[TODAY].is_today) == (
        "unexcused",
        "present",
        True,
    )
    assert cells[datetime.date(2026, 11, 27)].leave == "afternoon"
    assert context["totals"] == {"present": 1, "late": 1, "excused": 0, "unexcused": 1}
    assert (context["year_absences"]["excused"], context["year_absences"]["unexcused"]) == (1, 1)

    content = fetch(cast.parent_a1, calendar_url(cast.pupil_a1)).content.decode()
    assert 'data-date="2026-11-25" data-morning="unexcused" data-afternoon="present"' in content
    assert 'data-date="2026-11-03" data-session="morning" data-status="late"' in content
    assert "25/11/2026" in content


@pytest.mark.parametrize("month", ["2026-13", "abc", "9999-12", "", "2026-1-1"])
def test_an_unreadable_month_shows_this_month(cast, now, month):
    response = fetch(cast.parent_a1, calendar_url(cast.pupil_a1, month))
    assert response.status_code == 200 and response.context["month"] == datetime.date(2026, 11, 1)


# --- constant queries ------------------------------------------------------------------------


def _count(user, url) -> int:
    from tests.clients import Client

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_register_runs_the_same_queries_for_3_and_30_pupils(now):
    counts = []
    for size in (3, 30):
        class_group, teacher, pupils = big_class(size)
        device = f.DeviceFactory(room=f.RoomFactory(school=class_group.school), kind="kiosk")
        for pupil in pupils[: size // 2]:
            check_in(pupil, TODAY, device)
        for pupil in pupils[::3]:
            LeaveRequest.objects.create(
                student=pupil,
                requested_by=teacher,
                start_date=TODAY,
                end_date=TODAY,
                reason="r",
                status="approved",
            )
        for pupil in pupils[1::3]:
            AttendanceMark.objects.create(
                student=pupil,
                class_group=class_group,
                date=TODAY,
                session="morning",
                status=Status.LATE,
                recorded_by=teacher,
            )
        counts.append(_count(teacher, sheet_url(class_group)))
    # session + user, the class (access), may-write, the sheet (pupils, marks, kiosk, leave,
    # term), and the top bar's "manages a school?".
    assert counts == [10, 10]


def test_the_register_selector_runs_five_queries(cast, django_assert_num_queries, now):
    with django_assert_num_queries(5):
        attendance.attendance_sheet(cast.class_a1, TODAY, "morning")


def test_the_calendar_runs_the_same_queries_for_an_empty_and_a_full_month(now):
    counts = []
    for marked in (False, True):
        class_group, teacher, pupils = big_class(3 if not marked else 30)
        pupil = pupils[0]
        parent = pupil.guardianships.get().guardian.user
        if marked:
            for number in range(1, 26):
                for session in ("morning", "afternoon"):
                    AttendanceMark.objects.create(
                        student=pupil,
                        class_group=class_group,
                        date=datetime.date(2026, 11, number),
                        session=session,
                        status=Status.UNEXCUSED if number % 4 else Status.LATE,
                        recorded_by=teacher,
                    )
            for start in (26, 28):
                LeaveRequest.objects.create(
                    student=pupil,
                    requested_by=parent,
                    start_date=datetime.date(2026, 11, start),
                    end_date=datetime.date(2026, 11, start + 1),
                    reason="r",
                    status="approved",
                )
        counts.append(_count(parent, calendar_url(pupil)))
    # session + user, the pupil (access), marks, approved leave, enrolment, year totals, the
    # parent's children (header), and the top bar's "manages a school?".
    assert counts == [9, 9]

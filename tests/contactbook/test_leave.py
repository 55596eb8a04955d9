"""Leave requests: a guardian asks for their own child only, every kind of bad request is
refused with a message, the homeroom teacher (or a manager) approves or declines, approval
excuses the absences and prefills later registers, guardians are told, and revocation is
immediate."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from contactbook import attendance
from contactbook import leave as leave_requests
from contactbook import access
from contactbook.models import AttendanceMark, LeaveRequest, Notification
from tests.conftest import assert_cast
from tests.contactbook.attendance_support import (  # noqa: F401 (the *_fixture names are fixtures)
    TODAY,
    fetch,
    now_fixture,
    term_one,
)

pytestmark = pytest.mark.django_db

Status = AttendanceMark.Status


def leave_url(student) -> str:
    return reverse("contactbook:pupil_leave", args=[student.pk])


def ask(user, student, start=TODAY, end=None, sessions="both", reason="Cháu bị sốt"):
    data = {
        "start_date": start.isoformat() if isinstance(start, datetime.date) else start,
        "end_date": (end or start).isoformat() if isinstance(end or start, datetime.date) else end,
        "sessions": sessions,
        "reason": reason,
    }
    return fetch(user, leave_url(student), "post", data, language="en")


def pending(cast, student=None, **kwargs) -> LeaveRequest:
    student = student or cast.pupil_a1
    values = {"start_date": TODAY, "end_date": TODAY, "sessions": "both", "reason": "ốm"} | kwargs
    return LeaveRequest.objects.create(student=student, requested_by=cast.parent_a1, **values)


def loads(function, *args) -> bool:
    try:
        function(*args)
    except Http404:
        return False
    return True


# --- who may ---------------------------------------------------------------------------------


def test_only_the_pupils_guardian_opens_the_leave_page(cast, now):
    url = leave_url(cast.pupil_a1)
    assert_cast(cast, lambda u: fetch(u, url).status_code == 200, {"parent_a1"})


def test_only_the_pupils_guardian_may_ask(cast, now):
    def asks(user):
        LeaveRequest.objects.all().delete()
        response = ask(user, cast.pupil_a1)
        return (
            response.status_code == 302
            and LeaveRequest.objects.filter(requested_by=user.pk).exists()
        )

    assert_cast(cast, asks, {"parent_a1"})


def test_the_class_leave_page_is_for_its_homeroom_teacher_and_the_managers(cast, now):
    url = reverse("contactbook:class_leave", args=[cast.class_a1.pk])
    assert_cast(
        cast, lambda u: fetch(u, url).status_code == 200, {"operator", "principal", "homeroom_a1"}
    )


def test_who_may_answer_and_who_may_cancel_a_request(cast, now):
    leave = pending(cast)
    assert_cast(
        cast,
        lambda u: loads(access.get_leave_for_register, u, leave.pk),
        {"operator", "principal", "homeroom_a1"},
    )
    assert_cast(cast, lambda u: loads(access.get_leave_for_guardian, u, leave.pk), {"parent_a1"})
    sibling = pending(cast, cast.sibling_a1)
    assert_cast(
        cast, lambda u: loads(access.get_leave_for_guardian, u, sibling.pk), {"parent_of_two"}
    )


def test_only_those_who_may_answer_can_post_an_answer(cast, now):
    def answers(user):
        leave = pending(cast)
        fetch(
            user,
            reverse("contactbook:decide_leave", args=[leave.pk]),
            "post",
            {"action": "decline"},
        )
        leave.refresh_from_db()
        decided = leave.status == LeaveRequest.Status.DECLINED
        leave.delete()
        return decided

    assert_cast(cast, answers, {"operator", "principal", "homeroom_a1"})


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, sessions, reason, field, message",
    [
        (
            TODAY,
            TODAY - datetime.timedelta(days=1),
            "both",
            "ốm",
            "end_date",
            "The last day of leave cannot be before the first.",
        ),
        (
            TODAY - datetime.timedelta(days=4),
            TODAY,
            "both",
            "ốm",
            "start_date",
            "Leave can be asked at most 3 days after the fact.",
        ),
        (
            TODAY,
            TODAY + datetime.timedelta(days=30),
            "both",
            "ốm",
            "end_date",
            "Leave can be asked for 30 days at most; for longer, please contact the school.",
        ),
        (
            TODAY + datetime.timedelta(days=120),
            TODAY + datetime.timedelta(days=120),
            "both",
            "ốm",
            "start_date",
            "This date is too far ahead.",
        ),
        (TODAY, TODAY, "both", "   ", "reason", "This field is required."),
        (TODAY, TODAY, "evening", "ốm", "sessions", None),
        ("31/02/2026", TODAY, "both", "ốm", "start_date", None),
        (TODAY, TODAY, "both", "x" * 501, "reason", None),
    ],
    ids=[
        "end before start",
        "too far back",
        "too long",
        "too far ahead",
        "no reason",
        "bad session",
        "impossible date",
        "reason too long",
    ],
)
def test_a_bad_request_is_refused_with_a_message_on_its_field(
    cast, now, start, end, sessions, reason, field, message
):
    response = ask(cast.parent_a1, cast.pupil_a1, start, end, sessions, reason)
    assert response.status_code == 422 and not LeaveRequest.objects.exists()
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert errors[field] == [message]
    assert f'id="id_{field}-error"' in response.content.decode()


def test_a_date_typed_the_vietnamese_way_is_accepted(cast, now):
    response = ask(cast.parent_a1, cast.pupil_a1, "25/11/2026", "26/11/2026")
    assert response.status_code == 302
    assert LeaveRequest.objects.values_list("start_date", "end_date").get() == (
        TODAY,
        TODAY + datetime.timedelta(days=1),
    )


def test_a_request_overlapping_a_pending_or_approved_one_is_refused(cast, now):
    first = pending(
        cast, start_date=TODAY, end_date=TODAY + datetime.timedelta(days=2), sessions="morning"
    )
    response = ask(
        cast.parent_a1, cast.pupil_a1, TODAY + datetime.timedelta(days=1), sessions="both"
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "A request for these days is already waiting for the teacher (25/11/2026–27/11/2026). "
        "Cancel it first or choose other days."
    ]
    # The other session of the same days is not an overlap.
    assert (
        ask(
            cast.parent_a1, cast.pupil_a1, TODAY + datetime.timedelta(days=1), sessions="afternoon"
        ).status_code
        == 302
    )
    first.status = LeaveRequest.Status.APPROVED
    first.save()
    response = ask(cast.parent_a1, cast.pupil_a1, TODAY, sessions="morning")
    assert (
        response.status_code == 422
        and "already been approved" in response.context["form"].non_field_errors()[0]
    )
    # A declined or cancelled request is no obstacle.
    LeaveRequest.objects.update(status=LeaveRequest.Status.DECLINED)
    assert ask(cast.parent_a1, cast.pupil_a1, TODAY).status_code == 302
    assert LeaveRequest.objects.count() == 3


def test_a_new_request_tells_the_homeroom_teacher(cast, now):
    ask(cast.parent_a1, cast.pupil_a1)
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (cast.homeroom_a1, "leave_request")
    assert note.url == f"/giao-vien/lop/{cast.class_a1.pk}/xin-nghi/"


# --- the approval flow -----------------------------------------------------------------------


def decide(user, leave, action, note=""):
    return fetch(
        user,
        reverse("contactbook:decide_leave", args=[leave.pk]),
        "post",
        {"action": action, "note": note},
    )


def test_approved_leave_excuses_the_absences_and_prefills_later_registers(cast, now):
    attendance.record_attendance(
        user=cast.homeroom_a1,
        class_group=cast.class_a1,
        day=TODAY,
        session="morning",
        entries={cast.pupil_a1.pk: ("unexcused", ""), cast.sibling_a1.pk: ("present", "")},
    )
    attendance.record_attendance(
        user=cast.homeroom_a1,
        class_group=cast.class_a1,
        day=TODAY,
        session="afternoon",
        entries={cast.pupil_a1.pk: ("late", ""), cast.sibling_a1.pk: ("present", "")},
    )
    Notification.objects.all().delete()

    assert (
        ask(cast.parent_a1, cast.pupil_a1, TODAY, TODAY + datetime.timedelta(days=1)).status_code
        == 302
    )
    leave = LeaveRequest.objects.get()
    page = fetch(cast.homeroom_a1, reverse("contactbook:class_leave", args=[cast.class_a1.pk]))
    assert [item.pk for item in page.context["pending"]] == [leave.pk]

    assert decide(cast.homeroom_a1, leave, "approve", "Chúc cháu mau khỏi").status_code == 302
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by, leave.decision_note) == (
        "approved",
        cast.homeroom_a1,
        "Chúc cháu mau khỏi",
    )
    morning = AttendanceMark.objects.get(student=cast.pupil_a1, date=TODAY, session="morning")
    assert morning.status == Status.EXCUSED
    assert [h.status for h in morning.history.order_by("history_date")] == [
        Status.UNEXCUSED,
        Status.EXCUSED,
    ]
    assert morning.history.latest().history_user == cast.homeroom_a1
    # The pupil who came late that afternoon stays late.
    assert (
        AttendanceMark.objects.get(student=cast.pupil_a1, date=TODAY, session="afternoon").status
        == Status.LATE
    )
    tomorrow = TODAY + datetime.timedelta(days=1)
    for session in ("morning", "afternoon"):
        rows = {
            r.student.pk: r
            for r in attendance.attendance_sheet(cast.class_a1, tomorrow, session).rows
        }
        assert (rows[cast.pupil_a1.pk].status, rows[cast.pupil_a1.pk].source) == (
            Status.EXCUSED,
            "leave",
        )

    told = Notification.objects.filter(kind="leave").get()
    assert told.recipient == cast.parent_a1 and "Chúc cháu mau khỏi" in told.body
    parent_page = fetch(cast.parent_a1, leave_url(cast.pupil_a1))
    assert f'data-leave="{leave.pk}" data-status="approved"' in parent_page.content.decode()


def test_declined_leave_changes_no_mark(cast, now):
    attendance.record_attendance(
        user=cast.homeroom_a1,
        class_group=cast.class_a1,
        day=TODAY,
        session="morning",
        entries={cast.pupil_a1.pk: ("unexcused", ""), cast.sibling_a1.pk: ("present", "")},
    )
    leave = pending(cast)
    assert decide(cast.principal, leave, "decline", "Cần giấy của bác sĩ").status_code == 302
    leave.refresh_from_db()
    assert leave.status == "declined"
    assert (
        AttendanceMark.objects.get(student=cast.pupil_a1, session="morning").status
        == Status.UNEXCUSED
    )
    rows = {
        r.student.pk: r.status
        for r in attendance.attendance_sheet(cast.class_a1, TODAY, "afternoon").rows
    }
    assert rows[cast.pupil_a1.pk] == Status.PRESENT
    assert Notification.objects.get(kind="leave").recipient == cast.parent_a1


def test_a_request_is_answered_once(cast, now):
    leave = pending(cast)
    decide(cast.homeroom_a1, leave, "approve")
    decide(cast.principal, leave, "decline")
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == ("approved", cast.homeroom_a1)
    assert Notification.objects.filter(kind="leave").count() == 1


def test_an_unknown_answer_changes_nothing(cast, now):
    leave = pending(cast)
    assert decide(cast.homeroom_a1, leave, "maybe").status_code == 302
    leave.refresh_from_db()
    assert leave.status == "pending"


def test_approval_leaves_a_closed_terms_marks_alone(cast, now):
    AttendanceMark.objects.create(
        student=cast.pupil_a1,
        class_group=cast.class_a1,
        date=TODAY,
        session="morning",
        status=Status.UNEXCUSED,
        recorded_by=cast.homeroom_a1,
    )
    term_one(cast.class_a1.school_year, closed_at=timezone.now())
    leave = pending(cast)
    leave_requests.decide_leave(user=cast.principal, leave=leave, approve=True)
    assert AttendanceMark.objects.get().status == Status.UNEXCUSED


def test_a_guardian_cancels_a_waiting_request_but_not_an_answered_one(cast, now):
    waiting, answered = (
        pending(cast),
        pending(
            cast,
            start_date=TODAY + datetime.timedelta(days=5),
            end_date=TODAY + datetime.timedelta(days=5),
            status="approved",
        ),
    )
    for leave in (waiting, answered):
        response = fetch(
            cast.parent_a1, reverse("contactbook:cancel_leave", args=[leave.pk]), "post"
        )
        assert response.status_code == 302
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert (waiting.status, answered.status) == ("cancelled", "approved")
    assert (
        fetch(
            cast.parent_a2, reverse("contactbook:cancel_leave", args=[answered.pk]), "post"
        ).status_code
        == 404
    )


# --- revocation ------------------------------------------------------------------------------


def test_an_unlinked_guardian_can_no_longer_see_ask_or_cancel(cast, now):
    leave = pending(cast)
    cast.pupil_a1.guardianships.filter(guardian__user=cast.parent_a1).delete()
    assert fetch(cast.parent_a1, leave_url(cast.pupil_a1)).status_code == 404
    assert ask(cast.parent_a1, cast.pupil_a1).status_code == 404
    assert (
        fetch(
            cast.parent_a1, reverse("contactbook:cancel_leave", args=[leave.pk]), "post"
        ).status_code
        == 404
    )
    assert LeaveRequest.objects.get().status == "pending"


def test_a_pupil_moved_to_another_class_leaves_the_old_homeroom_teachers_hands(cast, now):
    leave = pending(cast)
    cast.pupil_a1.enrolments.get().end(on=TODAY, status="transferred")
    from tests import factories as f

    f.enrol(cast.pupil_a1, cast.class_a2)
    assert decide(cast.homeroom_a1, leave, "approve").status_code == 404
    leave.refresh_from_db()
    assert leave.status == "pending"
    assert decide(cast.principal, leave, "approve").status_code == 302

"""Everything the school tells a family goes to the guardians who can be reached
(Guardianship.objects.reachable): a deactivated account is told nothing, by any channel,
while the pupil's active co-guardian is told as before."""

import pytest

from contactbook import announcements, attendance, comments, messaging, summaries
from contactbook import leave as leave_requests
from contactbook.gradebook.columns import column_by_key
from contactbook.gradebook.writes import publish_column
from contactbook.models import AttendanceMark, Delivery, LeaveRequest, Notification
from tests import factories as f
from tests.contactbook.attendance_support import (  # noqa: F401 (the *_fixture names are fixtures)
    TODAY,
    now_fixture,
    term_one,
)

pytestmark = pytest.mark.django_db


def a_published_score(cast, term):
    f.score(cast.pupil_a1, cast.math, term, published=False)
    publish_column(
        teacher=cast.teacher_a1, class_group=cast.class_a1, subject=cast.math, term=term,
        column=column_by_key(cast.math, "regular-1"),
    )


def an_absence(cast, term):
    attendance.record_attendance(
        user=cast.homeroom_a1, class_group=cast.class_a1, day=TODAY, session="morning",
        entries={
            cast.pupil_a1.pk: (AttendanceMark.Status.UNEXCUSED, ""),
            cast.sibling_a1.pk: (AttendanceMark.Status.PRESENT, ""),
        },
    )


def a_comment(cast, term):
    comments.add_daily_comments(
        author=cast.teacher_a1, class_group=cast.class_a1, student_ids=[cast.pupil_a1.pk],
        kind="praise", text="Phát biểu tốt",
    )


def a_leave_decision(cast, term):
    leave = LeaveRequest.objects.create(
        student=cast.pupil_a1, requested_by=cast.parent_a1, start_date=TODAY, end_date=TODAY,
        sessions="both", reason="ốm",
    )
    leave_requests.decide_leave(user=cast.homeroom_a1, leave=leave, approve=True)


def an_announcement(cast, term):
    announcements.send_announcement(
        author=cast.homeroom_a1, school=cast.school_a, audience="class",
        class_group=cast.class_a1, title="Họp phụ huynh", body="Thứ Bảy, 8:00",
    )


def a_message(cast, term):
    messaging.send_message(sender=cast.teacher_a1, student_id=cast.pupil_a1.pk, body="Chào anh chị")


def a_weekly_summary(cast, term):
    summaries.create_weekly_summaries(
        school_id=cast.school_a.pk, start=TODAY, student_ids=[cast.pupil_a1.pk]
    )


NEWS = {
    "scores": a_published_score,
    "absence": an_absence,
    "comment": a_comment,
    "leave": a_leave_decision,
    "announcement": an_announcement,
    "message": a_message,
    "summary": a_weekly_summary,
}


@pytest.mark.parametrize("news", NEWS.values(), ids=NEWS.keys())
def test_a_deactivated_guardian_is_told_nothing_while_the_co_guardian_is(cast, now, news):
    term = term_one(cast.class_a1.school_year)
    gone = f.UserFactory(full_name="Người Đã Khoá", email="khoa@example.com")
    f.link_guardian(gone, cast.pupil_a1, relationship="father")
    gone.is_active = False
    gone.save()
    news(cast, term)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert cast.parent_a1.pk in told
    assert gone.pk not in told
    assert not Delivery.objects.filter(address__in=[gone.phone, gone.email]).exists()

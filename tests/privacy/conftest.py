"""A pupil with some of every kind of data the school holds (`rich`), and the same kinds for
another pupil of the same class (`other`) whose traces must never show in the first's export."""

import datetime
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from contactbook import notifications
from contactbook.messaging import send_message
from contactbook.models import (
    ConductRating,
    DailyComment,
    LeaveRequest,
    TermComment,
    WeeklySummary,
)
from reports.models import ReportCard
from school.models import DataAccess
from tests import factories as f


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MESSAGE_ATTACHMENTS_ROOT = tmp_path / "attachments"
    return settings.MESSAGE_ATTACHMENTS_ROOT


def png(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@dataclass
class Marks:
    """The distinctive texts written for one pupil, by kind."""

    score: str
    daily_comment: str
    message: str
    attachment: str
    leave_reason: str
    summary: str
    notification: str
    card_code: str
    term_comment: str


@pytest.fixture
def closed_term(cast):
    return f.TermFactory(
        school_year=cast.class_a1.school_year, number=1,
        start_date=datetime.date(2026, 9, 5), end_date=datetime.date(2026, 11, 15),
        closed_at=timezone.now(), closed_by=cast.principal,
    )


def fill(cast, student, parent, tag: str, term, *, extra: int = 0) -> Marks:
    """Every kind of data about `student`, each text carrying `tag`; `extra` more of each
    (for the query count)."""
    teacher = cast.teacher_a1 if student.enrolments.get().class_group == cast.class_a1 else cast.teacher_a2
    subject = cast.math if teacher == cast.teacher_a1 else teacher.teaching_assignments.get().subject
    marks = Marks(
        score="7,5", daily_comment=f"Chăm chỉ {tag}", message=f"Tin nhắn {tag}",
        attachment=f"giay-kham-{tag}.png", leave_reason=f"Ốm sốt {tag}", summary=f"Tuần {tag}",
        notification=f"Thông báo riêng {tag}", card_code=f"CODE{tag}"[:16],
        term_comment=f"Nhận xét kỳ {tag}",
    )
    for n in range(1 + extra):
        f.score(student, subject, term, value="7.5", index=n + 1, by=teacher)
        f.attendance_mark(student, datetime.date(2026, 10, 5) + datetime.timedelta(days=n),
                          status="excused", note=f"Khám bệnh {tag}", by=cast.homeroom_a1)
        DailyComment.objects.create(student=student, class_group=student.enrolments.get().class_group,
                                    author=teacher, date=datetime.date(2026, 10, 6), kind="praise",
                                    text=marks.daily_comment)
        send_message(sender=teacher, student_id=student.pk, body=marks.message,
                     files=[png(marks.attachment)])
        LeaveRequest.objects.create(student=student, requested_by=parent,
                                    start_date=datetime.date(2026, 10, 5) + datetime.timedelta(days=n),
                                    end_date=datetime.date(2026, 10, 5) + datetime.timedelta(days=n),
                                    reason=marks.leave_reason)
        WeeklySummary.objects.create(student=student, week_start=datetime.date(2026, 9, 7) + datetime.timedelta(weeks=n),
                                     data={"note": marks.summary})
        notifications.notify(recipients=[parent], kind="comment", title=marks.notification,
                             body=marks.notification, url=f"/phu-huynh/hoc-sinh/{student.pk}/nhan-xet/",
                             key=f"test:{tag}:{n}")
        DataAccess.objects.create(user=cast.principal, user_name=cast.principal.full_name,
                                  action="report_card", school=student.school, student=student)
        ReportCard.objects.create(student=student, school_year=term.school_year, term=term,
                                  class_group=student.enrolments.get().class_group,
                                  content_hash="a" * 64, code=f"{marks.card_code}{n}"[:16], pdf=b"%PDF",
                                  fingerprint="b" * 64,
                                  superseded_at=None if n == extra else timezone.now())
    ConductRating.objects.create(student=student, term=term, rating="Tốt", updated_by=cast.homeroom_a1)
    TermComment.objects.create(student=student, term=term, text=marks.term_comment, author=cast.homeroom_a1)
    return marks


@pytest.fixture
def rich(cast, closed_term) -> Marks:
    return fill(cast, cast.pupil_a1, cast.parent_a1, "AnMot", closed_term)


@pytest.fixture
def other(cast, closed_term) -> Marks:
    return fill(cast, cast.pupil_a2, cast.parent_a2, "BinhHai", closed_term)

"""The demo's contact book as a school has it by late November: message threads between parents
and teachers (one with a doctor's note attached), announcements that most families have read,
leave requests in every state, daily praise and concerns, two weeks of weekly summaries (the
older one acknowledged, the last one not yet) and the notifications all of these sent. Before
any of it, the consents most families gave on the paper form at enrolment: SMS and Zalo for
most, SMS alone for some, nothing yet for a few (so SMS and Zalo go only to those who agreed).

Everything goes through the contact book's own services, as a parent's or teacher's click
would, so the rows, notifications and deliveries are the real ones; the days are counted from
today (leave may only be asked a few days back), so a demo seeded next month looks as fresh.
Skipped when the demo schools already have message threads: a second run writes nothing.
"""

import datetime
import random
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from contactbook import announcements, comments, messaging, summaries
from contactbook.leave import cancel_leave, decide_leave, request_leave
from contactbook.models import (
    Announcement,
    Consent,
    DailyComment,
    LeaveRequest,
    MessageThread,
    Notification,
    WeeklySummary,
)
from demo.lessons import pdf_bytes
from demo.school import LOGINS, PRIMARY_CODE, SCHOOL_CODES, UPPER_CODE
from school.models import ClassGroup, Guardianship, School, SchoolYear, Student

SEED = "seed_demo/contactbook"
Audience = Announcement.Audience
Sessions = LeaveRequest.Sessions
PRAISE, CONCERN = DailyComment.Kind.PRAISE, DailyComment.Kind.CONCERN


def _school_day(today: datetime.date, offset: int, *, days_a_week: int = 6) -> datetime.date:
    """The `offset`-th school day after today (Monday–Saturday, or Monday–Friday)."""
    day = today
    while offset > 0:
        day += datetime.timedelta(days=1)
        if day.isoweekday() <= days_a_week:
            offset -= 1
    return day


class _Cast:
    """The demo's people and classes this module writes as."""

    def __init__(self):
        phones = {key: login.phone for key, login in LOGINS.items()}
        users = {u.phone: u for u in User.objects.filter(phone__in=phones.values())}
        self.login = {key: users[phone] for key, phone in phones.items()}
        self.classes = {
            (c.school.code, c.name): c
            for c in ClassGroup.objects.filter(
                school__code__in=SCHOOL_CODES, school_year__is_current=True
            ).select_related("school", "homeroom_teacher")
        }
        self.khoi = self._child("parent_of_two", UPPER_CODE)
        self.ngoc = self._child("parent_of_two", PRIMARY_CODE)
        self.bao = self._child("parent_10a2", UPPER_CODE)

    def _child(self, parent: str, school_code: str) -> Student:
        return Student.objects.get(
            guardianships__guardian__user=self.login[parent], school__code=school_code
        )

    def klass(self, school_code: str, name: str) -> ClassGroup:
        return self.classes[(school_code, name)]

    def classmates(self, group: ClassGroup, *, leave_out: Student, count: int) -> list[Student]:
        """`count` pupils of the class other than `leave_out`, the same ones every run."""
        pupils = [s for s in Student.objects.in_class(group) if s.pk != leave_out.pk]
        return random.Random(f"{SEED}/{group.name}").sample(pupils, count)


def _guardian(student: Student) -> User:
    return Guardianship.objects.filter(student=student).order_by("pk").first().guardian.user


def seed_contact_book(log: Callable[[str], None] = lambda message: None) -> int:
    """Write the demo's messages, announcements, leave, comments and summaries; returns the
    number of notifications they sent (0, and nothing written, when already there)."""
    if not School.objects.filter(code__in=SCHOOL_CODES).exists() or MessageThread.objects.filter(
        student__school__code__in=SCHOOL_CODES
    ).exists():
        return 0
    before = Notification.objects.count()
    cast, today = _Cast(), timezone.localdate()
    consents = _consents(cast)
    _messages(cast)
    _comments(cast)
    leave = _leave(cast, today)
    read = _announcements(cast)
    weeks = _summaries(cast, today)
    sent = Notification.objects.count() - before
    log(
        f"Sổ liên lạc: {MessageThread.objects.filter(student__school__code__in=SCHOOL_CODES).count()}"
        f" cuộc trao đổi, {leave} đơn xin nghỉ, {read} lượt đọc thông báo, bản tin tuần "
        f"{weeks}, {sent} thông báo đã gửi; {consents} phụ huynh đồng ý nhận SMS"
    )
    return sent


def _consents(cast: _Cast) -> int:
    """The paper form every family is handed at enrolment asks whether they agree to SMS and
    Zalo: about 85 in 100 agreed to both, 8 to SMS alone, the rest have not returned it. The
    demo logins' parents agreed to both. Written on the first day of the school year, by
    nobody in particular (the clerk typed the forms in). Returns how many agreed to SMS."""
    rng = random.Random(f"{SEED}/consents")
    logins = {cast.login["parent_of_two"].pk, cast.login["parent_10a2"].pk}
    start = SchoolYear.objects.filter(school__code__in=SCHOOL_CODES, is_current=True).order_by(
        "start_date").values_list("start_date", flat=True).first() or timezone.localdate()
    at = timezone.make_aware(datetime.datetime.combine(start, datetime.time(7, 30)))
    parents = User.objects.filter(
        guardian__guardianships__student__school__code__in=SCHOOL_CODES
    ).distinct().order_by("pk").values_list("pk", flat=True)
    rows, agreed_sms = [], 0
    for pk in parents:
        draw = 0.0 if pk in logins else rng.random()
        channels = ("sms", "zalo") if draw < 0.85 else ("sms",) if draw < 0.93 else ()
        agreed_sms += bool(channels)
        rows += [Consent(user_id=pk, channel=channel, agreed=True, source=Consent.Source.PAPER_FORM,
                         recorded_at=at) for channel in channels]
    # One INSERT for a few thousand families, as an import of the forms would do; the rows are
    # the same as contactbook.consents.record_consent writes.
    Consent.objects.bulk_create(rows)
    return agreed_sms


def _messages(cast: _Cast) -> None:
    mother, mai = cast.login["parent_of_two"], cast.login["homeroom_10a1"]
    hung = cast.login["math_teacher"]
    send = messaging.send_message
    send(sender=mother, student_id=cast.khoi.pk, body=(
        "Chào cô Mai, tuần trước Khôi bị sốt nên nghỉ hai buổi. Cô cho em xin bài tập các môn "
        "để cháu làm bù ạ."
    ))
    send(sender=mai, student_id=cast.khoi.pk, body=(
        "Chào chị, cô đã nhờ lớp trưởng gửi bài cho Khôi rồi. Chị gửi giúp cô giấy khám bệnh "
        "của cháu để cô ghi vào sổ nhé."
    ))
    note = pdf_bytes("Giấy khám bệnh", [
        "Benh vien Bai Chay - Phong kham Nhi", "Benh nhan: Dang Minh Khoi",
        "Chan doan: sot virus. Nghi hoc 2 ngay.",
    ])
    send(sender=mother, student_id=cast.khoi.pk, body="Em gửi cô giấy khám của cháu ạ.",
         files=[ContentFile(note, name="giay-kham-benh.pdf")])
    send(sender=hung, student_id=cast.khoi.pk, body=(
        "Chào chị, bài kiểm tra cuối kỳ môn Toán Khôi làm tốt. Tuần này cháu nghỉ nên thầy "
        "sẽ giảng lại phần hàm số bậc hai cho cháu vào giờ phụ đạo chiều thứ Năm."
    ))
    send(sender=mai, student_id=cast.khoi.pk, body="Cô nhận được rồi, cảm ơn chị. Chúc Khôi mau khỏe!")

    teacher_3a = cast.klass(PRIMARY_CODE, "3A").homeroom_teacher
    send(sender=teacher_3a, student_id=cast.ngoc.pk, body=(
        "Chị ơi, sáng nay Ngọc kêu đau bụng, cô đã cho cháu nghỉ ở phòng y tế, giờ cháu đã đỡ. "
        "Gia đình để ý giúp cô nhé."
    ))
    send(sender=mother, student_id=cast.ngoc.pk, body="Dạ em cảm ơn cô, chiều nay em đón cháu sớm ạ.")

    father, teacher_10a2 = cast.login["parent_10a2"], cast.klass(UPPER_CODE, "10A2").homeroom_teacher
    send(sender=father, student_id=cast.bao.pk, body=(
        "Thầy cô cho tôi hỏi bao giờ lớp họp phụ huynh cuối học kỳ I ạ?"
    ))
    send(sender=teacher_10a2, student_id=cast.bao.pk, body=(
        "Chào anh, lớp họp vào sáng Chủ nhật 10/1, nhà trường sẽ gửi thông báo trên sổ liên lạc."
    ))


def _comments(cast: _Cast) -> None:
    add = comments.add_daily_comments
    class_10a1, class_3a = cast.klass(UPPER_CODE, "10A1"), cast.klass(PRIMARY_CODE, "3A")
    mai = class_10a1.homeroom_teacher
    others = cast.classmates(class_10a1, leave_out=cast.khoi, count=4)
    add(author=mai, class_group=class_10a1, student_ids=[cast.khoi.pk, others[0].pk, others[1].pk],
        kind=PRAISE, text="Tích cực phát biểu, trình bày tốt bài thuyết trình của nhóm.")
    add(author=mai, class_group=class_10a1, student_ids=[others[2].pk, others[3].pk],
        kind=CONCERN, text="Chưa làm bài tập về nhà môn Ngữ văn, cần nhắc nhở.")
    friends = cast.classmates(class_3a, leave_out=cast.ngoc, count=3)
    add(author=class_3a.homeroom_teacher, class_group=class_3a,
        student_ids=[cast.ngoc.pk, *(s.pk for s in friends)],
        kind=PRAISE, text="Đọc to, rõ ràng; biết giúp đỡ bạn cùng bàn.")
    class_10a2 = cast.klass(UPPER_CODE, "10A2")
    add(author=class_10a2.homeroom_teacher, class_group=class_10a2, student_ids=[cast.bao.pk],
        kind=PRAISE, text="Nhiệt tình tham gia lao động vệ sinh lớp học.")


def _leave(cast: _Cast, today: datetime.date) -> int:
    """One request in each state: Khôi's waits for his homeroom teacher, Ngọc's was approved,
    a classmate of Khôi's declined, Bảo's cancelled by his father; and one more approved."""
    class_10a1 = cast.klass(UPPER_CODE, "10A1")
    mai, mother = class_10a1.homeroom_teacher, cast.login["parent_of_two"]
    request_leave(user=mother, student=cast.khoi, start=_school_day(today, 2),
                  end=_school_day(today, 2), sessions=Sessions.BOTH,
                  reason="Gia đình có việc riêng ở quê, xin cho cháu nghỉ một ngày.")
    day = _school_day(today, 3, days_a_week=5)
    leave = request_leave(user=mother, student=cast.ngoc, start=day, end=day,
                          sessions=Sessions.MORNING, reason="Cháu đi khám răng định kỳ.")
    decide_leave(user=cast.klass(PRIMARY_CODE, "3A").homeroom_teacher, leave=leave, approve=True)
    first, second = cast.classmates(class_10a1, leave_out=cast.khoi, count=2)
    leave = request_leave(user=_guardian(first), student=first, start=_school_day(today, 4),
                          end=_school_day(today, 5), sessions=Sessions.BOTH,
                          reason="Gia đình cho cháu đi du lịch.")
    decide_leave(user=mai, leave=leave, approve=False,
                 note="Tuần này lớp ôn tập cuối kỳ; mong gia đình sắp xếp lịch khác.")
    leave = request_leave(user=_guardian(second), student=second, start=_school_day(today, 1),
                          end=_school_day(today, 1), sessions=Sessions.AFTERNOON,
                          reason="Cháu tham gia thi đấu bóng đá cấp thành phố.")
    decide_leave(user=mai, leave=leave, approve=True, note="Chúc cháu thi đấu tốt.")
    father = cast.login["parent_10a2"]
    leave = request_leave(user=father, student=cast.bao, start=_school_day(today, 3),
                          end=_school_day(today, 3), sessions=Sessions.MORNING,
                          reason="Cháu đi làm căn cước.")
    cancel_leave(user=father, leave=leave)
    return 5


def _announcements(cast: _Cast) -> int:
    """Three announcements; about two families in three have opened each. The parent of two
    has read the school's but not yet her son's class's."""
    upper = cast.klass(UPPER_CODE, "10A1").school
    primary = cast.klass(PRIMARY_CODE, "3A").school
    mother = cast.login["parent_of_two"]
    school_wide = announcements.send_announcement(
        author=cast.login["principal"], school=upper, audience=Audience.SCHOOL,
        title="Lịch nghỉ Tết Dương lịch 2027",
        body="Học sinh toàn trường nghỉ Tết Dương lịch ngày 01/01/2027 (thứ Sáu) và đi học lại "
             "bình thường từ thứ Bảy 02/01/2027.",
    )
    meeting = announcements.send_announcement(
        author=cast.login["homeroom_10a1"], school=upper, audience=Audience.CLASS,
        class_group=cast.klass(UPPER_CODE, "10A1"),
        title="Họp phụ huynh cuối học kỳ I",
        body="Kính mời quý phụ huynh lớp 10A1 dự họp lúc 8 giờ sáng Chủ nhật 10/01/2027 tại "
             "phòng P101 để trao đổi kết quả học kỳ I.",
    )
    reading = announcements.send_announcement(
        author=cast.login["primary_principal"], school=primary, audience=Audience.SCHOOL,
        title="Ngày hội đọc sách",
        body="Thứ Sáu tuần này nhà trường tổ chức Ngày hội đọc sách; mỗi em mang theo một cuốn "
             "sách yêu thích để trao đổi với các bạn.",
    )
    read = 0
    for announcement in (school_wide, meeting, reading):
        rng = random.Random(f"{SEED}/announcement/{announcement.title}")
        pupils = list(
            announcements.audience_enrolments(announcement).values_list("student_id", flat=True)
        )
        guardians = User.objects.filter(
            guardian__guardianships__student_id__in=pupils
        ).distinct().order_by("pk")
        for user in guardians:
            if user == mother:
                opened = announcement is not meeting
            else:
                opened = rng.random() < 0.65
            if opened:
                announcements.mark_read(announcement, user)
                read += 1
    return read


def _summaries(cast: _Cast, today: datetime.date) -> int:
    """The last two weeks' summaries of 10A1, 10A2 and 3A; most families acknowledged the
    older one, the parents of the demo logins too, and nobody the last one yet."""
    last = summaries.week_start(today) - datetime.timedelta(days=7)
    groups = [cast.klass(UPPER_CODE, "10A1"), cast.klass(UPPER_CODE, "10A2"),
              cast.klass(PRIMARY_CODE, "3A")]
    written = 0
    for start in (last - datetime.timedelta(days=7), last):
        for group in groups:
            pupils = list(Student.objects.in_class(group).values_list("pk", flat=True))
            written += summaries.create_weekly_summaries(
                school_id=group.school_id, start=start, student_ids=pupils
            )
    older = last - datetime.timedelta(days=7)
    logins = {cast.login["parent_of_two"].pk, cast.login["parent_10a2"].pk}
    rng = random.Random(f"{SEED}/summaries")
    by_pupil = {s.student_id: s for s in WeeklySummary.objects.filter(
        week_start=older, class_group__in=groups)}
    # By the pupils' ids: a join through enrolments and summaries, on tables just filled in
    # this transaction (no planner statistics yet), took PostgreSQL minutes.
    links = Guardianship.objects.filter(student_id__in=list(by_pupil)).select_related(
        "guardian__user"
    ).order_by("pk")
    for link in links:
        user = link.guardian.user
        if user.pk in logins or rng.random() < 0.7:
            summaries.acknowledge(user=user, summary=by_pupil[link.student_id])
    return written

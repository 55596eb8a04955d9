"""A parent on a phone asks for a day's leave for their child; the homeroom teacher, on a
desktop, approves it and takes the morning register, where the pupil is already marked absent
with leave; the parent sees the request approved and the day so marked on the calendar.

No assertion reads UI labels (the Vietnamese catalog may not be compiled): the tests go by
selectors, data attributes, names and URLs.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contactbook.models import AttendanceMark, LeaveRequest, Notification
from tests import factories as f
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

TODAY = datetime.date(2026, 11, 25)
NOW = timezone.make_aware(
    datetime.datetime(2026, 11, 25, 6, 45)
)  # before school: the child has a fever
PARENT_PHONE, TEACHER_PHONE = "0987000021", "0901000021"


@dataclass
class Family:
    class_group: object
    child: object
    classmate: object
    parent: object
    teacher: object


@pytest.fixture
def family(transactional_db, monkeypatch) -> Family:
    # The live server runs in this process: pinning "now" pins the server's "today" too.
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    year = f.SchoolYearFactory(
        school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long")
    )
    f.TermFactory(school_year=year)
    teacher = f.UserFactory(full_name="Vũ Thị Chủ Nhiệm", phone=TEACHER_PHONE)
    f.StaffMembershipFactory(user=teacher, school=year.school)
    class_group = f.ClassGroupFactory(school_year=year, name="10A1", homeroom_teacher=teacher)
    child = f.StudentFactory(
        school=year.school, family_name="Nguyễn", middle_name="Thị", given_name="Ánh"
    )
    classmate = f.StudentFactory(
        school=year.school, family_name="Lê", middle_name="Văn", given_name="Bình"
    )
    for pupil in (child, classmate):
        f.enrol(pupil, class_group)
    parent = f.UserFactory(full_name="Nguyễn Văn Bố", phone=PARENT_PHONE)
    f.link_guardian(parent, child, relationship="father")
    return Family(class_group, child, classmate, parent, teacher)




def test_a_parent_asks_for_leave_and_the_homeroom_teacher_approves_it(
    phone_page: Page, page: Page, family: Family, artifacts_dir
):
    parent_page, teacher_page = phone_page, page
    leave_path = f"/phu-huynh/hoc-sinh/{family.child.pk}/xin-nghi/"

    # The parent, on a phone: today, the whole day, with a reason.
    log_in(parent_page, PARENT_PHONE, leave_path)
    form = parent_page.locator("form.leave-form")
    expect(form.locator("input[name=start_date]")).to_have_value("2026-11-25")
    expect(form.locator("input[name=end_date]")).to_have_value("2026-11-25")
    expect(form.locator("input[name=sessions][value=both]")).to_be_checked()
    form.locator("textarea[name=reason]").fill("Cháu bị sốt, xin cho cháu nghỉ hôm nay.")
    form.locator("button[type=submit]").click()
    expect(parent_page).to_have_url(re.compile(re.escape(leave_path) + r"$"))
    leave = LeaveRequest.objects.get()
    expect(parent_page.locator(f"[data-leave='{leave.pk}']")).to_have_attribute(
        "data-status", "pending"
    )
    assert Notification.objects.filter(recipient=family.teacher, kind="leave_request").exists()

    # The homeroom teacher, on a desktop: the request waits on the class's leave page.
    log_in(teacher_page, TEACHER_PHONE, f"/giao-vien/lop/{family.class_group.pk}/xin-nghi/")
    waiting = teacher_page.locator(f".pending-requests [data-leave='{leave.pk}']")
    expect(waiting.locator(".pupil")).to_have_text("Nguyễn Thị Ánh")
    waiting.locator("input[name=note]").fill("Chúc cháu mau khỏi.")
    waiting.locator("button[name=action][value=approve]").click()
    expect(teacher_page.locator(".pending-requests [data-leave]")).to_have_count(0)
    expect(teacher_page.locator(f".decided-requests [data-leave='{leave.pk}']")).to_have_attribute(
        "data-status", "approved"
    )

    # The morning register: the child comes prefilled "absent with leave", the classmate present.
    teacher_page.goto(
        f"/giao-vien/lop/{family.class_group.pk}/diem-danh/?ngay=2026-11-25&buoi=morning"
    )
    child_row = teacher_page.locator(f".register [data-student='{family.child.pk}']")
    expect(child_row.locator("input[value=excused]")).to_be_checked()
    expect(
        teacher_page.locator(
            f".register [data-student='{family.classmate.pk}'] input[value=present]"
        )
    ).to_be_checked()
    teacher_page.screenshot(path=str(artifacts_dir / "leave-register-desktop.png"), full_page=True)
    teacher_page.locator(".register-form button[type=submit]").click()
    expect(teacher_page.locator("main .message.success")).to_be_visible()
    assert AttendanceMark.objects.get(student=family.child, session="morning").status == "excused"
    assert not Notification.objects.filter(
        kind="absence"
    ).exists()  # no "absent without leave" alert

    # The parent sees the request approved (with the note) and the day marked on the calendar.
    parent_page.reload()
    approved = parent_page.locator(f"[data-leave='{leave.pk}']")
    expect(approved).to_have_attribute("data-status", "approved")
    expect(approved).to_contain_text("Chúc cháu mau khỏi.")
    parent_page.goto(f"/phu-huynh/hoc-sinh/{family.child.pk}/chuyen-can/")
    today = parent_page.locator(".calendar [data-date='2026-11-25']")
    expect(today).to_have_attribute("data-morning", "excused")
    expect(today.locator(".half.am")).to_have_class(re.compile(r"\bexcused\b"))
    expect(today.locator(".half.pm")).to_have_class(
        re.compile(r"\bleave\b")
    )  # approved, not yet taken
    expect(
        parent_page.locator(".month-events [data-date='2026-11-25'][data-status=excused]")
    ).to_be_visible()
    parent_page.screenshot(path=str(artifacts_dir / "leave-calendar-phone.png"), full_page=True)

    # Readable on the phone: the calendar fits the screen, nothing scrolls sideways.
    widths = parent_page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " calendar: document.querySelector('.calendar').getBoundingClientRect().right})"
    )
    assert widths["page"] <= widths["inner"] + 1 and widths["calendar"] <= widths["inner"], widths
    parent_page.goto(leave_path)
    parent_page.screenshot(path=str(artifacts_dir / "leave-requests-phone.png"), full_page=True)

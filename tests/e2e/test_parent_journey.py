"""A parent of two, on a phone, opens the portal, switches between the children (different
schools), sees the newly published scores (and never a draft), and acknowledges the weekly
summary; the homeroom teacher then sees that pupil as acknowledged.

No assertion reads UI labels (the Vietnamese catalog may not be compiled): the tests go by
data attributes, names, numbers and URLs.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contactbook import summaries
from contactbook.gradebook.columns import Column
from contactbook.gradebook.writes import publish_column, save_grid
from tests import factories as f

pytestmark = pytest.mark.e2e

PARENT_PHONE = "0987 654 321"
TEACHER_PHONE = "0912 000 111"
SLOW_MS = 15_000  # after a form post on a busy CI machine (an upload, a login)


@dataclass
class Family:
    elder: object  # 10A1 at the upper-secondary school
    younger: object  # 3A at the primary school
    classmate: object  # in 10A1; their parent has not acknowledged
    class_a1: object
    draft_value: str


@pytest.fixture
def family(transactional_db) -> Family:
    year = f.SchoolYearFactory(school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"))
    homeroom = f.UserFactory(full_name="Vũ Thị Chủ Nhiệm", phone="0912000111")
    f.StaffMembershipFactory(user=homeroom, school=year.school)
    class_a1 = f.ClassGroupFactory(school_year=year, name="10A1", homeroom_teacher=homeroom)
    math_teacher = f.UserFactory(full_name="Lê Văn Toán")
    f.StaffMembershipFactory(user=math_teacher, school=year.school)
    math = f.SubjectFactory(school=year.school, name="Toán")
    f.TeachingAssignmentFactory(teacher=math_teacher, class_group=class_a1, subject=math)
    term = f.TermFactory(school_year=year, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2027, 12, 31))

    primary_year = f.SchoolYearFactory(school=f.SchoolFactory(name="Trường Tiểu học Trần Hưng Đạo", level="primary"))
    class_3a = f.ClassGroupFactory(school_year=primary_year, name="3A", grade=3)
    primary_term = f.TermFactory(school_year=primary_year)
    vietnamese = f.SubjectFactory(school=primary_year.school, name="Tiếng Việt")

    parent = f.UserFactory(full_name="Vũ Thị Hồng Nhung", phone="0987654321")
    elder = f.StudentFactory(school=year.school, family_name="Nguyễn", middle_name="Minh", given_name="Khang",
                             date_of_birth=datetime.date(2010, 4, 2))
    younger = f.StudentFactory(school=primary_year.school, family_name="Nguyễn", middle_name="Bảo",
                               given_name="Ngọc", date_of_birth=datetime.date(2017, 8, 9))
    classmate = f.StudentFactory(school=year.school, given_name="Lan")
    for student, class_group in [(elder, class_a1), (younger, class_3a), (classmate, class_a1)]:
        f.enrol(student, class_group)
    f.link_guardian(parent, elder)
    f.link_guardian(parent, younger)
    f.link_guardian(f.UserFactory(full_name="Phụ Huynh Lan"), classmate)

    # The maths teacher enters two columns and publishes the first: 7,5 reaches the parent;
    # the second column (3,0) is a draft the parent must never see.
    save_grid(teacher=math_teacher, class_group=class_a1, subject=math, term=term,
                        cells={(elder.pk, "regular-1"): "7,5", (elder.pk, "regular-2"): "3,0"})
    publish_column(teacher=math_teacher, class_group=class_a1, subject=math, term=term,
                             column=Column("regular", 1))
    f.score(younger, vietnamese, primary_term, value="9", class_group=class_3a)

    summaries.create_weekly_summaries(school_id=year.school_id, start=timezone.localdate(),
                                      student_ids=[elder.pk, classmate.pk])
    return Family(elder=elder, younger=younger, classmate=classmate, class_a1=class_a1, draft_value="3")


def log_in_at(page: Page, path: str, phone: str) -> None:
    """Open a page logged out, get sent to the login page, log in, come back."""
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/\?next="))
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(phone)
    form.locator("input[name=password]").fill(f.TEST_PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(path) + "$"), timeout=SLOW_MS)


def score_values(page: Page) -> list[str]:
    return page.locator("#scores .score-value").all_inner_texts()


def test_parent_switches_child_sees_new_scores_and_acknowledges_the_week(
    phone_page: Page, page: Page, family: Family, artifacts_dir
):
    parent = phone_page
    log_in_at(parent, "/phu-huynh/", PARENT_PHONE)

    # The eldest child first; the published 7,5 is there and the draft is not.
    expect(parent.locator(".portal")).to_have_attribute("data-student", str(family.elder.pk))
    expect(parent.locator("h1.child-name")).to_have_text("Nguyễn Minh Khang")
    expect(parent.locator("#scores .score-value")).to_have_text(["7,5"])
    assert family.draft_value not in "".join(score_values(parent))

    # Switch to the younger child, in another school.
    parent.locator(f".child-switcher a[data-student='{family.younger.pk}']").click()
    expect(parent).to_have_url(re.compile(rf"/phu-huynh/hoc-sinh/{family.younger.pk}/$"))
    expect(parent.locator("h1.child-name")).to_have_text("Nguyễn Bảo Ngọc")
    expect(parent.locator("#scores .score-value")).to_have_text(["9"])
    expect(parent.locator(f".child-switcher a[data-student='{family.younger.pk}']")).to_have_attribute(
        "aria-current", "page"
    )

    # Back to the eldest, and acknowledge this week's summary.
    parent.locator(f".child-switcher a[data-student='{family.elder.pk}']").click()
    summary = parent.locator("#summary")
    expect(summary).to_have_attribute("data-acknowledged", "no")
    summary.locator("form.acknowledge button[type=submit]").click()
    expect(parent).to_have_url(re.compile(rf"/phu-huynh/hoc-sinh/{family.elder.pk}/#summary$"), timeout=SLOW_MS)
    expect(parent.locator("#summary")).to_have_attribute("data-acknowledged", "yes")
    expect(parent.locator("#summary form.acknowledge")).to_have_count(0)

    parent.screenshot(path=str(artifacts_dir / "parent-portal-phone.png"), full_page=True)
    widths = parent.evaluate(
        "() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["page"] <= widths["inner"] + 1, widths  # nothing scrolls sideways on the phone
    assert widths["inner"] == parent.viewport_size["width"], widths

    # The homeroom teacher sees the pupil as acknowledged, and the classmate as waiting.
    teacher = page
    sheet = f"/giao-vien/lop/{family.class_a1.pk}/tong-ket-tuan/"
    log_in_at(teacher, sheet, TEACHER_PHONE)
    expect(teacher.locator(f"tr[data-student='{family.elder.pk}']")).to_have_attribute("data-state", "acknowledged")
    expect(teacher.locator(f"tr[data-student='{family.elder.pk}'] td.state")).to_contain_text("Vũ Thị Hồng Nhung")
    expect(teacher.locator(f"tr[data-student='{family.classmate.pk}']")).to_have_attribute("data-state", "waiting")
    expect(teacher.locator("[data-count=acknowledged]")).to_have_text("1")


def test_parent_writes_with_a_photo_and_the_homeroom_teacher_reads_it(
    phone_page: Page, page: Page, family: Family, artifacts_dir, tmp_path, settings
):
    import io
    import os

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path / "media"  # the live server runs in this process

    photo = tmp_path / "don-xin-phep.png"
    buffer = io.BytesIO()
    Image.frombytes("RGB", (64, 48), os.urandom(64 * 48 * 3)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())

    parent = phone_page
    log_in_at(parent, "/phu-huynh/", PARENT_PHONE)
    parent.locator("#messages h2 a").click()
    expect(parent).to_have_url(re.compile(rf"/phu-huynh/hoc-sinh/{family.elder.pk}/tin-nhan/$"))
    form = parent.locator("form.send")
    form.locator("textarea[name=body]").fill("Thưa cô, cháu Khang xin nghỉ chiều nay ạ.")
    form.locator("input[name=files]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    expect(parent.locator(".thread .msg.mine")).to_have_count(1, timeout=SLOW_MS)
    expect(parent.locator(".thread .msg.mine .body")).to_have_text("Thưa cô, cháu Khang xin nghỉ chiều nay ạ.")
    expect(parent.locator(".thread .msg.mine .attachments img")).to_have_count(1)
    parent.screenshot(path=str(artifacts_dir / "parent-thread-phone.png"), full_page=True)
    widths = parent.evaluate("() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["page"] <= widths["inner"] + 1, widths

    teacher = page
    log_in_at(teacher, "/giao-vien/tin-nhan/", TEACHER_PHONE)
    thread = teacher.locator(f".threads li[data-student='{family.elder.pk}']")
    expect(thread).to_have_class(re.compile(r"\bunread\b"), timeout=SLOW_MS)
    thread.locator("a.title").click()
    expect(teacher.locator(".thread .msg.new .body")).to_have_text("Thưa cô, cháu Khang xin nghỉ chiều nay ạ.")
    image = teacher.locator(".thread .msg .attachments img")
    expect(image).to_have_count(1)
    # The photo really loads, through the access-checked view. It is lazy-loaded, so bring it
    # into view and wait for the browser to finish decoding it before reading its width.
    image.scroll_into_view_if_needed()
    teacher.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=SLOW_MS)
    assert teacher.evaluate("img => img.naturalWidth", image.element_handle()) == 64

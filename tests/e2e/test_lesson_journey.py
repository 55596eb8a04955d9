"""A lesson's journey, in Chromium: a teacher submits a lesson with a material and a quiz for
approval in Wagtail's admin; the head of the Toán – Tin group approves it there; the teacher
gives it to 10A1 for tomorrow on our page; a parent of a 10A1 pupil reads it on a phone, and
a parent of 10A2 cannot.

Writing the lesson's body (a StreamField with a material chooser and a nested quiz in Wagtail's
React editor) is done through lms.services.create_lesson, the function our seed uses; the
teacher then opens that draft in the admin, edits its summary and submits it in the browser.
No assertion reads UI labels (the Vietnamese catalogue may not be compiled): selectors, names
and URLs only.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from lms import services
from lms.models import LessonAssignment, LessonPage
from school.models import StaffMembership
from tests import factories as f
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEACHER, HEAD, PARENT_A1, PARENT_A2 = "0912000001", "0912000002", "0987100001", "0987100002"
TITLE = "Bài 16. Hàm số bậc hai"


@dataclass
class World:
    lesson: LessonPage
    class_a1: object
    pupil_a1: object
    pupil_a2: object


@pytest.fixture
def world(transactional_db) -> World:
    year = f.SchoolYearFactory(
        school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"),
        start_date=timezone.localdate() - datetime.timedelta(days=60),
        end_date=timezone.localdate() + datetime.timedelta(days=200),
    )
    school = year.school
    class_a1 = f.ClassGroupFactory(school_year=year, name="10A1")
    class_a2 = f.ClassGroupFactory(school_year=year, name="10A2")
    group = f.SubjectGroupFactory(school=school, name="Toán – Tin")
    math = f.SubjectFactory(school=school, name="Toán", group=group)
    teacher = f.UserFactory(full_name="Lê Văn Hùng", phone=TEACHER)
    head = f.UserFactory(full_name="Trần Quốc Bảo", phone=HEAD)
    f.StaffMembershipFactory(user=teacher, school=school, subject_group=group)
    f.StaffMembershipFactory(user=head, school=school, subject_group=group, is_group_head=True)
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_a1, subject=math)
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_a2, subject=math)
    pupil_a1 = f.StudentFactory(school=school, family_name="Đặng", middle_name="Minh", given_name="Khôi")
    pupil_a2 = f.StudentFactory(school=school, family_name="Hoàng", middle_name="Gia", given_name="Bảo")
    f.enrol(pupil_a1, class_a1)
    f.enrol(pupil_a2, class_a2)
    f.link_guardian(f.UserFactory(full_name="Vũ Thị Hồng Nhung", phone=PARENT_A1), pupil_a1)
    f.link_guardian(f.UserFactory(full_name="Hoàng Văn Long", phone=PARENT_A2), pupil_a2)

    course = services.create_course(school_year=year, subject=math, grade=10, title="Toán 10")
    unit = services.create_unit(course=course, title="Chương VI. Hàm số, đồ thị và ứng dụng")
    sheet = services.add_material(
        school=school, title="Phiếu học tập – Hàm số bậc hai", user=teacher,
        file=ContentFile(PDF, name="phieu-hoc-tap.pdf"),
    )
    # The body as the teacher composes it in the StreamField editor (see the module docstring).
    lesson = services.create_lesson(parent=unit, title=TITLE, user=teacher, body=[
        ("paragraph", "<p>Hàm số bậc hai là hàm số cho bởi công thức y = ax² + bx + c.</p>"),
        ("formula", {"latex": r"y = ax^2 + bx + c", "display": True}),
        ("material", {"document": sheet, "note": "In ra trước giờ học"}),
        ("quiz", {"title": "Kiểm tra nhanh", "questions": [
            {"prompt": "Đồ thị của hàm số bậc hai là đường gì?", "explanation": "",
             "choices": [{"text": "Đường thẳng", "correct": False},
                         {"text": "Đường parabol", "correct": True}]},
        ]}),
        ("homework", {"instructions": "<p>Làm bài 6.7 trang 24.</p>", "due_date": None}),
    ])
    return World(lesson=lesson, class_a1=class_a1, pupil_a1=pupil_a1, pupil_a2=pupil_a2)




def click_footer_action(page: Page, selector: str) -> None:
    """Wagtail's editor footer keeps secondary actions in a dropdown."""
    button = page.locator(f"footer {selector}").first
    if not button.is_visible():
        page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    button.click()


def test_a_lesson_from_the_teacher_to_the_parents_phone(page: Page, phone_page: Page, browser,
                                                         live_server, world: World, artifacts_dir):
    lesson = world.lesson
    edit_url = f"/cms/pages/{lesson.pk}/edit/"

    # 1. The teacher opens the draft in Wagtail's admin, writes its summary and submits it.
    log_in(page, TEACHER, edit_url)
    page.locator("textarea[name=intro]").fill("Khái niệm, đồ thị và sự biến thiên.")
    click_footer_action(page, "button[name='action-submit']")
    expect(page).not_to_have_url(re.compile(r"/edit/$"))
    lesson.refresh_from_db()
    assert lesson.current_workflow_state is not None and not lesson.live

    # 2. The head of the subject group approves it, in the admin.
    head = browser.new_context(locale="vi-VN", base_url=live_server.url).new_page()
    log_in(head, HEAD, edit_url)
    click_footer_action(head, "button[data-workflow-action-name='approve']")
    expect(head).not_to_have_url(re.compile(r"/edit/$"))
    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert lesson.live and lesson.intro == "Khái niệm, đồ thị và sự biến thiên."
    head.context.close()

    # 3. The teacher gives it to 10A1 for tomorrow, from the lesson's page.
    page.goto(lesson.url)
    page.locator(f"a[href='/bai-hoc/{lesson.pk}/giao/']").click()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.locator(f"input[name=class_groups][value='{world.class_a1.pk}']").check()
    page.locator("input[name=date]").fill(tomorrow.isoformat())
    page.locator("form.assign-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(lesson.url) + "$"))
    assert LessonAssignment.objects.filter(lesson=lesson, class_group=world.class_a1, date=tomorrow).exists()

    # 4. A parent of a 10A1 pupil sees it in the pupil's week, on a phone, and opens it.
    week = f"/hoc-sinh/{world.pupil_a1.pk}/bai-hoc/?tuan={tomorrow.isoformat()}"
    log_in(phone_page, PARENT_A1, week)
    item = phone_page.locator(f"li.lesson-item[data-lesson-id='{lesson.pk}']")
    expect(item).to_be_visible()
    item.locator("a.lesson-link").click()
    expect(phone_page).to_have_url(re.compile(re.escape(lesson.url) + "$"))
    expect(phone_page.locator("h1")).to_have_text(TITLE)
    expect(phone_page.locator(".block-material a.material-link")).to_be_visible()
    expect(phone_page.locator(".block-quiz li.question")).to_have_count(1)
    expect(phone_page.locator(".answer-key")).to_have_count(0)  # no answer key for parents
    expect(phone_page.locator(".block-formula math")).to_be_attached()
    phone_page.screenshot(path=str(artifacts_dir / "lesson-phone.png"), full_page=True)
    widths = phone_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] + 1, widths
    # The material downloads through the permission check.
    href = phone_page.locator(".block-material a.material-link").get_attribute("href")
    assert phone_page.request.get(live_server.url + href).status == 200

    # 5. A parent of 10A2 does not: not in their child's week, not by its address.
    other = browser.new_context(locale="vi-VN", base_url=live_server.url,
                                viewport={"width": 360, "height": 740}).new_page()
    week_a2 = f"/hoc-sinh/{world.pupil_a2.pk}/bai-hoc/?tuan={tomorrow.isoformat()}"
    log_in(other, PARENT_A2, week_a2)
    expect(other.locator("li.lesson-item")).to_have_count(0)
    assert other.goto(lesson.url).status == 404
    assert other.request.get(live_server.url + href).status == 404
    assert other.goto(f"/hoc-sinh/{world.pupil_a1.pk}/bai-hoc/").status == 404
    other.context.close()

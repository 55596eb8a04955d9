"""Typed markup in a real browser (issue 10): a teacher's lesson carries the formula that
used to run script (\\text{<img/src/onerror=alert(document.domain)>}) and script in its
body and heading; the subject group's head previews it; a parent reads it, sees a child
whose name is markup, and sends the teacher a message that is markup, which the teacher
reads. Every page is opened by the person who sees it, in Chromium, with a dialog handler
that records any alert: none may open, and each payload must be on the screen as its
letters.

Handlers such as onerror and ontoggle run in tasks queued while the page loads, so each
page is read after its `load` event and one more turn of the event loop (`settle`):
a dialog they opened is recorded by then, whatever the machine's speed.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contactbook import messaging
from lms import services
from tests import factories as f
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

TEACHER, HEAD, PARENT = "0912300001", "0912300002", "0987300001"
FORMULA_TEXT = "<img/src/onerror=alert(document.domain)>"
HEADING = "<script>alert('XSS')</script>"
PARAGRAPH = "<p>Ôn tập <img src=x onerror=alert('XSS')></p><details open ontoggle=alert('XSS')>"
CHILD = "<img src=x onerror=alert('XSS')>"
PARENTS_MESSAGE = "<svg onload=alert('XSS')> cô ơi, cháu ốm"
TEACHERS_MESSAGE = "<a href=\"javascript:alert('XSS')\">bấm vào đây</a>"


@pytest.fixture
def world(transactional_db):
    today = timezone.localdate()
    year = f.SchoolYearFactory(
        school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"),
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=200),
    )
    school = year.school
    class_a1 = f.ClassGroupFactory(school_year=year, name="10A1")
    group = f.SubjectGroupFactory(school=school, name="Toán – Tin")
    math = f.SubjectFactory(school=school, name="Toán", group=group)
    teacher = f.UserFactory(full_name="Lê Văn Hùng", phone=TEACHER)
    head = f.UserFactory(full_name="Trần Quốc Bảo", phone=HEAD)
    f.StaffMembershipFactory(user=teacher, school=school, subject_group=group)
    f.StaffMembershipFactory(user=head, school=school, subject_group=group, is_group_head=True)
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_a1, subject=math)
    pupil = f.StudentFactory(
        school=school, family_name="Đặng", middle_name="Minh", given_name=CHILD
    )
    f.enrol(pupil, class_a1)
    f.link_guardian(f.UserFactory(full_name="Vũ Thị Hồng Nhung", phone=PARENT), pupil)

    course = services.create_course(school_year=year, subject=math, grade=10, title="Toán 10")
    unit = services.create_unit(course=course, title="Chương VI. Hàm số")
    lesson = services.create_lesson(
        parent=unit, title="Bài 16. Hàm số bậc hai", user=teacher, body=[
            ("heading", {"text": HEADING, "level": "h2"}),
            ("paragraph", PARAGRAPH),
            ("formula", {"latex": rf"\text{{{FORMULA_TEXT}}}", "display": True}),
        ],
    )
    lesson.get_latest_revision_as_object().save_revision().publish()
    lesson = lesson.specific_class.objects.get(pk=lesson.pk)
    services.assign_lesson(lesson=lesson, class_groups=[class_a1], on=today, user=teacher)
    messaging.send_message(sender=teacher, student_id=pupil.pk, body=TEACHERS_MESSAGE)
    return {"lesson": lesson, "pupil": pupil}


@pytest.fixture
def dialogs(page: Page):
    """Every dialog the page opens (dismissed at once); the test fails if any did."""
    opened = []

    def record(dialog):
        opened.append(f"{dialog.type}: {dialog.message} on {page.url}")
        dialog.dismiss()

    page.on("dialog", record)
    yield opened
    assert opened == []


def settle(page: Page) -> None:
    """After `load` (images fetched or failed, so onerror handlers were queued), one more
    turn of the event loop for tasks queued by then (toggle events, late handlers)."""
    page.wait_for_load_state("load")
    page.evaluate(
        "() => new Promise(done => setTimeout(() => requestAnimationFrame(() => done()), 0))"
    )




def no_live_markup(page: Page, scope: str) -> None:
    """Nothing under `scope` that a payload made: no script, image, svg, frame, handler or
    javascript: link."""
    made = page.evaluate(
        """scope => [...document.querySelectorAll(scope + ' *')].filter(el =>
            ['SCRIPT', 'IMG', 'SVG', 'svg', 'IFRAME'].includes(el.tagName)
            || [...el.attributes].some(a => a.name.startsWith('on')
                || /^\\s*javascript:/i.test(a.value))).map(el => el.outerHTML)""",
        scope,
    )
    assert made == []


def test_typed_markup_stays_text_for_everyone_who_reads_it(page: Page, world, dialogs):
    lesson, pupil = world["lesson"], world["pupil"]

    # The head of the subject group previews the published revision in Wagtail's admin.
    preview = f"/cms/pages/{lesson.pk}/revisions/{lesson.live_revision_id}/view/"
    log_in(page, HEAD, preview)
    settle(page)
    expect(page.locator(".block-formula mtext")).to_have_text(FORMULA_TEXT)
    no_live_markup(page, ".lesson-body")

    # A parent reads the lesson: every payload on the screen as its letters.
    log_in(page, PARENT, lesson.url)
    settle(page)
    expect(page.locator(".block-formula mtext")).to_have_text(FORMULA_TEXT)
    expect(page.locator(".block-formula math")).to_be_visible()
    expect(page.locator("h2.block-heading")).to_have_text(HEADING)
    expect(page.locator(".block-paragraph")).to_contain_text("Ôn tập")
    no_live_markup(page, ".lesson-body")

    # The child's name, on the portal.
    page.goto(f"/phu-huynh/hoc-sinh/{pupil.pk}/")
    settle(page)
    expect(page.get_by_text(CHILD).first).to_be_visible()
    no_live_markup(page, "main")

    # The teacher's message, and the parent's answer typed into the form.
    page.goto(f"/phu-huynh/hoc-sinh/{pupil.pk}/tin-nhan/")
    settle(page)
    expect(page.get_by_text(TEACHERS_MESSAGE)).to_be_visible()
    page.locator("form.send textarea[name=body]").fill(PARENTS_MESSAGE)
    page.locator("form.send button[type=submit]").click()
    settle(page)
    expect(page.get_by_text(PARENTS_MESSAGE)).to_be_visible()
    no_live_markup(page, "main")

    # The teacher reads it.
    log_in(page, TEACHER, f"/giao-vien/tin-nhan/hoc-sinh/{pupil.pk}/")
    settle(page)
    expect(page.get_by_text(PARENTS_MESSAGE)).to_be_visible()
    expect(page.get_by_text(CHILD).first).to_be_visible()
    no_live_markup(page, "main")

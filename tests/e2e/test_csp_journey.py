"""The pages work under the Content-Security-Policy: a teacher opens the grade book grid and
the attendance sheet and switches language, a parent opens the portal on a phone, and the
operator opens Wagtail's admin (dashboard, a lesson's editor and its preview), the school
administration and the API docs. Any CSP violation the browser reports (the
`securitypolicyviolation` event, or a "Refused to ..." console message) fails the test.

No assertion reads a UI label (the Vietnamese catalog may not be compiled).
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from lms import services
from school.models import StaffMembership
from tests import factories as f
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

TEACHER, PARENT, OPERATOR = "0913000101", "0988000101", "0900000101"

# Runs before any page script, through the DevTools protocol (so the policy does not block it).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@dataclass
class World:
    class_group: object
    subject: object
    lesson: object


@pytest.fixture
def world(transactional_db) -> World:
    today = timezone.localdate()
    year = f.SchoolYearFactory(
        school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"),
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=200),
    )
    school = year.school
    f.TermFactory(school_year=year, start_date=today - datetime.timedelta(days=40),
                  end_date=today + datetime.timedelta(days=60))
    teacher = f.UserFactory(full_name="Lê Văn Toán", phone=TEACHER)
    f.StaffMembershipFactory(user=teacher, school=school, role=StaffMembership.Role.TEACHER)
    class_group = f.ClassGroupFactory(school_year=year, name="10A1", homeroom_teacher=teacher)
    subject = f.SubjectFactory(school=school, name="Toán", periods_per_year=105)
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=subject)
    pupils = []
    for family, given in [("Trần", "An"), ("Lê", "Bình")]:
        pupil = f.StudentFactory(school=school, family_name=family, middle_name="Văn", given_name=given)
        f.enrol(pupil, class_group)
        pupils.append(pupil)
    f.link_guardian(f.UserFactory(full_name="Trần Văn Bố", phone=PARENT), pupils[0])
    f.UserFactory(full_name="Vận Hành", phone=OPERATOR, is_staff=True, is_superuser=True)

    course = services.create_course(school_year=year, subject=subject, grade=10, title="Toán 10")
    unit = services.create_unit(course=course, title="Chương VI. Hàm số")
    lesson = services.create_lesson(parent=unit, title="Bài 16. Hàm số bậc hai", user=teacher, body=[
        ("paragraph", "<p>Hàm số bậc hai là hàm số cho bởi công thức y = ax² + bx + c.</p>"),
        ("formula", {"latex": r"y = ax^2 + bx + c", "display": True}),
    ])
    return World(class_group, subject, lesson)


def watch(page: Page) -> list[str]:
    """Collect CSP violations on `page`: the event (via window.__csp) and console messages."""
    seen: list[str] = []
    page.add_init_script(LISTEN)

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("Refused to"):
            seen.append(f"console: {text}")

    page.on("console", on_console)
    return seen


def violations(page: Page, seen: list[str]) -> list[str]:
    return seen + page.evaluate("() => window.__csp || []")




def test_teacher_and_parent_pages_run_under_the_policy(page: Page, phone_page: Page, world: World):
    seen = watch(page)
    grid = reverse("contactbook:gradebook", args=[world.class_group.pk, world.subject.pk])
    log_in(page, TEACHER, grid)
    policy = page.evaluate(
        "async () => (await fetch(location.href)).headers.get('content-security-policy')"
    )
    assert "script-src 'self'" in [part.strip() for part in policy.split(";")]
    cell = page.locator("table input[type=text], table input:not([type])").first
    cell.fill("8")
    cell.press("Enter")  # gradebook.js moves down: it ran
    expect(page.locator("table input[type=text], table input:not([type])").first).not_to_be_focused()
    assert violations(page, seen) == []

    sheet = reverse("contactbook:attendance_sheet", args=[world.class_group.pk])
    page.goto(sheet)
    expect(page).to_have_title(re.compile(r"10A1 · Trường Số$"))  # no script text in the title
    last = page.locator(".register > li[data-student]").last
    last.locator("label[for$='-unexcused']").click()
    expect(last).to_have_class(re.compile(r"\bst-unexcused\b"))  # attendance.js ran
    # The language switch (static/js/site.js) submits on change: the page comes back in English.
    page.locator("form.lang select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations(page, seen) == []

    phone_seen = watch(phone_page)
    portal = reverse("contactbook:portal_home")
    log_in(phone_page, PARENT, portal)
    expect(phone_page.locator("main")).to_be_visible()
    assert violations(phone_page, phone_seen) == []


def test_the_admins_and_the_api_docs_run_under_their_policies(page: Page, world: World):
    seen = watch(page)
    log_in(page, OPERATOR, "/cms/")
    expect(page.locator("body")).to_be_visible()
    assert violations(page, seen) == []

    page.goto(f"/cms/pages/{world.lesson.pk}/edit/")
    expect(page.locator("textarea[name=intro]")).to_be_visible()
    page.locator("textarea[name=intro]").fill("Khái niệm và đồ thị.")
    # The live preview: Wagtail frames its own preview view (same origin).
    page.locator("[data-side-panel-toggle='preview']").click()
    frame = page.frame_locator("iframe[title], iframe").first
    expect(frame.locator("h1")).to_be_visible()
    assert violations(page, seen) == []

    page.goto("/quan-tri/")
    expect(page.locator("#content")).to_be_visible()
    page.goto("/quan-tri/school/student/")
    expect(page.locator("#changelist")).to_be_visible()
    page.goto("/quan-tri/school/student/add/")
    expect(page.locator("#student_form")).to_be_visible()
    page.goto("/quan-tri/school/student/nhap/")  # the pupil import (its own stylesheet)
    expect(page.locator("input[type=file]")).to_be_visible()
    assert violations(page, seen) == []

    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    assert violations(page, seen) == []

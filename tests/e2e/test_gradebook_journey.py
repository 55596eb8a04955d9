"""A teacher types a column of scores with the keyboard (Enter moves down, Tab moves right),
pastes another column copied from a spreadsheet, saves, and publishes the first column; a
parent on a phone then sees the published scores and not the unpublished ones.

No assertion reads a UI label (the Vietnamese catalog may not be compiled): the tests go by
element names, data attributes, values and URLs.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contactbook.models import Notification, Score
from school.models import StaffMembership
from tests import factories as f

pytestmark = pytest.mark.e2e

TEACHER_PHONE = "0913000001"
PARENT_PHONE = "0988000001"
TYPED = ["8", "7,5", "9", "6", "10"]  # regular assessment 1, typed
PASTED = ["6,5", "7", "8.5", "9", "5"]  # regular assessment 2, pasted from a spreadsheet
SHOWN_PASTED = ["6,5", "7", "8,5", "9", "5"]  # as the page shows them back (decimal comma)


@dataclass
class School:
    class_group: object
    subject: object
    term: object
    pupils: list  # in class-list order


@pytest.fixture
def school(transactional_db) -> School:
    """Class 10A1 with five pupils, Toán (four regular assessments) taught by a teacher who logs
    in by phone, the current term, and the first pupil's parent."""
    year = f.SchoolYearFactory(
        school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long")
    )
    today = timezone.localdate()
    term = f.TermFactory(
        school_year=year,
        start_date=today - datetime.timedelta(days=40),
        end_date=today + datetime.timedelta(days=60),
    )
    class_group = f.ClassGroupFactory(school_year=year, name="10A1")
    teacher = f.UserFactory(full_name="Lê Văn Toán", phone=TEACHER_PHONE)
    f.StaffMembershipFactory(user=teacher, school=year.school, role=StaffMembership.Role.TEACHER)
    subject = f.SubjectFactory(school=year.school, name="Toán", periods_per_year=105)
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=subject)
    pupils = []
    # Inserted out of order; the grid lists them An, Bình, Châu, Dũng, Đức.
    for family, given in [
        ("Phạm", "Đức"),
        ("Lê", "Bình"),
        ("Trần", "An"),
        ("Vũ", "Dũng"),
        ("Ngô", "Châu"),
    ]:
        student = f.StudentFactory(
            school=year.school, family_name=family, middle_name="Văn", given_name=given
        )
        f.enrol(student, class_group)
        pupils.append(student)
    pupils.sort(key=lambda s: s.sort_key)
    f.link_guardian(f.UserFactory(full_name="Trần Văn Bố", phone=PARENT_PHONE), pupils[0])
    return School(class_group, subject, term, pupils)


def log_in(page: Page, phone: str) -> None:
    page.goto("/tai-khoan/dang-nhap/")
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(phone)
    form.locator("input[name=password]").fill(f.TEST_PASSWORD)
    form.locator("button[type=submit]").click()
    # staff land on the home page, parents on the contact book
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/(phu-huynh/)?$"))


def cell(page: Page, pupil, key: str):
    return page.locator(f"#c-{pupil.pk}-{key}")


def test_teacher_types_pastes_saves_and_publishes_then_a_parent_sees_it(
    page: Page, phone_page: Page, school: School, artifacts_dir
):
    pupils = school.pupils
    log_in(page, TEACHER_PHONE)

    # The list of grade books leads to the class's Toán grade book for the current term.
    page.goto("/giao-vien/so-diem/")
    page.locator(f'[data-class="{school.class_group.pk}"] a', has_text="Toán").click()
    expect(page).to_have_url(
        re.compile(rf"/giao-vien/lop/{school.class_group.pk}/so-diem/{school.subject.pk}/$")
    )
    names = page.locator("table.gradebook tbody th.name")
    expect(names).to_have_text([p.full_name for p in pupils])

    # Type the first column with the keyboard: Enter moves down.
    cell(page, pupils[0], "regular-1").click()
    for index, value in enumerate(TYPED):
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        if index + 1 < len(pupils):
            expect(cell(page, pupils[index + 1], "regular-1")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/so-diem/\d+/$"))  # Enter did not submit the form
    # Tab moves right, to the next assessment of the same pupil.
    cell(page, pupils[2], "regular-1").focus()
    page.keyboard.press("Tab")
    expect(cell(page, pupils[2], "regular-2")).to_be_focused()

    # Paste a column copied from a spreadsheet into the first cell of the second column.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    cell(page, pupils[0], "regular-2").focus()
    page.evaluate("text => navigator.clipboard.writeText(text)", "\r\n".join(PASTED) + "\r\n")
    page.keyboard.press("Control+V")
    for pupil, value in zip(pupils, PASTED):
        expect(cell(page, pupil, "regular-2")).to_have_value(value)
    for pupil, value in zip(pupils, TYPED):
        expect(cell(page, pupil, "regular-1")).to_have_value(value)

    page.locator("#grid-form button.save").click()
    expect(page).to_have_url(re.compile(rf"/hoc-ky/{school.term.pk}/$"))
    for pupil, typed, pasted in zip(pupils, TYPED, SHOWN_PASTED):
        expect(cell(page, pupil, "regular-1")).to_have_value(typed)
        expect(cell(page, pupil, "regular-2")).to_have_value(pasted)
    assert Score.objects.filter(published_at__isnull=True).count() == 10
    page.screenshot(path=str(artifacts_dir / "gradebook-teacher.png"), full_page=True)

    # Publish the first column only (the page asks first: guardians are notified).
    page.once("dialog", lambda dialog: dialog.accept())
    expect(page.locator("button[data-publish]")).to_have_count(2)
    page.locator('button[data-publish="regular-1"]').click()
    expect(page.locator('th[data-column="regular-1"] [data-published]')).to_be_visible()
    expect(page.locator('button[data-publish="regular-1"]')).to_have_count(0)
    expect(page.locator('button[data-publish="regular-2"]')).to_have_count(1)
    notice = Notification.objects.get()  # one pupil has a guardian: one notification

    # The parent follows the notification's link on a phone.
    phone = phone_page
    log_in(phone, PARENT_PHONE)
    phone.goto(notice.url)
    card = phone.locator(f'.subject-grades[data-subject="{school.subject.pk}"]')
    expect(card.locator('[data-column="regular-1"] dd')).to_have_text(TYPED[0])
    expect(card.locator('[data-column="regular-2"] dd')).to_have_text(
        "–"
    )  # saved but not published
    expect(card.locator("[data-average] dd")).to_have_text("–")
    phone.screenshot(path=str(artifacts_dir / "gradebook-parent-phone.png"), full_page=True)

    widths = phone.evaluate(
        "() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["page"] <= widths["inner"] + 1, widths  # no sideways scrolling on the phone
    box = card.bounding_box()
    assert (
        box is not None
        and box["x"] >= 0
        and box["x"] + box["width"] <= phone.viewport_size["width"] + 1
    )

    # Another pupil's page is not the parent's to open.
    response = phone.goto(f"/phu-huynh/hoc-sinh/{pupils[1].pk}/diem/")
    assert response is not None and response.status == 404


def test_a_bad_cell_comes_back_marked_with_everything_typed_kept(
    page: Page, school: School, artifacts_dir
):
    pupils = school.pupils
    log_in(page, TEACHER_PHONE)
    page.goto(f"/giao-vien/lop/{school.class_group.pk}/so-diem/{school.subject.pk}/")
    cell(page, pupils[0], "regular-1").fill("8")
    cell(page, pupils[1], "regular-1").fill("11")
    cell(page, pupils[2], "regular-1").fill("7,25")
    page.locator("#grid-form button.save").click()

    expect(page.locator("#grid-errors")).to_be_visible()
    expect(cell(page, pupils[0], "regular-1")).to_have_value("8")
    for pupil, typed in [(pupils[1], "11"), (pupils[2], "7,25")]:
        expect(cell(page, pupil, "regular-1")).to_have_value(typed)
        expect(cell(page, pupil, "regular-1")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#e-c-{pupil.pk}-regular-1")).not_to_be_empty()
    page.screenshot(path=str(artifacts_dir / "gradebook-errors.png"), full_page=True)
    assert not Score.objects.exists()

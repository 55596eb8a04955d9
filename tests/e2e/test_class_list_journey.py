"""The principal logs in with a phone number, opens class 10A1 and reads its pupils in
Vietnamese order (DOMAIN.md, "Names and sorting"), on a desktop and on a phone.

No assertion reads UI labels: the Vietnamese catalog may not be compiled, so the tests go by
selectors, names and URLs.
"""

import re
import unicodedata
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from school.models import StaffMembership, Student
from tests import factories as f
from tests.e2e.conftest import second_factor_step

pytestmark = pytest.mark.e2e

PRINCIPAL_PHONE = "0912345678"
PRINCIPAL_PHONE_AS_TYPED = "0912 345 678"  # how people write it; the login must normalise it

# (family, middle, given), in the order they are inserted: shuffled, so neither insertion order
# nor id order nor a plain Unicode sort of any name part gives the expected list.
PUPILS = [
    ("Trần", "Minh", "Ư"),
    ("Lê", "Văn", "An"),
    ("Phạm", "Hoàng", "Đức"),
    ("Hoàng", "Thị", "Ánh"),
    ("Vũ", "Thu", "Uyên"),
    ("Bùi", "Quang", "Anh"),
    ("Đặng", "Tiến", "Dũng"),
    ("Ngô", "Thị", "Ảnh"),
    ("Nguyễn", "Thị", "An"),
    ("Đỗ", "Văn", "Bình"),
]

# Written by hand from DOMAIN.md, not computed by school.names: given name first, letter by
# letter in the CLDR `vi` alphabet (d < đ, u < ư; "An" < "Anh"), then tone marks (unmarked <
# hỏi < sắc: Anh < Ảnh < Ánh), then, for the two "An", the middle name (Thị < Văn) before the
# family name (which alone would put Lê before Nguyễn).
EXPECTED_ROSTER = [
    "Nguyễn Thị An",
    "Lê Văn An",
    "Bùi Quang Anh",
    "Ngô Thị Ảnh",
    "Hoàng Thị Ánh",
    "Đỗ Văn Bình",
    "Đặng Tiến Dũng",
    "Phạm Hoàng Đức",
    "Vũ Thu Uyên",
    "Trần Minh Ư",
]


@dataclass
class School:
    class_a1: object
    class_a2: object


@pytest.fixture
def school(transactional_db) -> School:
    """A school with classes 10A1 (the pupils above, some with a parent) and 10A2, and its
    principal, who logs in by phone."""
    year = f.SchoolYearFactory(school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"))
    class_a1 = f.ClassGroupFactory(school_year=year, name="10A1")
    class_a2 = f.ClassGroupFactory(school_year=year, name="10A2")
    principal = f.UserFactory(full_name="Phạm Thị Hiệu", phone=PRINCIPAL_PHONE)
    f.StaffMembershipFactory(user=principal, school=year.school, role=StaffMembership.Role.PRINCIPAL)

    for index, (family, middle, given) in enumerate(PUPILS):
        student = f.StudentFactory(
            school=year.school,
            family_name=family,
            middle_name=middle,
            # One name arrives decomposed (as some keyboards and spreadsheets send it): the page
            # must still show, and sort, the NFC text.
            given_name=unicodedata.normalize("NFD", given) if given == "Ảnh" else given,
            sex=Student.Sex.FEMALE if middle == "Thị" else Student.Sex.MALE,
        )
        f.enrol(student, class_a1)
        if index % 3 == 0:  # a guardian column with phone numbers makes the table wide
            f.link_guardian(f.UserFactory(full_name=f"Phụ Huynh Số {index}"), student)
    f.enrol(f.StudentFactory(school=year.school, given_name="Khác"), class_a2)
    return School(class_a1=class_a1, class_a2=class_a2)


def log_in(page: Page, phone: str, password: str) -> None:
    """From anywhere logged out: open the site root, get sent to the login page, submit."""
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/\?next=/$"))
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(phone)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    if password == f.TEST_PASSWORD:
        second_factor_step(page, phone)


def open_class(page: Page, school: School) -> None:
    """From the home page: the principal's classes are listed; open 10A1."""
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
    expect(page.locator(".class-grid a.class-name")).to_have_text(["10A1", "10A2"])
    page.locator(".class-grid a.class-name", has_text=re.compile(r"^10A1$")).click()
    expect(page).to_have_url(re.compile(rf"/truong/lop/{school.class_a1.pk}/$"))


def roster_names(page: Page):
    return page.locator("table.roster tbody td.name")


def test_principal_reads_class_list_in_vietnamese_order(page: Page, school: School):
    log_in(page, PRINCIPAL_PHONE_AS_TYPED, f.TEST_PASSWORD)
    open_class(page, school)

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    names = roster_names(page)
    expect(names).to_have_text(EXPECTED_ROSTER)  # exact texts, exact order, exact count
    shown = names.all_inner_texts()
    assert shown == EXPECTED_ROSTER
    assert all(unicodedata.is_normalized("NFC", name) for name in shown), shown


def test_class_list_is_readable_on_a_phone(phone_page: Page, school: School, artifacts_dir):
    page = phone_page
    log_in(page, PRINCIPAL_PHONE_AS_TYPED, f.TEST_PASSWORD)
    open_class(page, school)

    names = roster_names(page)
    expect(names).to_have_text(EXPECTED_ROSTER)
    # Before the layout checks, so a failure leaves a picture to look at.
    page.screenshot(path=str(artifacts_dir / "class-phone.png"), full_page=True)

    expect(page.locator("table.roster thead th").nth(1)).to_be_in_viewport()
    for index in range(len(EXPECTED_ROSTER)):
        expect(names.nth(index)).to_be_visible()
    # The name column sits inside the screen's width, not behind a horizontal scroll.
    name_box = names.first.bounding_box()
    assert name_box is not None and 0 <= name_box["x"]
    assert name_box["x"] + name_box["width"] <= page.viewport_size["width"] + 1, name_box

    widths = page.evaluate(
        """() => {
            const scroller = document.querySelector("table.roster").closest(".scroll");
            return {
                page: document.documentElement.scrollWidth,
                inner: window.innerWidth,
                scroller: scroller && scroller.clientWidth,
                table: document.querySelector("table.roster").scrollWidth,
            };
        }"""
    )
    # The body never scrolls sideways (a wide table scrolls inside its .scroll container), and
    # the browser did not zoom out to fit a too-wide page (innerWidth stays the phone's width).
    assert widths["page"] <= widths["inner"] + 1, widths
    assert widths["inner"] == page.viewport_size["width"], widths
    assert widths["scroller"] is not None and widths["scroller"] <= widths["inner"], widths


def test_wrong_password_stays_on_login_page_with_an_error(page: Page, school: School):
    log_in(page, PRINCIPAL_PHONE_AS_TYPED, "not-the-password")

    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
    expect(page.locator("main [role=alert]")).to_be_visible()
    expect(page.locator("main [role=alert]")).not_to_be_empty()
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.locator("input[name=username]")).to_have_value(PRINCIPAL_PHONE_AS_TYPED)

    # Still logged out: the site root sends back to the login page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/\?next=/$"))

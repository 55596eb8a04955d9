"""The class summary on a phone: the principal opens a wide sheet (a dozen subject columns);
the sheet scrolls sideways inside its box, the page itself does not, and the pupils' names stay
in view while the marks scroll under them.

No assertion reads a UI label: the test goes by element classes, sizes and the pupils' names.
"""

import pytest
from playwright.sync_api import Page, expect

from school.models import StaffMembership, Subject
from tests import factories as f
from tests.e2e.test_reports_journey import log_in_at

pytestmark = pytest.mark.e2e

PRINCIPAL_PHONE = "0912000444"
SUBJECTS = ["Ngữ văn", "Toán", "Tiếng Anh", "Lịch sử", "Địa lí", "Vật lí", "Hoá học",
            "Sinh học", "Tin học", "Công nghệ"]
RATED = ["Giáo dục thể chất", "Hoạt động trải nghiệm, hướng nghiệp"]


@pytest.fixture
def wide_class(transactional_db):
    year = f.SchoolYearFactory(school=f.SchoolFactory(name="Trường THPT Hạ Long"))
    principal = f.UserFactory(full_name="Phạm Thị Hiệu", phone=PRINCIPAL_PHONE)
    f.StaffMembershipFactory(user=principal, school=year.school,
                             role=StaffMembership.Role.PRINCIPAL)
    teacher = f.UserFactory(full_name="Lê Văn Dạy")
    f.StaffMembershipFactory(user=teacher, school=year.school, role=StaffMembership.Role.TEACHER)
    term = f.TermFactory(school_year=year, number=1)
    class_group = f.ClassGroupFactory(school_year=year, name="10A1", grade=10)
    for name in SUBJECTS + RATED:
        assessment = Subject.Assessment.RATED if name in RATED else Subject.Assessment.SCORED
        subject = f.SubjectFactory(school=year.school, name=name, periods_per_year=70,
                                   assessment=assessment)
        f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=subject)
    for given in ("An", "Bình", "Dương"):
        f.enrol(f.StudentFactory(school=year.school, family_name="Nguyễn Hoàng",
                                 middle_name="Thị Ánh", given_name=given), class_group)
    return class_group, term


def test_a_wide_sheet_scrolls_in_its_box_and_keeps_the_names_in_view(
    phone_page: Page, wide_class
):
    class_group, term = wide_class
    path = f"/bao-cao/lop/{class_group.pk}/tong-hop/"
    log_in_at(phone_page, path, PRINCIPAL_PHONE)
    phone_page.goto(f"{path}?ky={term.number}")
    box = phone_page.locator(".sheet-scroll")
    expect(box.locator("td.name")).to_have_count(3)

    sizes = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] > sizes[1] * 1.5, sizes  # the sheet is wider than the phone…
    page_width = phone_page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert page_width[0] <= page_width[1], page_width  # …but the page does not scroll sideways

    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    phone_page.wait_for_function(
        "() => document.querySelector('.sheet-scroll').scrollLeft > 0"
    )
    frame = box.bounding_box()
    name = box.locator("td.name").first
    where = name.bounding_box()
    assert where["x"] >= frame["x"] - 1 and where["x"] + where["width"] <= frame["x"] + frame["width"]
    expect(name).to_contain_text("An")
    last = box.locator("tbody tr").first.locator("td").last
    last_box = last.bounding_box()
    assert last_box["x"] + last_box["width"] <= frame["x"] + frame["width"] + 1  # scrolled to it

"""The summer in the browser (Circular 22, Articles 12–14): the school's administrator opens a
closed year's class summer page, sees the lists (kiểm tra lại, rèn luyện trong kì nghỉ hè),
records a re-assessed conduct and the re-tests (one bad value first: the Vietnamese message,
nothing saved), and closes the summer; then the mother of the pupil who re-took tests, on a
phone, opens his year card and reads the re-test column and the decision after the summer.

No assertion reads a UI label (the Vietnamese catalog may not be compiled): the tests go by
element names, data attributes, values, URLs, the rules' own Vietnamese messages and the
PDF's Vietnamese text.
"""

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from contactbook.gradebook.columns import columns_for
from contactbook.models import ConductRating, RetestResult, Summer, SummerConduct
from school.models import StaffMembership, Subject, Term
from tests import factories as f
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

ADMIN_PHONE = "0912000444"
PARENT_PHONE = "0987000555"
SLOW_MS = 30_000  # a page that computes the class's year cards, a card rendered on demand
SCORED = [("Toán", 105), ("Vật lí", 70), ("Hoá học", 70), ("Sinh học", 70), ("Lịch sử", 52),
          ("Địa lí", 70)]
WEAK = {"Toán", "Vật lí"}  # An's 4,0: kiểm tra lại in these two


@dataclass
class LastYear:
    class_group: object
    subjects: dict
    an: object  # re-takes Toán and Vật lí
    chau: object  # conduct Chưa đạt: summer conduct training


@pytest.fixture
def last_year(transactional_db, settings, tmp_path) -> LastYear:
    """2025–2026's 10A1, both terms closed: An (Toán and Vật lí 4,0, the rest 8,0, conduct
    Tốt) and Châu (every subject 8,0, conduct Chưa đạt in term II); the administrator and
    An's mother log in by phone."""
    settings.REPORTS_ROOT = tmp_path / "reports"
    school = f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long")
    year = f.SchoolYearFactory(
        school=school, name="2025–2026", start_date=datetime.date(2025, 9, 5),
        end_date=datetime.date(2026, 5, 31), is_current=False,
    )
    terms = [
        f.TermFactory(school_year=year, number=1, start_date=datetime.date(2025, 9, 5),
                      end_date=datetime.date(2026, 1, 17)),
        f.TermFactory(school_year=year, number=2, start_date=datetime.date(2026, 1, 19),
                      end_date=datetime.date(2026, 5, 30)),
    ]
    admin = f.UserFactory(full_name="Đoàn Thị Văn Thư", phone=ADMIN_PHONE)
    f.StaffMembershipFactory(user=admin, school=school, role=StaffMembership.Role.ADMIN)
    teacher = f.UserFactory(full_name="Cao Minh Nam")
    f.StaffMembershipFactory(user=teacher, school=school, role=StaffMembership.Role.TEACHER)
    group = f.ClassGroupFactory(school_year=year, name="10A1", homeroom_teacher=teacher)
    subjects = {}
    for name, periods in [*SCORED, ("Giáo dục thể chất", 70)]:
        rated = name == "Giáo dục thể chất"
        subjects[name] = f.SubjectFactory(
            school=school, name=name, periods_per_year=periods,
            assessment=Subject.Assessment.RATED if rated else Subject.Assessment.SCORED,
        )
        f.TeachingAssignmentFactory(teacher=teacher, class_group=group, subject=subjects[name])
    an = f.StudentFactory(school=school, family_name="Vũ", middle_name="Khánh", given_name="An")
    chau = f.StudentFactory(school=school, family_name="Lê", middle_name="Minh", given_name="Châu")
    for pupil in (an, chau):
        f.enrol(pupil, group, start_date=year.start_date)
    for term in terms:
        for pupil in (an, chau):
            for name, subject in subjects.items():
                for column in columns_for(subject):
                    rated = subject.assessment == Subject.Assessment.RATED
                    value = "4" if pupil == an and name in WEAK else "8"
                    f.score(pupil, subject, term, kind=column.kind, index=column.index,
                            value=None if rated else value, passed=True if rated else None,
                            by=teacher)
        for pupil, rating in ((an, "Tốt"), (chau, "Tốt" if term.number == 1 else "Chưa đạt")):
            ConductRating.objects.create(student=pupil, term=term, rating=rating,
                                         updated_by=teacher)
    Term.objects.filter(school_year=year).update(closed_at=timezone.now(), closed_by=admin)
    f.link_guardian(f.UserFactory(full_name="Nguyễn Thị Mẹ An", phone=PARENT_PHONE), an)
    return LastYear(group, subjects, an, chau)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_an_admin_walks_a_class_through_the_summer_and_a_parent_reads_the_card(
    page: Page, phone_page: Page, last_year: LastYear, artifacts_dir
):
    an, chau, subjects = last_year.an, last_year.chau, last_year.subjects
    summer_url = f"/bao-cao/lop/{last_year.class_group.pk}/he/"
    log_in(page, ADMIN_PHONE, summer_url)

    # The lists: An re-takes Toán and Vật lí, Châu trains over the summer.
    math = page.locator(f"input[name=k-{an.pk}-{subjects['Toán'].pk}]")
    physics = page.locator(f"input[name=k-{an.pk}-{subjects['Vật lí'].pk}]")
    conduct = page.locator(f"select[name=c-{chau.pk}]")
    expect(math).to_have_count(1)
    expect(physics).to_have_count(1)
    expect(conduct).to_have_count(1)
    expect(page.locator(f"input[name^=k-{chau.pk}-]")).to_have_count(0)
    save = page.locator("form", has=math).locator("button[type=submit]")
    page.screenshot(path=str(artifacts_dir / "summer-lists.png"), full_page=True)

    # One bad value: the rule's Vietnamese message by the cell, nothing saved.
    conduct.select_option("Đạt")
    math.fill("11")
    physics.fill("6,5")
    save.click()
    error = page.locator(f"#e-k-{an.pk}-{subjects['Toán'].pk}")
    expect(error).to_contain_text("phải từ 0 đến 10", timeout=SLOW_MS)
    expect(math).to_have_attribute("aria-invalid", "true")
    expect(physics).to_have_value("6,5")  # what was typed stays
    assert not RetestResult.objects.exists() and not SummerConduct.objects.exists()

    # Corrected and saved: the re-tests and the conduct are recorded, the cells now read-only.
    math.fill("5")
    save.click()
    expect(page).to_have_url(re.compile(re.escape(summer_url) + "$"), timeout=SLOW_MS)
    expect(page.locator(f"input[name^=k-{an.pk}-]")).to_have_count(0)
    assert sorted(RetestResult.objects.values_list("subject__name", "value")) == [
        ("Toán", Decimal("5.0")), ("Vật lí", Decimal("6.5"))
    ]
    assert SummerConduct.objects.get().rating == "Đạt"

    # Closing the summer.
    page.locator("input#reason").fill("Đã ghi đủ kết quả hè")
    page.locator("button[name=action][value=close]").click()
    expect(page.locator("button[name=action][value=reopen]")).to_have_count(1, timeout=SLOW_MS)
    assert Summer.objects.get().is_closed
    page.screenshot(path=str(artifacts_dir / "summer-closed.png"), full_page=True)

    # An's mother, on a phone: the whole-year card of 2025–2026, after the summer.
    parent = phone_page
    log_in(parent, PARENT_PHONE, f"/phu-huynh/hoc-sinh/{an.pk}/phieu-bao/")
    item = parent.locator("li[data-period='ca-nam']")
    expect(item).to_have_attribute("data-available", "yes")
    href = item.locator("a.download").get_attribute("href")
    response = parent.request.get(href, timeout=SLOW_MS)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    for expected in (
        "Vũ Khánh An", "Điểm hoặc mức đánh giá lại", "5,0", "6,5",
        "Kết quả xét lên lớp: Kiểm tra lại: Toán, Vật lí",
        "Kết quả xét lên lớp sau kì nghỉ hè: Được lên lớp",
    ):
        assert expected in text, expected
    widths = parent.evaluate(
        "() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["page"] <= widths["inner"] + 1, widths  # the card list fits the phone

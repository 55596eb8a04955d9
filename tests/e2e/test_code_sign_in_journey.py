"""A parent the school imported (no password, ever) signs in on a phone with a code sent by SMS
and reads their child's grades; another types a wrong code five times and is told how long to
wait. The SMS gateway is the file gateway: its file is the parent's phone.

Assertions go by data attributes, names, numbers and URLs, not by UI labels.
"""

import datetime
import json
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contactbook.gradebook.columns import Column
from contactbook.gradebook.writes import publish_column, save_grid
from tests import factories as f

pytestmark = pytest.mark.e2e

PHONE = "0987654321"
SLOW_MS = 15_000  # after a form post on a busy CI machine


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    settings.SMS_GATEWAY = "contactbook.channels.FileSmsGateway"
    return settings.SMS_FILE_PATH


@pytest.fixture
def pupil(transactional_db):
    """Khang in 10A1, with a published 8,5 in maths; his mother was imported by the school with
    her phone and no password."""
    year = f.SchoolYearFactory(school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"))
    class_a1 = f.ClassGroupFactory(school_year=year, name="10A1")
    teacher = f.UserFactory(full_name="Lê Văn Toán")
    f.StaffMembershipFactory(user=teacher, school=year.school)
    math = f.SubjectFactory(school=year.school, name="Toán")
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_a1, subject=math)
    term = f.TermFactory(school_year=year, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2027, 12, 31))
    mother = f.UserFactory(full_name="Vũ Thị Hồng Nhung", phone=PHONE)
    mother.set_unusable_password()
    mother.save()
    khang = f.StudentFactory(school=year.school, family_name="Nguyễn", middle_name="Minh", given_name="Khang")
    f.enrol(khang, class_a1)
    f.link_guardian(mother, khang)
    save_grid(teacher=teacher, class_group=class_a1, subject=math, term=term, cells={(khang.pk, "regular-1"): "8,5"})
    publish_column(teacher=teacher, class_group=class_a1, subject=math, term=term, column=Column("regular", 1))
    return khang


def code_on_phone(path, count: int = 1) -> str:
    """The code in the `count`-th SMS to the parent's phone, once it has arrived."""
    deadline = time.monotonic() + SLOW_MS / 1000
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
        texts = [line["text"] for line in lines if line["phone"] == PHONE]
        if len(texts) >= count:
            (code,) = re.findall(r"\b\d{6}\b", texts[count - 1])
            return code
        time.sleep(0.1)
    raise AssertionError("no SMS reached the phone")


def fits_the_phone(page: Page) -> None:
    widths = page.evaluate("() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["page"] <= widths["inner"] + 1, widths  # nothing scrolls sideways


def ask_for_a_code(page: Page, artifacts_dir, shot: str) -> None:
    page.context.clear_cookies()
    page.goto("/phu-huynh/")
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/\?next="))
    page.locator("[data-code-sign-in]").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/ma/\?next=%2Fphu-huynh%2F$|/tai-khoan/ma/\?next=/phu-huynh/$"))
    fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / f"{shot}-1-phone.png"), full_page=True)
    page.locator("input[name=phone]").fill("0987 654 321")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/ma/nhap/$"), timeout=SLOW_MS)
    expect(page.locator("[data-sent]")).to_contain_text("0987 654 321")
    fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / f"{shot}-2-code.png"), full_page=True)


def test_a_parent_who_never_had_a_password_signs_in_with_a_code_and_reads_the_grades(
    phone_page: Page, pupil, sms_file, artifacts_dir
):
    page = phone_page
    ask_for_a_code(page, artifacts_dir, "code-sign-in")
    page.locator("input[name=code]").fill(code_on_phone(sms_file))
    page.locator("input[name=remember]").check()
    page.locator("main form button[type=submit]").click()

    # Signed in; a password is offered, and she keeps to codes.
    expect(page).to_have_url(re.compile(r"/tai-khoan/mat-khau/dat/\?next=%2Fphu-huynh%2F$"), timeout=SLOW_MS)
    fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / "code-sign-in-3-password.png"), full_page=True)
    page.locator("[data-skip]").click()

    expect(page).to_have_url(re.compile(r"/phu-huynh/$"), timeout=SLOW_MS)
    expect(page.locator("h1.child-name")).to_have_text("Nguyễn Minh Khang")
    expect(page.locator("#scores .score-value")).to_have_text(["8,5"])
    fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / "code-sign-in-4-portal.png"), full_page=True)

    # "Remember this device": the session cookie lasts 30 days.
    (session,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    days = (session["expires"] - timezone.now().timestamp()) / 86400
    assert 29.9 < days <= 30, days


def test_five_wrong_codes_are_refused_with_a_wait(phone_page: Page, pupil, sms_file, artifacts_dir):
    page = phone_page
    ask_for_a_code(page, artifacts_dir, "code-wrong")
    code = code_on_phone(sms_file)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(4):
        page.locator("input[name=code]").fill(wrong)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("input[name=code]")).to_be_visible(timeout=SLOW_MS)
        expect(page.locator(".errorlist")).to_be_visible()
    page.locator("input[name=code]").fill(wrong)
    with page.expect_response(re.compile(r"/tai-khoan/ma/nhap/$")) as answer:
        page.locator("main form button[type=submit]").click()
    assert answer.value.status == 429
    expect(page.locator("[data-locked-out]")).to_contain_text("15", timeout=SLOW_MS)
    fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / "code-wrong-3-wait.png"), full_page=True)

    # The right code no longer opens anything, and a new one must wait.
    page.goto("/tai-khoan/ma/nhap/")
    expect(page).to_have_url(re.compile(r"/tai-khoan/ma/$"))
    page.goto("/phu-huynh/")
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/\?next="))

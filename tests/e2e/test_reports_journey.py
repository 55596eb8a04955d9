"""Term reports in the browser: the principal starts a run for a class, sees it finish and
downloads the class PDF; a run's page follows the run live (polling) and shows the downloads
when it ends; a parent on a phone opens the card of a closed term; the verification page is
opened from the card's code, typed loosely, and the card's own file is compared with it.

No assertion reads a UI label (the Vietnamese catalog may not be compiled): the tests go by
element names, data attributes, values, URLs and the PDFs' own Vietnamese text.
"""

import hashlib
import io
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from reports.models import ReportCard, ReportFile, ReportRun
from school.models import StaffMembership
from tests import factories as f
from tests.e2e.conftest import second_factor_step

pytestmark = pytest.mark.e2e

PRINCIPAL_PHONE = "0912000222"
PARENT_PHONE = "0987000333"
SLOW_MS = 30_000  # a form post that renders PDFs (eager Celery) on a busy CI machine


@dataclass
class School:
    year: object
    term: object
    class_group: object
    pupil: object
    classmate: object
    principal: object


@pytest.fixture
def reports_root(settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path / "reports"  # the live server runs in this process
    return settings.REPORTS_ROOT


@pytest.fixture
def school(transactional_db, reports_root) -> School:
    """10A1 with two pupils, Toán with a published score, term I closed; the principal and
    the first pupil's mother log in by phone."""
    year = f.SchoolYearFactory(school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"))
    principal = f.UserFactory(full_name="Phạm Thị Hiệu", phone=PRINCIPAL_PHONE)
    f.StaffMembershipFactory(user=principal, school=year.school, role=StaffMembership.Role.PRINCIPAL)
    term = f.TermFactory(school_year=year, number=1, closed_at=timezone.now(), closed_by=principal)
    class_group = f.ClassGroupFactory(school_year=year, name="10A1")
    math = f.SubjectFactory(school=year.school, name="Toán", periods_per_year=105)
    pupil = f.StudentFactory(school=year.school, family_name="Nguyễn", middle_name="Thị Ánh", given_name="Dương")
    classmate = f.StudentFactory(school=year.school, family_name="Lê", middle_name="Văn", given_name="Bình")
    for student in (pupil, classmate):
        f.enrol(student, class_group)
    f.link_guardian(f.UserFactory(full_name="Vũ Thị Hồng Nhung", phone=PARENT_PHONE), pupil)
    f.score(pupil, math, term, value="8.5", kind="regular", index=1)
    return School(year, term, class_group, pupil, classmate, principal)


def log_in_at(page: Page, path: str, phone: str) -> None:
    """Open a page logged out, get sent to the login page, log in, come back."""
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/\?next="))
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(phone)
    form.locator("input[name=password]").fill(f.TEST_PASSWORD)
    form.locator("button[type=submit]").click()
    second_factor_step(page, phone)
    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(path) + r"(\?.*)?$"), timeout=SLOW_MS)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_the_principal_prints_a_class_and_downloads_its_pdf(page: Page, school: School, artifacts_dir):
    log_in_at(page, "/bao-cao/", PRINCIPAL_PHONE)
    form = page.locator("form.run-form")
    form.locator("select[name=period]").select_option(f"{school.year.pk}:1")
    form.locator("input[name=scope][value=class]").check()
    form.locator("select[name=class_group]").select_option(str(school.class_group.pk))
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/bao-cao/dot/\d+/$"), timeout=SLOW_MS)
    run = ReportRun.objects.get()
    expect(page.locator("#progress")).to_have_attribute("data-status", "done", timeout=SLOW_MS)
    expect(page.locator("#progress [data-field=done]")).to_have_text("2")
    link = page.locator(f"#downloads a.download[data-class='{school.class_group.pk}']")
    expect(link).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "report-run-done.png"), full_page=True)

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        text = pdf_text(handle.read())
    assert "Nguyễn Thị Ánh Dương" in text and "Lê Văn Bình" in text and "8,5" in text
    assert ReportFile.objects.get(run=run).class_group == school.class_group

    # The recent runs on the home page list it as done.
    page.goto("/bao-cao/")
    expect(page.locator(f"#runs tr[data-run='{run.pk}']")).to_have_attribute("data-status", "done")
    page.screenshot(path=str(artifacts_dir / "reports-home.png"), full_page=True)


def test_a_runs_page_follows_the_run_live_and_shows_the_downloads(page: Page, school: School, reports_root):
    run = ReportRun.objects.create(
        school=school.year.school, school_year=school.year, term=school.term, scope="class",
        class_group=school.class_group, status="running", requested_by=school.principal, total=2,
    )
    log_in_at(page, f"/bao-cao/dot/{run.pk}/", PRINCIPAL_PHONE)
    box = page.locator("#progress")
    expect(box).to_have_attribute("data-finished", "no")
    expect(box.locator("[data-field=done]")).to_have_text("0")

    ReportRun.objects.filter(pk=run.pk).update(done=1)  # a worker finished a chunk
    expect(box.locator("[data-field=done]")).to_have_text("1", timeout=SLOW_MS)
    expect(box.locator("[data-field=percent]")).to_have_text("50")

    data = b"%PDF-1.7\n%%EOF\n"
    (reports_root / f"run-{run.pk}").mkdir(parents=True)
    (reports_root / f"run-{run.pk}" / "lop-10a1.pdf").write_bytes(data)
    ReportFile.objects.create(
        run=run, kind="class_pdf", class_group=school.class_group, name="lop-10a1.pdf",
        path=f"run-{run.pk}/lop-10a1.pdf", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
    )
    ReportRun.objects.filter(pk=run.pk).update(done=2, status="done", finished_at=timezone.now())
    expect(page.locator("#downloads a.download")).to_have_count(1, timeout=SLOW_MS)
    expect(page.locator("#progress")).to_have_attribute("data-finished", "yes")


def test_a_parent_opens_the_card_and_checks_it_on_the_verification_page(
    phone_page: Page, page: Page, school: School, artifacts_dir, tmp_path
):
    parent = phone_page
    cards = f"/phu-huynh/hoc-sinh/{school.pupil.pk}/phieu-bao/"
    log_in_at(parent, cards, PARENT_PHONE)
    item = parent.locator(f"li[data-period='{school.term.pk}']")
    expect(item).to_have_attribute("data-available", "yes")
    expect(parent.locator("li[data-period='ca-nam']")).to_have_attribute("data-available", "no")
    href = item.locator("a.download").get_attribute("href")
    parent.screenshot(path=str(artifacts_dir / "report-cards-phone.png"), full_page=True)

    # The PDF opens inline; fetched with the parent's session (a headless browser has no viewer).
    response = parent.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    body = response.body()
    card = ReportCard.objects.get(student=school.pupil)
    text = pdf_text(body)
    assert "Nguyễn Thị Ánh Dương" in text and card.code in text.replace(" ", "")
    saved = tmp_path / "phieu-bao.pdf"
    saved.write_bytes(body)

    # Someone else (no login) types the card's code loosely: lower case, with dashes.
    typed = f"{card.code[:4]}-{card.code[4:]}".lower()
    page.goto(f"/verify/{typed}/")
    expect(page).to_have_url(re.compile(rf"/verify/{card.code}/$"))
    verify = page.locator(".verify")
    expect(verify).to_have_attribute("data-state", "current")
    expect(verify.locator("[data-field=name]")).to_have_text("N. T. Á. D***")
    expect(verify.locator("[data-field=fingerprint]")).to_have_text(hashlib.sha256(body).hexdigest())
    content = page.content()
    assert "Dương" not in content and school.pupil.student_code not in content and "10A1" not in content

    page.locator("#compare input[name=file]").set_input_files(str(saved))
    page.locator("#compare button[type=submit]").click()
    expect(page.locator("#compare [data-match]")).to_have_attribute("data-match", "yes", timeout=SLOW_MS)
    page.screenshot(path=str(artifacts_dir / "report-verify.png"), full_page=True)

    widths = parent.evaluate("() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["page"] <= widths["inner"] + 1, widths  # the card list fits the phone

"""The department's dashboard in the browser: the department's officer signs in through the
sign-in form, opens /so/<code>/, sees the SVG charts with their tables, changes the term and
the area (the tables follow), sees small counts withheld ("<5"), downloads the workbook and
reads it; on a phone the page does not scroll sideways (only its tables do). An officer of
another department asking for the same address gets the not-found page; the school's
principal opens the school's own dashboard and follows a class's row to its summary.

The data is the dashboard tests' (tests/reports/test_dashboard.py): school A (Cao Xanh) with
10A1 and 10A2 graded in both terms, seven pupils; school B (Hồng Gai), primary, no term set
up. Assertions go by element names, URLs, counts and the data's own names, not UI labels.
"""

import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from reports import counts
from tests.conftest import Cast, build_cast
from tests.e2e.conftest import log_in
from tests.reports.test_dashboard import add_two_at_tot
from tests.reports.test_statistics import build_results

pytestmark = pytest.mark.e2e

OFFICER_PHONE = "0913000701"
OTHER_OFFICER_PHONE = "0913000702"
PRINCIPAL_PHONE = "0913000703"
SLOW_MS = 30_000  # the school's own dashboard computes its classes' cards


@dataclass
class Board:
    cast: Cast
    url: str


@pytest.fixture
def board(transactional_db) -> Board:
    """The cast with the dashboard tests' results counted for the dashboard, the schools in
    two areas, and phones for the two officers and school A's principal."""
    cast = build_cast()  # the `cast` fixture uses `db`; the live server needs committed rows
    results = build_results(cast)
    add_two_at_tot(cast, results)
    for school, area in ((cast.school_a, "Cao Xanh"), (cast.school_b, "Hồng Gai")):
        school.area = area
        school.save()
    for user, phone in ((cast.officer, OFFICER_PHONE), (cast.other_officer, OTHER_OFFICER_PHONE),
                        (cast.principal, PRINCIPAL_PHONE)):
        user.phone = phone
        user.save()
    # The counts' round as beat runs it, on a day after term II (so the year is counted too).
    for school in (cast.school_a, cast.school_b):
        counts.refresh_school(school, today=results.term2.end_date + datetime.timedelta(days=1))
    url = reverse("reports:department_dashboard", args=[cast.school_a.department.code])
    return Board(cast, url)


def first_table_rows(page: Page) -> list[str]:
    """The row headings of the first table (learning results by school)."""
    return page.locator("section.chart-card").first.locator("tbody th[scope=row]").all_inner_texts()


def school_row_cells(page: Page, school_name: str) -> list[str]:
    row = page.locator("section.chart-card").first.locator("tbody tr", has_text=school_name)
    return row.locator("td").all_inner_texts()


def show(page: Page, **choices) -> None:
    form = page.locator("main form", has=page.locator("select[name=ky]"))
    for name, value in choices.items():
        form.locator(f"select[name={name}]").select_option(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_an_officer_reads_the_department_dashboard_and_others_may_not(
    page: Page, phone_page: Page, board: Board
):
    cast, url = board.cast, board.url
    page.set_default_timeout(SLOW_MS)
    log_in(page, OFFICER_PHONE, url)

    # The charts are SVG drawn on the server, each with its table.
    charts = page.locator("section.chart-card figure.chart svg")
    tables = page.locator("section.chart-card table")
    expect(charts.first).to_be_visible()
    assert charts.count() == tables.count() >= 5

    # Term I: both schools and the department's total; school A's seven pupils, each of
    # its counts under five withheld with no share.
    show(page, ky="1")
    expect(page).to_have_url(re.compile(r"[?&]ky=1"))
    assert first_table_rows(page) == [cast.school_a.name, cast.school_b.name, "Toàn Sở"]
    cells = school_row_cells(page, cast.school_a.name)
    assert cells[0] == "7"
    assert cells[1:] and all(c == "<5" for c in cells[1:]), cells
    term_tables = page.locator("section.chart-card").count()

    # The whole year adds the titles and promotion.
    show(page, ky="ca-nam")
    expect(page).to_have_url(re.compile(r"[?&]ky=ca-nam"))
    assert page.locator("section.chart-card").count() > term_tables
    assert "<5" in school_row_cells(page, cast.school_a.name)

    # The area Hồng Gai keeps only school B; back to term I there.
    show(page, ky="1", **{"khu-vuc": "Hồng Gai"})
    expect(page).to_have_url(re.compile(r"khu-vuc=H"))
    expect(page.locator("select[name=khu-vuc] option:checked")).to_have_text("Hồng Gai")
    assert first_table_rows(page) == [cast.school_b.name, "Toàn Sở"]
    assert cast.school_a.name not in page.locator("section.chart-card").first.inner_text()

    # The workbook of what is shown: school B alone, its area named.
    link = page.locator("a[download]", has_text=re.compile("XLSX"))
    assert "khu-vuc=" in link.get_attribute("href")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    with open(download.path(), "rb") as body:
        workbook = load_workbook(io.BytesIO(body.read()))
    values = [v for ws in workbook for r in ws.iter_rows(values_only=True) for v in r if v]
    assert "Khu vực: Hồng Gai" in values and cast.school_b.name in values
    assert cast.school_a.name not in values
    assert workbook.sheetnames == ["Tổng hợp", "Khoá sổ"]

    # On a phone: the page fits the screen's width; only the tables scroll sideways.
    phone_page.set_default_timeout(SLOW_MS)
    log_in(phone_page, OFFICER_PHONE, url)
    expect(phone_page.locator("section.chart-card svg").first).to_be_visible()
    width = phone_page.evaluate("window.innerWidth")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= width
    assert phone_page.evaluate("document.body.scrollWidth") <= width
    wide = phone_page.evaluate(
        "[...document.querySelectorAll('section, figure, form, h1, p')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length"
    )
    assert wide == 0

    # Another department's officer: the not-found page, nothing of this department.
    log_in(page, OTHER_OFFICER_PHONE, "/")
    response = page.goto(url)
    assert response.status == 404
    assert cast.school_a.name not in page.content()
    assert cast.school_a.department.name not in page.content()


def test_a_principal_opens_the_schools_dashboard_and_a_classs_summary(page: Page, board: Board):
    cast = board.cast
    page.set_default_timeout(SLOW_MS)
    url = reverse("reports:school_dashboard", args=[cast.school_a.pk])
    log_in(page, PRINCIPAL_PHONE, url)
    expect(page.locator("section.chart-card svg").first).to_be_visible()
    summary = reverse("reports:class_summary", args=[cast.class_a1.pk])
    row_link = page.locator("section.chart-card").first.locator(f'tbody a[href^="{summary}"]')
    expect(row_link).to_have_text("10A1")
    with page.expect_navigation():
        row_link.click()
    expect(page).to_have_url(re.compile(re.escape(summary)))
    expect(page.locator("main")).to_contain_text("10A1")

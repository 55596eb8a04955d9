"""The class summary and school statistics pages and downloads (reports/views/summaries.py):
who may open them (the whole cast), what the page and the files hold, bad query values, and
the page's fixed number of queries."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from school.models import StaffMembership
from tests import factories as f
from tests.conftest import assert_cast
from tests.reports.test_statistics import new_pupil, results  # noqa: F401

pytestmark = pytest.mark.django_db


def summary_url(class_group, **query) -> str:
    url = reverse("reports:class_summary", args=[class_group.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def statistics_url(school, **query) -> str:
    url = reverse("reports:school_statistics", args=[school.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def get_as(client, user, url):
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    return client.get(url)


def opens(client, url):
    return lambda user: get_as(client, user, url).status_code == 200


def pdf_text(response) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


# ---------------------------------------------------------------------------------------
# Who may
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [{}, {"dinh-dang": "pdf"}, {"dinh-dang": "xlsx", "ky": "ca-nam"}])
def test_a_class_summary_is_for_the_schools_managers_its_homeroom_teacher_and_the_operator(
    client, cast, query
):
    assert_cast(cast, opens(client, summary_url(cast.class_a1, **query)),
                {"operator", "principal", "homeroom_a1"})


def test_a_class_without_that_homeroom_teacher_is_the_managers_only(client, cast):
    assert_cast(cast, opens(client, summary_url(cast.class_a2)), {"operator", "principal"})
    assert_cast(cast, opens(client, summary_url(cast.class_b)), {"operator", "other_school_admin"})


@pytest.mark.parametrize("query", [{}, {"dinh-dang": "pdf"}, {"dinh-dang": "xlsx"}])
def test_school_statistics_are_for_the_schools_managers_and_the_operator(client, cast, query):
    assert_cast(cast, opens(client, statistics_url(cast.school_a, **query)),
                {"operator", "principal"})
    assert_cast(cast, opens(client, statistics_url(cast.school_b, **query)),
                {"operator", "other_school_admin"})


def test_everyone_else_gets_404_and_an_anonymous_visitor_the_login_page(client, cast):
    for url in (summary_url(cast.class_a1, **{"dinh-dang": "pdf"}), statistics_url(cast.school_a)):
        for name in ("teacher_a1", "teacher_a2", "group_head", "other_school_admin", "parent_a1",
                     "parent_of_two", "stranger"):
            assert get_as(client, cast.users[name], url).status_code == 404, (name, url)
        response = get_as(client, cast.anonymous, url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_bad_query_value_is_refused_only_after_access_is_checked(client, cast):
    # A parent learns nothing from a malformed request either: still 404, not 400.
    assert get_as(client, cast.parent_a1, summary_url(cast.class_a1, ky="9")).status_code == 404


def test_a_homeroom_teacher_who_left_the_staff_no_longer_opens_the_summary(client, cast):
    StaffMembership.objects.filter(user=cast.homeroom_a1).update(is_active=False)
    assert get_as(client, cast.homeroom_a1, summary_url(cast.class_a1)).status_code == 404


def test_a_deputy_and_an_administrator_are_managers_too(client, cast):
    for role in (StaffMembership.Role.VICE_PRINCIPAL, StaffMembership.Role.ADMIN):
        StaffMembership.objects.filter(user=cast.teacher_a2).update(role=role)
        assert get_as(client, cast.teacher_a2, summary_url(cast.class_a1)).status_code == 200
        assert get_as(client, cast.teacher_a2, statistics_url(cast.school_a)).status_code == 200


# ---------------------------------------------------------------------------------------
# What they show
# ---------------------------------------------------------------------------------------


def test_the_class_summary_page_shows_the_table_counts_and_downloads(client, results):
    cast = results.cast
    response = get_as(client, cast.homeroom_a1, summary_url(cast.class_a1, ky="1"))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in ("BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ HỌC KỲ I", "Trần Thị An",
                     "Nguyễn Thị Ánh Dương", "Đặng Văn Đức", "9,0", "5,5", "1 (25,0%)",
                     "Chưa có kết quả"):
        assert expected in page, expected
    assert "dinh-dang=pdf" in page and "dinh-dang=xlsx" in page and "ky=ca-nam" in page
    assert "Học sinh Xuất sắc" not in page  # a term has no titles
    year = get_as(client, cast.homeroom_a1, summary_url(cast.class_a1, ky="ca-nam"))
    year = year.content.decode()
    assert "Học sinh Xuất sắc" in year and "Được lên lớp" in year


def test_the_class_summary_downloads_as_a_landscape_pdf(client, results):
    cast = results.cast
    url = summary_url(cast.class_a1, ky="ca-nam", **{"dinh-dang": "pdf"})
    response = get_as(client, cast.principal, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Tong-hop-10A1-Ca-nam.pdf"'
    assert {"private", "no-store"} <= {v.strip() for v in response["Cache-Control"].split(",")}
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert page.mediabox.width > page.mediabox.height
    text = pdf_text(response)
    for expected in ("BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ CẢ NĂM", "Trần Thị Châu",
                     "Nguyễn Thị Ánh Dương", "Đặng Văn Đức", "Học sinh Xuất sắc", "1 (25,0%)"):
        assert expected in text, expected


def test_the_class_summary_downloads_as_xlsx_with_neutralised_names(client, results):
    cast = results.cast
    new_pupil(cast, cast.class_a1, "=HYPERLINK(\"http://x.invalid\")", "", "Bé")
    url = summary_url(cast.class_a1, ky="1", **{"dinh-dang": "xlsx"})
    response = get_as(client, cast.homeroom_a1, url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="Tong-hop-10A1-HK1.xlsx"'
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in values if c.data_type == "f"]
    assert "'=HYPERLINK(\"http://x.invalid\") Bé" in {c.value for c in values}
    an = next(r for r in ws.iter_rows(values_only=True) if r[1] == "Trần Thị An")
    assert an[2] == 9 and "Tốt" in an


def test_the_statistics_page_and_files_show_counts_and_no_pupil(client, results):
    cast = results.cast
    page = get_as(client, cast.principal, statistics_url(cast.school_a, ky="ca-nam"))
    page = page.content.decode()
    for expected in ("THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ CẢ NĂM", "10A1", "10A2", "Khối 10",
                     "Toàn trường", "1 (20,0%)", "Học sinh Xuất sắc"):
        assert expected in page, expected
    pdf = get_as(client, cast.principal,
                 statistics_url(cast.school_a, ky="1", **{"dinh-dang": "pdf"}))
    assert pdf["Content-Disposition"] == (
        'attachment; filename="Thong-ke-thpt-ha-long-2026-2027-HK1.pdf"'
    )
    text = pdf_text(pdf)
    assert "THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ HỌC KỲ I" in text and "Toàn trường" in text
    xlsx = get_as(client, cast.principal,
                  statistics_url(cast.school_a, **{"nam-hoc": "2026-2027", "dinh-dang": "xlsx"}))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    school = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Toàn trường")
    assert school[1] == 5
    for content in (page, text, str(list(ws.iter_rows(values_only=True)))):
        for pupil in (results.an, results.chau, results.duong, results.duc, results.binh):
            assert pupil.full_name not in content and pupil.student_code not in content


# ---------------------------------------------------------------------------------------
# Bad query values
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, status, field", [
    ({"ky": "3"}, 400, "ky"),
    ({"ky": "hk1"}, 400, "ky"),
    ({"dinh-dang": "docx"}, 400, "dinh-dang"),
    ({"ky": "2"}, 404, "ky"),  # term II is not set up yet
])
def test_a_bad_query_value_says_which_and_what_is_allowed(client, cast, query, status, field):
    from tests import factories as f

    f.TermFactory(school_year=cast.class_a1.school_year, number=1)
    response = get_as(client, cast.principal, summary_url(cast.class_a1, **query))
    assert response.status_code == status
    assert f"<strong>{field}</strong>" in response.content.decode()
    if status == 400:
        assert "ca-nam" in response.content.decode() or "xlsx" in response.content.decode()


def test_a_school_year_that_does_not_exist_is_404_naming_it(client, cast):
    url = statistics_url(cast.school_a, **{"nam-hoc": "1999-2000"})
    response = get_as(client, cast.principal, url)
    assert response.status_code == 404
    assert "<strong>nam-hoc</strong>" in response.content.decode()


def test_without_terms_the_page_shows_the_year(client, cast):
    response = get_as(client, cast.principal, summary_url(cast.class_a1))
    assert response.status_code == 200
    assert "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ CẢ NĂM" in response.content.decode()


# ---------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------


def test_the_class_summary_page_runs_a_fixed_number_of_queries(client, results,
                                                               django_assert_num_queries):
    cast = results.cast
    client.force_login(cast.homeroom_a1)
    url = summary_url(cast.class_a1, ky="1")
    # session, user, the class (access), the terms, cards_for's nine, and the site menu's
    # "manages a school?".
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200
    for n in range(5):
        new_pupil(cast, cast.class_a1, "Phan", "Văn", f"Khải{n}")
    with django_assert_num_queries(14):
        assert client.get(url).status_code == 200


def test_the_statistics_pages_dashboard_link_keeps_the_year_shown(client, cast):
    f.SchoolYearFactory(
        school=cast.school_a, name="2025–2026", is_current=False,
        start_date=datetime.date(2025, 9, 5), end_date=datetime.date(2026, 5, 31),
    )
    response = get_as(client, cast.principal, statistics_url(cast.school_a, **{"nam-hoc": "2025-2026"}))
    body = response.content.decode()
    dashboard = reverse("reports:school_dashboard", args=[cast.school_a.pk])
    assert f'href="{dashboard}?nam-hoc=2025-2026&amp;ky=ca-nam"' in body
    assert "nam-hoc=2026-2027&amp;ky" not in body

"""The results dashboard (reports/dashboard.py, reports/views/dashboard.py): a department's
officers see counts of every school of their department, small counts withheld, never a
pupil; a school's managers the same over their own school, exact, linked to the classes;
nobody else sees either. Charts are SVG drawn on the server, each with its table.

The data is test_statistics' `results` (school A: 10A1 with An Tốt, Châu Khá, Dương Đạt and
Đức with no result yet; 10A2 with Bình Chưa đạt), plus two more pupils of 10A1 at Tốt, so
that school A has 3 pupils at Tốt in term I.
"""

import io
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from core.charts import Bar, Segment, stacked_bars
from reports import counts
from reports import dashboard as board
from reports import statistics
from school.models import Department, DepartmentMembership, School, Student
from tests import factories as f
from tests.conftest import as_user, assert_cast
from tests.reports.test_statistics import build_results, grade_pupil, new_pupil, rate

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def results(cast):
    results = build_results(cast)
    add_two_at_tot(cast, results)
    count_all()
    return results


def add_two_at_tot(cast, results) -> None:
    """Giang and Hà, graded 9 and rated Tốt in both terms in 10A1: school A's third and fourth
    pupils at Tốt (the module's data)."""
    for given in ("Giang", "Hà"):
        pupil = new_pupil(cast, cast.class_a1, "Lương", "Thị", given)
        for term in (results.term1, results.term2):
            grade_pupil(cast, pupil, cast.class_a1, term, "9")
            rate(cast, pupil, term, "Tốt")


def count_all() -> None:
    """A round of the dashboard's counts for every school, as beat runs it."""
    for school in School.objects.all():
        counts.refresh_school(school)


def department_url(cast, **query):
    url = reverse("reports:department_dashboard", args=[cast.school_a.department.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def school_url(cast, **query):
    url = reverse("reports:school_dashboard", args=[cast.school_a.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def pupil_words(cast) -> set[str]:
    """Every pupil's full name (both orders) and code in the cast's schools."""
    words = set()
    for pupil in Student.objects.filter(school__in=[cast.school_a, cast.school_b]):
        words |= {
            pupil.full_name, pupil.student_code,
            f"{pupil.family_name} {pupil.middle_name} {pupil.given_name}",
        }
    return words


def table(dashboard, title_part: str):
    return next(t for t in dashboard.tables if title_part in t.title)


def cells_of(row) -> list[str]:
    return [c.text for c in row.cells]


# ------------------------------------------------------------------------------ who may


def test_only_the_departments_officers_and_the_operator_may_view_it(cast):
    department = cast.school_a.department
    assert_cast(cast, lambda u: Department.objects.visible_to(u).filter(pk=department.pk).exists(),
                {"officer", "operator"})


def test_an_inactive_officer_or_account_may_not(cast):
    membership = DepartmentMembership.objects.get(user=cast.officer)
    membership.is_active = False
    membership.save()
    assert not Department.objects.visible_to(cast.officer).exists()
    other = DepartmentMembership.objects.get(user=cast.other_officer)
    other.user.is_active = False
    other.user.save()
    assert not Department.objects.visible_to(other.user).exists()


def test_the_department_dashboard_opens_for_its_officers_alone(client, cast, results):
    def opens(user):
        response = as_user(client, user).get(department_url(cast))
        if response.status_code == 302:
            assert user.is_anonymous and "/tai-khoan/" in response["Location"]
        else:
            assert response.status_code in (200, 404)
        return response.status_code == 200

    assert_cast(cast, opens, {"officer", "operator"})


def test_the_schools_own_dashboard_opens_for_its_managers_alone(client, cast, results):
    def opens(user):
        response = as_user(client, user).get(school_url(cast))
        assert response.status_code in (200, 302, 404)
        return response.status_code == 200

    assert_cast(cast, opens, {"principal", "operator"})


def test_an_officer_opens_no_school_page_class_or_pupil(client, cast, results):
    as_user(client, cast.officer)
    for url in (
        reverse("reports:school_statistics", args=[cast.school_a.pk]),
        reverse("reports:school_dashboard", args=[cast.school_a.pk]),
        reverse("reports:class_summary", args=[cast.class_a1.pk]),
        f"/api/reports/statistics?school={cast.school_a.code}",
    ):
        assert client.get(url).status_code == 404, url
    assert Department.objects.visible_to(cast.officer).get() == cast.school_a.department
    assert not Student.objects.visible_to(cast.officer).exists()


def test_the_officers_home_links_to_the_dashboard(client, cast):
    body = as_user(client, cast.officer).get("/").content.decode()
    assert department_url(cast) in body


# ------------------------------------------------------------------------------ what they see


def test_an_officer_sees_small_counts_withheld_and_the_principal_sees_them(cast, results):
    officer, _choices = board.department_dashboard(cast.school_a.department, term="1")
    row = table(officer, "học tập · theo trường").rows[0]
    assert row.label == cast.school_a.name
    # Tốt 3, Khá 1, Đạt 1, Chưa đạt 1, no result 1 (7 pupils): all under 5.
    assert row.pupils.text == "7"
    assert cells_of(row) == ["<5", "<5", "<5", "<5", "<5"]
    assert all(c.percent == "" for c in row.cells if c.withheld)
    principal = board.school_dashboard(cast.school_a, cast.class_a1.school_year, results.term1)
    school_row = table(principal, "học tập · theo khối").rows[-1]
    assert school_row.pupils.text == "7"
    assert cells_of(school_row)[:5] == ["3", "1", "1", "1", "1"]
    assert school_row.cells[0].percent == "42,9"


def test_a_lone_small_count_takes_the_next_smallest_of_its_row_with_it():
    # 40 pupils, one count of 3: shown alone, 40 − 37 would give it back.
    F, T = False, True
    assert board.withheld_table([[20, 17, 3, 0, 0]], 5) == [[F, T, T, F, F]]
    assert board.withheld_table([[20, 15, 3, 2, 0]], 5) == [[F, F, T, T, F]]
    assert board.withheld_table([[20, 15, 0, 0, 0]], 5) == [[F] * 5]


def test_a_lone_small_count_of_a_column_takes_the_next_smallest_of_the_column():
    """Two schools and the department's total. School A's 3 goes with its row's next smallest
    (12); alone in its column it would still come back as the department's 9 less school B's
    6, so school B's 6 goes too, and then, alone in B's row, B's 9 with it."""
    counts = [
        [30, 12, 3],  # school A
        [20, 9, 6],   # school B
        [50, 21, 9],  # the department
    ]
    F, T = False, True
    assert board.withheld_table(counts, 5) == [[F, T, T], [F, T, T], [F, F, F]]


@override_settings(DASHBOARD_MIN_COUNT=3)
def test_the_threshold_is_a_setting(cast, results):
    officer, _c = board.department_dashboard(cast.school_a.department, term="1")
    row = table(officer, "học tập · theo trường").rows[0]
    assert cells_of(row)[0] == "3"
    assert row.cells[1].text == "<3"


def test_no_pupil_name_or_code_reaches_the_officers_page_or_workbook(client, cast, results):
    as_user(client, cast.officer)
    page = client.get(department_url(cast, ky="1")).content.decode()
    year = client.get(department_url(cast, ky="ca-nam")).content.decode()
    workbook = load_workbook(io.BytesIO(client.get(department_url(cast, ky="1", **{"dinh-dang": "xlsx"})).content))
    sheet_text = " ".join(
        str(v) for ws in workbook for r in ws.iter_rows(values_only=True) for v in r if v is not None
    )
    assert cast.school_a.name in page and cast.school_a.name in sheet_text
    words = pupil_words(cast)
    assert len(words) >= 16  # eight pupils
    for text in (page, year, sheet_text):
        assert [w for w in words if w in text] == []


def test_the_workbook_withholds_what_the_page_withholds(client, cast, results):
    as_user(client, cast.officer)
    response = client.get(department_url(cast, ky="1", **{"dinh-dang": "xlsx"}))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] == cast.school_a.name]
    assert rows, "the school's row"
    learning = rows[0]
    assert learning[1] == 7
    assert learning[2] == "<5" and learning[3] in (None, "")
    as_user(client, cast.principal)
    ws = load_workbook(io.BytesIO(client.get(school_url(cast, ky="1", **{"dinh-dang": "xlsx"})).content)).active
    school = [r for r in ws.iter_rows(values_only=True) if r and r[0] == "Toàn trường"][0]
    assert school[1] == 7 and school[2] == 3 and school[3] == pytest.approx(42.9)


def test_the_schools_own_dashboard_links_each_class(client, cast, results):
    body = as_user(client, cast.principal).get(school_url(cast, ky="1")).content.decode()
    assert reverse("reports:class_summary", args=[cast.class_a1.pk]) + "?ky=1" in body
    statistics_page = client.get(
        reverse("reports:school_statistics", args=[cast.school_a.pk]) + "?ky=1"
    ).content.decode()
    assert reverse("reports:school_dashboard", args=[cast.school_a.pk]) in statistics_page


def test_the_charts_are_svg_holding_the_numbers_and_no_script(client, cast, results):
    body = as_user(client, cast.principal).get(school_url(cast, ky="1")).content.decode()
    svgs = body.count("<svg")
    assert svgs == len(board.school_dashboard(cast.school_a, cast.class_a1.school_year,
                                              results.term1).tables)
    first = body[body.index("<svg"): body.index("</svg>") + len("</svg>")]
    root = ET.fromstring(first)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert any(t and "10A1 · Tốt: 3 (50,0%)" in t for t in titles), titles
    assert not list(root.iter(f"{SVG}script")) and "href" not in first and "style" not in first


def test_a_chart_escapes_its_labels_and_scales_by_its_viewbox():
    svg = stacked_bars(
        [Bar('<script>alert(1)</script> & "x"', [Segment(0, 3, "a <b> 3"), Segment(-1, 2, "hidden")])],
        ["Tốt"], title="T & <t>", withheld="withheld",
    )
    root = ET.fromstring(svg)
    assert root.get("viewBox").startswith("0 0 ")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")][:2]
    assert widths[0] == pytest.approx(widths[1] * 1.5)


def test_a_withheld_count_draws_no_segment_of_its_own(cast, results):
    officer, _c = board.department_dashboard(cast.school_a.department, term="1")
    chart = table(officer, "học tập · theo trường").chart
    titles = [t.text or "" for t in ET.fromstring(chart).iter(f"{SVG}title")]
    assert not any("Tốt: 3" in t for t in titles)
    assert any("not shown" in t or "không hiển thị" in t for t in titles), titles


# ------------------------------------------------------------------------------ filters


def test_another_department_and_the_school_type_filter_keep_schools_out(cast, results):
    other = f.DepartmentFactory(name="Sở khác", code="so-khac")
    far = f.SchoolFactory(department=other, name="Trường Xa")
    f.SchoolYearFactory(school=far)
    officer, _c = board.department_dashboard(cast.school_a.department, term="1")
    labels = [r.label for r in table(officer, "theo trường").rows]
    assert labels == [cast.school_a.name, cast.school_b.name, "Toàn Sở"]
    primary, choices = board.department_dashboard(cast.school_a.department, term="1",
                                                   level="primary")
    assert [r.label for r in table(primary, "theo trường").rows][0] == cast.school_b.name
    assert choices.level == "primary"


@pytest.mark.parametrize("query, field", [
    ({"ky": "3"}, "ky"), ({"nam-hoc": "1999-2000"}, "nam-hoc"), ({"loai": "x"}, "loai"),
    ({"dinh-dang": "pdf"}, "dinh-dang"),
])
def test_a_bad_filter_gets_a_page_naming_it(client, cast, results, query, field):
    response = as_user(client, cast.officer).get(department_url(cast, **query))
    assert response.status_code in (400, 404)
    assert field in response.content.decode()


# ------------------------------------------------------------------------------ queries


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as ctx:
        function()
    return len(ctx.captured_queries)


def test_the_department_dashboard_runs_eight_queries_whatever_the_schools(cast, results):
    """The schools, years, terms, classes, their stored counts, two for the attendance (by
    week, by school) and one for the report runs: a school more costs no query, nor does a
    pupil — the cards were counted in the background."""
    department = cast.school_a.department

    def run():
        return board.department_dashboard(department, term="1")[0]

    assert _queries(run) == 8
    before = run().pupils.count
    for n in range(2):  # two more schools, one class each, with their term I
        school = f.SchoolFactory(name=f"Trường THPT Thêm {n}")
        year = f.SchoolYearFactory(school=school)
        f.TermFactory(school_year=year, number=1, start_date=results.term1.start_date,
                      end_date=results.term1.end_date)
        class_group = f.ClassGroupFactory(school_year=year, name="10A1")
        for i in range(3):
            f.enrol(f.StudentFactory(school=school), class_group)
        for i, pupil in enumerate(Student.objects.filter(school=school)):
            f.attendance_mark(pupil, results.term1.start_date, status="present")
    dashboard = run()
    assert dashboard.uncounted == 2 and dashboard.pupils.count == before
    count_all()
    dashboard = run()
    assert dashboard.uncounted == 0 and dashboard.pupils.count == before + 6
    assert _queries(run) == 8


# ------------------------------------------------------------------------------ attendance


def mark_week(cast, results):
    """Week of Monday 5 October 2026: An was away with leave on the 5th and 6th (the
    results' marks); six others present on the 5th."""
    import datetime

    day = datetime.date(2026, 10, 5)
    for pupil in Student.objects.filter(school=cast.school_a).exclude(pk=cast.pupil_a1.pk)[:6]:
        f.attendance_mark(pupil, day, status="present", by=cast.homeroom_a1)


def test_attendance_by_week_is_counted_and_small_counts_withheld(cast, results):
    mark_week(cast, results)
    officer, _c = board.department_dashboard(cast.school_a.department, term="1")
    week = table(officer, "Chuyên cần · theo tuần").rows
    assert [r.label for r in week] == ["Tuần bắt đầu 05/10/2026"]
    assert week[0].pupils.text == "8"
    # Present 6, late 0, with leave 2, without 0: the 2 withheld, and the 6 with it.
    assert cells_of(week[0]) == ["<5", "0", "<5", "0"]
    by_school = table(officer, "Chuyên cần · theo trường").rows
    assert [r.label for r in by_school][0] == cast.school_a.name
    principal = board.school_dashboard(cast.school_a, cast.class_a1.school_year, results.term1)
    week = table(principal, "Chuyên cần · theo tuần").rows[0]
    assert cells_of(week) == ["6", "0", "2", "0"]
    assert week.cells[0].percent == "75,0"
    classes = table(principal, "Chuyên cần · theo lớp").rows
    assert [(r.label, r.pupils.text) for r in classes] == [("10A1", "7"), ("10A2", "1")]


def test_the_attendance_table_is_on_the_page_with_its_chart(client, cast, results):
    mark_week(cast, results)
    body = as_user(client, cast.officer).get(department_url(cast, ky="1")).content.decode()
    assert "Chuyên cần · theo tuần" in body and "Số buổi điểm danh" in body
    # One chart per table, and one of the term's close across schools.
    assert body.count("<svg") == len(board.department_dashboard(
        cast.school_a.department, term="1")[0].tables) + 1


# ------------------------------------------------------------------------------ the term's close


def close_with_runs(cast, results, *, done: int, total: int):
    """School A's term I closed, with a whole-school run of `done` cards of `total`; another
    school, Trường THCS Nhỏ, with its term I open and a run of three cards under way (one
    done). Returns that school."""
    from django.utils import timezone

    from reports.models import ReportRun

    results.term1.closed_at = timezone.now()
    results.term1.save()
    ReportRun.objects.create(school=cast.school_a, school_year=cast.class_a1.school_year,
                             term=results.term1, scope="school", status="done", total=total,
                             done=done, requested_by=cast.principal)
    tiny = f.SchoolFactory(name="Trường THCS Nhỏ")
    tiny_year = f.SchoolYearFactory(school=tiny)
    tiny_term = f.TermFactory(school_year=tiny_year, number=1,
                              start_date=results.term1.start_date, end_date=results.term1.end_date)
    ReportRun.objects.create(school=tiny, school_year=tiny_year, term=tiny_term, scope="school",
                             status="running", total=3, done=1, requested_by=cast.principal)
    return tiny


def test_the_schools_term_close_and_latest_run_and_those_not_closed(client, cast, results):
    from reports.models import ReportRun

    late = f.SchoolFactory(name="Trường THCS Chậm")
    f.TermFactory(school_year=f.SchoolYearFactory(school=late), number=1,
                  start_date=results.term1.start_date, end_date=results.term1.end_date)
    tiny = close_with_runs(cast, results, done=7, total=7)
    year_a = cast.class_a1.school_year
    # A later run of one class is not the school's progress: the school's own run counts.
    ReportRun.objects.create(school=cast.school_a, school_year=year_a, term=results.term1,
                             scope="class", class_group=cast.class_a1, status="failed", total=3,
                             done=0, requested_by=cast.principal)
    dashboard, _c = board.department_dashboard(cast.school_a.department, term="1")
    rows = {p.school: p for p in dashboard.progress}
    a = rows[cast.school_a.name]
    assert a.term == "HỌC KỲ I" and a.closed and a.run_status == "Đã xong"
    assert a.run_done == "100,0%"
    assert rows[cast.school_b.name].term == ""  # no term I set up there
    assert rows[tiny.name].run_done == "<5"  # a school's run of three cards: three pupils
    assert dashboard.not_closed == (late.name, tiny.name)
    body = as_user(client, cast.officer).get(department_url(cast, ky="1")).content.decode()
    assert "Khoá sổ học kỳ ở các trường" in body and late.name in body


# ------------------------------------------------------------------------------ by area


def in_areas(cast, a="Cao Xanh", b="Hồng Gai"):
    cast.school_a.area, cast.school_b.area = a, b
    cast.school_a.save()
    cast.school_b.save()


def test_the_area_filter_keeps_only_that_areas_schools_and_their_counts(cast, results):
    in_areas(cast)
    every, choices = board.department_dashboard(cast.school_a.department, term="1")
    assert choices.areas == ("Cao Xanh", "Hồng Gai") and choices.area == ""
    assert every.pupils.text == "7"  # school B's term I is not set up: no cards there
    hong_gai, choices = board.department_dashboard(cast.school_a.department, term="1",
                                                   area="Hồng Gai")
    assert choices.area == "Hồng Gai" and choices.areas == ("Cao Xanh", "Hồng Gai")
    assert [r.label for r in table(hong_gai, "theo trường").rows] == [cast.school_b.name, "Toàn Sở"]
    assert hong_gai.pupils.text == "0"
    assert [p.school for p in hong_gai.progress] == [cast.school_b.name]
    cao_xanh, _c = board.department_dashboard(cast.school_a.department, term="1", area="Cao Xanh")
    rows = table(cao_xanh, "học tập · theo trường").rows
    assert [r.label for r in rows] == [cast.school_a.name, "Toàn Sở"]
    assert rows[0].pupils.text == rows[1].pupils.text == "7"


def test_the_area_and_the_type_filters_combine(cast, results):
    in_areas(cast, "Hạ Long", "Hạ Long")
    both, _c = board.department_dashboard(cast.school_a.department, term="1", area="Hạ Long",
                                          level="primary")
    assert [r.label for r in table(both, "theo trường").rows] == [cast.school_b.name, "Toàn Sở"]
    upper, _c = board.department_dashboard(cast.school_a.department, term="1", area="Hạ Long",
                                           level="upper_secondary")
    assert [r.label for r in table(upper, "theo trường").rows] == [cast.school_a.name, "Toàn Sở"]


def test_the_areas_are_the_departments_own_in_vietnamese_order(cast, results):
    in_areas(cast, "Uông Bí", "Ba Chẽ")
    f.SchoolFactory(department=cast.school_a.department, name="Trường THCS Đầm Hà",
                    area="Đầm Hà", level="lower_secondary")
    f.SchoolFactory(department=cast.school_a.department, name="Trường THCS Không Rõ")
    f.SchoolFactory(department=f.DepartmentFactory(name="Sở khác", code="so-khac"), area="Xa Lắm")
    _d, choices = board.department_dashboard(cast.school_a.department, term="1")
    # "Đ" follows "D" and precedes "E" in Vietnamese (a code-point sort puts it after "U").
    assert choices.areas == ("Ba Chẽ", "Đầm Hà", "Uông Bí")


def test_an_unknown_area_is_refused_naming_the_filter(client, cast, results):
    in_areas(cast)
    with pytest.raises(statistics.InvalidChoice) as error:
        board.department_dashboard(cast.school_a.department, term="1", area="Xa Lắm")
    assert error.value.field == "khu-vuc"
    response = as_user(client, cast.officer).get(department_url(cast, ky="1", **{"khu-vuc": "Xa Lắm"}))
    assert response.status_code in (400, 404)
    body = response.content.decode()
    assert "khu-vuc" in body and "Không có trường nào của Sở thuộc khu vực này" in body
    assert "Cao Xanh, Hồng Gai" in body


def test_the_page_offers_the_areas_and_keeps_the_chosen_one_in_its_download(client, cast, results):
    in_areas(cast)
    body = as_user(client, cast.officer).get(
        department_url(cast, ky="1", **{"khu-vuc": "Cao Xanh"})
    ).content.decode()
    assert 'name="khu-vuc"' in body
    assert '<option value="Cao Xanh" selected>' in body and '<option value="Hồng Gai">' in body
    assert "khu-vuc=Cao+Xanh" in body  # the XLSX link


def test_the_workbook_of_a_filtered_dashboard_counts_only_its_schools(client, cast, results):
    in_areas(cast)
    as_user(client, cast.officer)
    response = client.get(department_url(cast, ky="1", **{"khu-vuc": "Hồng Gai", "dinh-dang": "xlsx"}))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    values = [v for r in workbook["Tổng hợp"].iter_rows(values_only=True) for v in r if v is not None]
    assert "Khu vực: Hồng Gai" in values
    assert cast.school_b.name in values and cast.school_a.name not in values
    unfiltered = load_workbook(io.BytesIO(client.get(department_url(cast, ky="1", **{"dinh-dang": "xlsx"})).content))
    values = [v for r in unfiltered["Tổng hợp"].iter_rows(values_only=True) for v in r if v is not None]
    assert cast.school_a.name in values and not any(str(v).startswith("Khu vực") for v in values)


# ------------------------------------------------------------------------------ the close in the XLSX


def test_the_workbook_has_the_terms_close_across_schools_as_the_page(client, cast, results):
    tiny = close_with_runs(cast, results, done=7, total=8)
    as_user(client, cast.officer)
    workbook = load_workbook(io.BytesIO(
        client.get(department_url(cast, ky="1", **{"dinh-dang": "xlsx"})).content
    ))
    assert workbook.sheetnames == ["Tổng hợp", "Khoá sổ"]
    ws = workbook["Khoá sổ"]
    rows = [r for r in ws.iter_rows(values_only=True) if any(v not in (None, "") for v in r)]
    assert "KHOÁ SỔ HỌC KỲ Ở CÁC TRƯỜNG" in rows[1][0]
    header = next(i for i, r in enumerate(rows) if r[0] == "Trường")
    assert rows[header] == ("Trường", "Học kỳ", "Ngày khoá sổ", "Lần in phiếu gần nhất",
                            "Phiếu đã xong (%)")
    by_school = {r[0]: r for r in rows[header + 1:] if r[0] and r[0].startswith("Trường")}
    page_rows = {p.school: p for p in board.department_dashboard(cast.school_a.department, term="1")[0].progress}
    a = by_school[cast.school_a.name]
    assert a[1] == "HỌC KỲ I" and a[2] == page_rows[cast.school_a.name].closed
    assert a[3] == "Đã xong" and a[4] == pytest.approx(87.5)
    assert by_school[tiny.name][4] == "<5"  # withheld as on the page
    assert by_school[tiny.name][2] == "–"
    assert by_school[cast.school_b.name][1:] == ("Chưa thiết lập", "–", "–", "–")
    assert any(r[0] == f"Chưa khoá sổ: {tiny.name}" for r in rows)


def test_a_schools_own_workbook_has_no_close_sheet(client, cast, results):
    as_user(client, cast.principal)
    workbook = load_workbook(io.BytesIO(client.get(school_url(cast, ky="1", **{"dinh-dang": "xlsx"})).content))
    assert workbook.sheetnames == ["Tổng hợp"]

"""The class summary and the school statistics as files (reports/exports.py), read back:
the PDF's text (pypdf) holds the names with their diacritics and the counts; the XLSX
(openpyxl) holds numbers as numbers, and no text cell is a formula, whatever a name, a
subject or a result says ("=1+1", "@SUM(A1)", "-2", "+x", " =x", "\\t=x")."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import exports, statistics
from reports.cards.model import SubjectLine
from tests.reports.test_statistics import a_card, new_pupil, results, summarise  # noqa: F401

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ("=", "+", "-", "@")


@pytest.fixture
def injected(results):
    """Two more pupils of 10A1 (no grades yet) whose names a spreadsheet would run."""
    cast = results.cast
    new_pupil(cast, cast.class_a1, "=1+1", "", "Ẩn")
    new_pupil(cast, cast.class_a1, "@SUM(A1)", "", "Bé")
    return results


def sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def cells(ws):
    return [cell for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_nothing_evaluates(ws) -> None:
    for cell in cells(ws):
        assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert cell.value.lstrip(" \t\r\n")[:1] not in FORMULA_STARTS, cell.coordinate


def row_of(ws, column: int, value) -> list:
    for row in ws.iter_rows(values_only=True):
        if row[column - 1] == value:
            return list(row)
    raise AssertionError(f"no row with {value!r} in column {column}")


def header_row(ws) -> int:
    return next(r[0].row for r in ws.iter_rows() if r[0].value == "STT")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# ---------------------------------------------------------------------------------------
# Neutralising text
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed, written", [
    ("=1+1", "'=1+1"),
    ("+84 912", "'+84 912"),
    ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("   =HYPERLINK(\"http://x.invalid\")", "'   =HYPERLINK(\"http://x.invalid\")"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\tTốt", "'\tTốt"),  # a leading tab or CR alone is enough
    ("Nguyễn Văn An", "Nguyễn Văn An"),
    ("Kiểm tra lại: Toán", "Kiểm tra lại: Toán"),
    ("a=b", "a=b"),
    ("", ""),
    ("x\x00\x07y", "xy"),  # characters XLSX cannot hold are dropped, not a 500
])
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(typed, written):
    assert exports.neutralise(typed) == written


def test_no_text_cell_of_a_summary_is_a_formula_wherever_the_text_comes_from():
    evil = SubjectLine(number=1, subject="-Toán nâng cao", rated=False, year="=1")
    plain = SubjectLine(number=2, subject="+Tin học", rated=False, year="7,5",
                        year_value=Decimal("7.5"))
    cards = [a_card(name="=HYPERLINK(\"http://x.invalid\",\"bấm\")", learning="@x",
                    conduct=" =1", subjects=[evil, plain], award="-1", promotion="+1", year=True)]
    ws = sheet(exports.class_summary_xlsx(summarise(cards, term=None)))
    assert_nothing_evaluates(ws)
    texts = {c.value for c in cells(ws) if isinstance(c.value, str)}
    assert {"'=HYPERLINK(\"http://x.invalid\",\"bấm\")", "'-Toán nâng cao", "'+Tin học", "'=1",
            "'@x", "' =1", "'-1", "'+1"} <= texts
    assert all(c.data_type == "s" for c in cells(ws) if isinstance(c.value, str))
    assert 7.5 in {c.value for c in cells(ws)}  # a number stays a number


# ---------------------------------------------------------------------------------------
# The class summary
# ---------------------------------------------------------------------------------------


def test_the_class_summary_xlsx_has_numbers_as_numbers_and_neutralised_names(injected):
    cast = injected.cast
    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year, injected.term1)
    ws = sheet(exports.class_summary_xlsx(summary))
    assert_nothing_evaluates(ws)
    header = row_of(ws, 1, "STT")
    an = row_of(ws, 2, "Trần Thị An")
    scores = [an[header.index(s)] for s in summary.subjects if s != "Giáo dục thể chất"]
    # Numbers (the file keeps 9.0 as 9, shown "9.0" by its number format), not "9,0" text.
    assert scores == [9] * 6 and all(isinstance(v, (int, float)) for v in scores)
    math = ws.cell(row=header_row(ws), column=header.index("Toán") + 1)
    assert math.offset(row=1).number_format == "0.0"
    assert an[header.index("Giáo dục thể chất")] == "Đ"
    assert an[header.index("Kết quả học tập")] == "Tốt"
    absences = (header.index("Số buổi nghỉ có phép"), header.index("Số buổi nghỉ không phép"))
    assert (an[absences[0]], an[absences[1]]) == (2, 0)
    assert row_of(ws, 2, "Nguyễn Thị Ánh Dương")[header.index("Toán")] == 5.5
    # The two pupils whose names start with = and @ are there, as text.
    assert row_of(ws, 2, "'=1+1 Ẩn")[0] in (1, 2, 3, 4, 5, 6)
    assert row_of(ws, 2, "'@SUM(A1) Bé")[header.index("Kết quả học tập")] in ("", None)
    # The counts: 6 pupils, 1 Tốt (16,7 %), 3 without a result yet (50 %).
    assert row_of(ws, 1, "Sĩ số: 6")
    counts = {(r[1], r[2]): (r[3], r[4]) for r in ws.iter_rows(values_only=True) if r[1] and r[2]}
    assert counts[("Kết quả học tập", "Tốt")] == (1, 16.7)
    assert counts[("Kết quả học tập", "Chưa có kết quả")] == (3, 50.0)
    assert counts[("Kết quả rèn luyện", "Khá")] == (1, 16.7)
    assert sum(n for (measure, _), (n, _p) in counts.items() if measure == "Kết quả học tập") == 6


def test_an_average_cell_is_the_cards_number_not_its_printed_text_read_back():
    maths = SubjectLine(number=1, subject="Toán", rated=False, year="7,8",
                        year_value=Decimal("7.8"))
    pe = SubjectLine(number=2, subject="Giáo dục thể chất", rated=True, year="Đ")
    ws = sheet(exports.class_summary_xlsx(summarise([a_card(subjects=[maths, pe])], term=None)))
    header = row_of(ws, 1, "STT")
    cell = ws.cell(row=header_row(ws) + 1, column=header.index("Toán") + 1)
    assert (cell.value, cell.data_type, cell.number_format) == (7.8, "n", "0.0")
    assert row_of(ws, 2, "Trần Thị An")[header.index("Giáo dục thể chất")] == "Đ"
    # Text that only looks like a number, with no number beside it, stays text.
    odd = SubjectLine(number=1, subject="Toán", rated=False, year="7,8")
    ws = sheet(exports.class_summary_xlsx(summarise([a_card(subjects=[odd])], term=None)))
    assert row_of(ws, 2, "Trần Thị An")[header.index("Toán")] == "7,8"


def test_the_class_summary_pdf_shows_the_names_with_diacritics_and_the_counts(injected):
    cast = injected.cast
    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year, None)
    data = exports.class_summary_pdf(summary)
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = pdf_text(data)
    for expected in ("BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ CẢ NĂM", "Lớp 10A1", "Năm học 2026–2027",
                     "Trần Thị An", "Nguyễn Thị Ánh Dương", "Đặng Văn Đức", "=1+1 Ẩn",
                     "Học sinh Xuất sắc", "Được lên lớp", "9,0", "5,5", "Sĩ số", "GIÁO VIÊN CHỦ NHIỆM",
                     "Vũ Thị Chủ Nhiệm"):
        assert expected in text, expected
    # Learning: Tốt 1, Khá 1, Đạt 1, Chưa đạt 0, no result yet 3 (of 6).
    flat = " ".join(text.split())
    assert "1 (16,7%) 1 (16,7%) 1 (16,7%) 0 (0,0%) 3 (50,0%)" in flat


# ---------------------------------------------------------------------------------------
# School statistics
# ---------------------------------------------------------------------------------------


def test_the_statistics_xlsx_has_counts_and_percentages_per_class_grade_and_school(injected):
    cast = injected.cast
    stats = statistics.school_statistics(cast.school_a, cast.class_a1.school_year, None)
    ws = sheet(exports.school_statistics_xlsx(stats))
    assert_nothing_evaluates(ws)
    labels = [c.label for c in stats.columns.of("learning")]  # Tốt Khá Đạt Chưa đạt, no result
    a1, a2 = row_of(ws, 1, "10A1"), row_of(ws, 1, "10A2")
    grade, school = row_of(ws, 1, "Khối 10"), row_of(ws, 1, "Toàn trường")
    assert (a1[1], a2[1], grade[1], school[1]) == (6, 1, 7, 7)
    learning = slice(2, 2 + 2 * len(labels))
    assert a1[learning] == [1, 16.7, 1, 16.7, 1, 16.7, 0, 0.0, 3, 50.0]
    assert a2[learning] == [0, 0.0, 0, 0.0, 0, 0.0, 1, 100.0, 0, 0.0]
    assert school[learning] == [1, 14.3, 1, 14.3, 1, 14.3, 1, 14.3, 3, 42.9]
    counts = school[2::2][: sum(len(stats.columns.of(m)) for m in stats.columns.names)]
    assert all(isinstance(n, int) for n in counts)
    # Each measure's counts add up to the pupils, in every row.
    for row in (a1, a2, grade, school):
        column = 2
        for measure in stats.columns.names:
            n = len(stats.columns.of(measure))
            assert sum(row[column:column + 2 * n:2]) == row[1]
            assert abs(sum(row[column + 1:column + 2 * n:2]) - 100) <= 0.2
            column += 2 * n


def test_the_statistics_pdf_has_the_totals_and_no_pupil(injected):
    cast = injected.cast
    stats = statistics.school_statistics(cast.school_a, cast.class_a1.school_year, injected.term1)
    text = pdf_text(exports.school_statistics_pdf(stats))
    for expected in ("THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ HỌC KỲ I", "TRƯỜNG THPT HẠ LONG", "Kết quả học tập",
                     "Kết quả rèn luyện", "Khối 10", "Toàn trường", "Chưa có kết quả", "42,9"):
        assert expected in text, expected
    for name in ("An", "Châu", "Dương", "Đức", "Bình", "Ẩn"):
        assert f"Thị {name}" not in text and f"Văn {name}" not in text and f" {name}\n" not in text

"""The class summary and the school statistics as PDF (WeasyPrint, landscape A4, through
reports.pdf's safe fetcher) and as XLSX workbooks (openpyxl).

Numbers leave as numbers (averages, counts, percentages), so a department can sum and chart
them: an average is the card's own Decimal, shown with one decimal (the reader's spreadsheet
prints its decimal separator, a comma in Vietnamese), never its printed text parsed back.
What has no number (Đ, CĐ, a blank) stays text.

Every text cell is neutralised against formula injection: a pupil's name or a comment typed as
"=HYPERLINK(…)" or "@SUM(…)" would otherwise be run by Excel or LibreOffice on the machine of
whoever opens the file. Such a text is written as a string cell with a leading apostrophe, so
it shows as text and is never evaluated.
"""

import io
import re
from decimal import Decimal

from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from reports.pdf import html_to_pdf
from reports.statistics import ClassSummary, SchoolStatistics, Tally

FORMULA_STARTS = ("=", "+", "-", "@")

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


# ---------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------


def class_summary_pdf(summary: ClassSummary) -> bytes:
    """Landscape A4: a class has a dozen subject columns and more."""
    html = render_to_string("reports/class_summary.html", {"summary": summary})
    return html_to_pdf(html, landscape=True)


def school_statistics_pdf(stats: SchoolStatistics) -> bytes:
    html = render_to_string("reports/school_statistics.html", {"stats": stats})
    return html_to_pdf(html, landscape=True)


# ---------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """`text` safe for a spreadsheet cell: characters XLSX cannot hold are dropped, and a text
    that a spreadsheet would read as a formula (starting with = + - @, also after leading
    spaces, or starting with a tab or carriage return) gets a leading apostrophe."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    if text[:1] in ("\t", "\r") or text.lstrip(" \t\r\n")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def put(ws, row: int, column: int, value, *, number_format: str | None = None, font=None,
        box: bool = True, centre: bool = False):
    """Write one cell: int/Decimal/float as a number, anything else as neutralised text."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, bool) or value is None:
        value = "" if value is None else str(value)
    if isinstance(value, (int, float, Decimal)):
        cell.value = float(value) if isinstance(value, Decimal) else value
        if number_format:
            cell.number_format = number_format
    else:
        cell.value = neutralise(value)
        # openpyxl guesses "f" for a string starting with "="; the apostrophe already prevents
        # that, and the explicit type keeps it so whatever the text.
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if box:
        cell.border = _BOX
    if centre:
        cell.alignment = _CENTRE
    return cell


def _heading(ws, lines: list[str], width: int) -> int:
    """The document's heading lines, each merged across the table; returns the next row."""
    for row, line in enumerate(lines, start=1):
        put(ws, row, 1, line, font=_TITLE if row == 3 else _BOLD, box=False)
        if width > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    return len(lines) + 2


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# The class summary
# ---------------------------------------------------------------------------------------


def _secondary_header(summary: ClassSummary) -> list[str]:
    """The Sổ theo dõi's columns, as on the page: the scored subjects, then the rated ones
    (`_group_row` names the two groups above them)."""
    header = ["STT", "Họ và tên", *summary.subjects, "Kết quả học tập", "Kết quả rèn luyện"]
    if summary.is_year:
        header += [
            "Tổng số buổi nghỉ học", "Kiểm tra lại, rèn luyện trong kì nghỉ hè",
            "Điểm hoặc mức đánh giá lại", "Kết quả học tập sau kì nghỉ hè",
            "Kết quả rèn luyện sau kì nghỉ hè", summary.promoted_heading,
            summary.not_promoted_heading, "Khen thưởng",
        ]
    else:
        header += ["Số buổi nghỉ có phép", "Số buổi nghỉ không phép"]
    return header


def _secondary_values(summary: ClassSummary, line) -> list:
    marks = [m if a is None else a for m, a in zip(line.marks, line.averages, strict=True)]
    values = [line.number, line.full_name, *marks, line.learning, line.conduct]
    if summary.is_year:
        return values + [
            line.absent, line.summer_step, line.retests, line.summer_learning,
            line.summer_conduct, line.promoted_mark, line.not_promoted_mark, line.khen_thuong,
        ]
    return values + [line.absent_with_leave, line.absent_without_leave]


def _primary_header(summary: ClassSummary) -> list[str]:
    """Circular 27's columns, as on the page: each subject's level and, where it has one, its
    test; the fifteen qualities and competencies; at the year's end the result, Khen thưởng
    and the completion."""
    sheet = summary.primary_sheet
    header = ["STT", "Họ và tên"]
    header += [name if kind == "level" else f"{name} – Điểm KTĐK"
               for name, kind in sheet.subject_columns]
    header += [item for _group, items in sheet.quality_groups for item in items]
    if sheet.is_year:
        header += ["Đánh giá kết quả giáo dục", "Khen thưởng", summary.completion_heading]
    return header


def _primary_values(summary: ClassSummary, line: dict) -> list:
    row = line["row"]
    # A test's mark is a whole number (Circular 27): a number in the sheet, so it sums.
    cells = [int(c) if c.isdigit() else c for c in line["cells"]]
    values = [row.number, row.full_name, *cells, *row.qualities]
    if summary.primary_sheet.is_year:
        values += [row.result, row.khen_thuong, row.completion]
    return values


def _group_row(ws, row: int, summary: ClassSummary) -> None:
    """A row above the headings naming the column groups, merged across each."""
    if summary.primary:
        sheet = summary.primary_sheet
        groups = [("Môn học và hoạt động giáo dục", len(sheet.subject_columns))]
        groups += [(name, len(items)) for name, items in sheet.quality_groups]
    else:
        groups = [
            ("Môn học đánh giá bằng nhận xét kết hợp với điểm số",
             len(summary.scored_subjects)),
            ("Môn học đánh giá bằng nhận xét", len(summary.rated_subjects)),
        ]
    column = 3
    for label, width in groups:
        if width:
            put(ws, row, column, label, font=_BOLD, centre=True)
            if width > 1:
                ws.merge_cells(start_row=row, start_column=column, end_row=row,
                               end_column=column + width - 1)
        column += width


def class_summary_xlsx(summary: ClassSummary) -> bytes:
    """One sheet, the page's columns: the heading, the column groups, one row per pupil, then
    (grades 6–12) the "Tổng hợp chung" box, then the counts and percentages."""
    wb = Workbook()
    ws = wb.active
    # A sheet's name is not evaluated, but Excel refuses []:*?/\ and a leading apostrophe.
    ws.title = re.sub(r"[\[\]:*?/\\']", "-", f"Lớp {summary.class_name}")[:31]
    header = _primary_header(summary) if summary.primary else _secondary_header(summary)
    row = _heading(ws, [
        summary.authority,
        summary.school,
        summary.title,
        f"Lớp {summary.class_name} – {summary.school_year}",
    ], len(header))
    _group_row(ws, row, summary)
    row += 1
    for column, label in enumerate(header, start=1):
        put(ws, row, column, label, font=_BOLD, centre=True)
    lines = summary.primary_sheet.lines if summary.primary else summary.rows
    for line in lines:
        row += 1
        values = (_primary_values(summary, line) if summary.primary
                  else _secondary_values(summary, line))
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value, number_format="0.0" if isinstance(value, Decimal) else None)
    row += 2
    put(ws, row, 1, f"Sĩ số: {summary.tally.pupils}", font=_BOLD, box=False)
    if not summary.primary:
        row += 1
        put(ws, row, 2, "Tổng hợp chung", font=_BOLD, box=False)
        for heading, counts in summary.general:
            for label, count in counts:
                row += 1
                put(ws, row, 2, heading)
                put(ws, row, 3, label)
                put(ws, row, 4, count)
        row += 1
    row += 1
    for column, label in enumerate(["Nội dung", "Mức", "Số lượng", "Tỉ lệ (%)"], start=2):
        put(ws, row, column, label, font=_BOLD, centre=True)
    for measure in summary.columns.names:
        for count in summary.tally.counts(measure):
            row += 1
            put(ws, row, 2, summary.columns.title(measure))
            put(ws, row, 3, count.category.label)
            put(ws, row, 4, count.count)
            put(ws, row, 5, count.percent, number_format="0.0")
    ws.column_dimensions["B"].width = 28
    for column in range(3, len(header) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 11
    ws.freeze_panes = ws.cell(row=8, column=3)
    return _save(wb)


# ---------------------------------------------------------------------------------------
# School statistics
# ---------------------------------------------------------------------------------------


def _tally_cells(ws, row: int, label: str, tally: Tally, stats: SchoolStatistics, *, font=None):
    put(ws, row, 1, label, font=font)
    put(ws, row, 2, tally.pupils, font=font)
    column = 3
    for measure in stats.columns.names:
        for count in tally.counts(measure):
            put(ws, row, column, count.count, font=font)
            put(ws, row, column + 1, count.percent, number_format="0.0", font=font)
            column += 2


def school_statistics_xlsx(stats: SchoolStatistics) -> bytes:
    """One sheet: per grade its classes then the grade's total, then the school's total; each
    category as two columns, the count and the percentage of the row's pupils."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Thống kê"
    width = 2 + 2 * sum(len(stats.columns.of(m)) for m in stats.columns.names)
    top = _heading(ws, [
        stats.authority,
        stats.school,
        stats.title,
        stats.school_year,
    ], width)
    for column, label in ((1, "Lớp"), (2, "Sĩ số")):
        put(ws, top, column, label, font=_BOLD, centre=True)
        ws.merge_cells(start_row=top, start_column=column, end_row=top + 2, end_column=column)
    column = 3
    for measure in stats.columns.names:
        categories = stats.columns.of(measure)
        put(ws, top, column, stats.columns.title(measure), font=_BOLD, centre=True)
        ws.merge_cells(start_row=top, start_column=column, end_row=top,
                       end_column=column + 2 * len(categories) - 1)
        for category in categories:
            put(ws, top + 1, column, category.label, font=_BOLD, centre=True)
            ws.merge_cells(start_row=top + 1, start_column=column, end_row=top + 1,
                           end_column=column + 1)
            put(ws, top + 2, column, "SL", font=_BOLD, centre=True)
            put(ws, top + 2, column + 1, "%", font=_BOLD, centre=True)
            column += 2
    row = top + 2
    for grade in stats.grades:
        for class_stats in grade.classes:
            row += 1
            _tally_cells(ws, row, class_stats.name, class_stats.tally, stats)
        row += 1
        _tally_cells(ws, row, f"Khối {grade.grade}", grade.tally, stats, font=_BOLD)
    row += 1
    _tally_cells(ws, row, "Toàn trường", stats.total, stats, font=_BOLD)
    ws.column_dimensions["A"].width = 14
    ws.freeze_panes = ws.cell(row=top + 3, column=3)
    return _save(wb)


# ---------------------------------------------------------------------------------------
# The graduating class's averages, for the exam registration
# ---------------------------------------------------------------------------------------

GRADUATION_HEADER = [
    "STT", "Họ và tên", "Mã học sinh", "Ngày sinh", "Lớp",
    "ĐTB cả năm lớp 10", "ĐTB cả năm lớp 11", "ĐTB cả năm lớp 12",
    "ĐTB các năm học (1 : 2 : 3)", "Ghi chú",
]


def graduation_xlsx(cards: list) -> bytes:
    """One sheet per grade-12 class for the graduation exam registration (Circular 24/2024
    Art. 41): each pupil's name, code, date of birth and class, the overall average of grades
    10, 11 and 12 and the 1 : 2 : 3 average, as numbers shown with two decimals (the cards'
    own Decimals, never their text parsed back). A blank figure is an empty cell, and the
    note says why (the card's `missing`)."""
    wb = Workbook()
    ws = wb.active
    first = cards[0] if cards else None
    class_name = first.class_name if first else ""
    ws.title = re.sub(r"[\[\]:*?/\\']", "-", f"Lớp {class_name}")[:31]
    row = _heading(ws, [
        first.authority if first else "",
        first.school if first else "",
        "ĐIỂM TRUNG BÌNH CÁC NĂM HỌC CẤP THPT – ĐĂNG KÝ DỰ THI TỐT NGHIỆP THPT",
        f"Lớp {class_name} – {first.school_year if first else ''}",
    ], len(GRADUATION_HEADER))
    for column, label in enumerate(GRADUATION_HEADER, start=1):
        put(ws, row, column, label, font=_BOLD, centre=True)
    for number, card in enumerate(cards, start=1):
        row += 1
        years = {y.grade: y.value for y in card.graduation_years}
        values = [number, card.full_name, card.student_code, card.date_of_birth,
                  card.class_name, years.get(10), years.get(11),
                  years.get(12, card.year_average_value), card.three_year_average_value,
                  "; ".join(card.missing)]
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value,
                number_format="0.00" if isinstance(value, Decimal) else None)
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["J"].width = 60
    for column in range(3, 10):
        ws.column_dimensions[get_column_letter(column)].width = 13
    return _save(wb)


# ---------------------------------------------------------------------------------------
# The dashboard (reports/dashboard.py)
# ---------------------------------------------------------------------------------------


def dashboard_xlsx(dashboard, filters=()) -> bytes:
    """The dashboard's tables on one sheet, one under the other, each as shown on the page:
    a withheld count is the text "<5" and its share is blank (the same rows the page shows,
    so the file withholds exactly what the page does); other counts and shares are numbers.
    `filters` ((name, value) pairs: the school type, the area) are printed under the period,
    so a filtered workbook says which schools it counts. The department's dashboard adds a
    sheet of the term's close across its schools."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    width = 2 + 2 * max((len(t.categories) for t in dashboard.tables), default=0)
    lines = [dashboard.heading, "", "THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ", dashboard.period]
    lines += [f"{name}: {value}" for name, value in filters]
    row = _heading(ws, lines, width)
    for table in dashboard.tables:
        put(ws, row, 1, table.title, font=_TITLE, box=False)
        row += 1
        put(ws, row, 1, table.group, font=_BOLD, centre=True)
        put(ws, row, 2, "Sĩ số", font=_BOLD, centre=True)
        for i, category in enumerate(table.categories):
            put(ws, row, 3 + 2 * i, f"{category} (SL)", font=_BOLD, centre=True)
            put(ws, row, 4 + 2 * i, f"{category} (%)", font=_BOLD, centre=True)
        for line in table.rows:
            row += 1
            font = _BOLD if line.total else None
            put(ws, row, 1, line.label, font=font)
            put(ws, row, 2, _number(line.pupils), font=font)
            for i, cell in enumerate(line.cells):
                put(ws, row, 3 + 2 * i, _number(cell), font=font)
                put(ws, row, 4 + 2 * i,
                    "" if cell.withheld else Decimal(cell.percent.replace(",", ".")),
                    number_format="0.0", font=font)
        row += 2
    ws.column_dimensions["A"].width = 32
    if dashboard.progress:
        _progress_sheet(wb.create_sheet("Khoá sổ"), dashboard, lines)
    return _save(wb)


def _progress_sheet(ws, dashboard, lines: list[str]) -> None:
    """The term's close across the schools, as on the page: the term (or "Chưa thiết lập"),
    the day it was closed, the latest whole-school card run and its share of cards ready (a
    number of percent; a tiny run's "<5" stays text)."""
    header = ["Trường", "Học kỳ", "Ngày khoá sổ", "Lần in phiếu gần nhất", "Phiếu đã xong (%)"]
    row = _heading(ws, [*lines[:2], "KHOÁ SỔ HỌC KỲ Ở CÁC TRƯỜNG", *lines[3:]], len(header))
    for column, title in enumerate(header, start=1):
        put(ws, row, column, title, font=_BOLD, centre=True)
    for line in dashboard.progress:
        row += 1
        done = line.run_done
        if done.endswith("%"):
            done = Decimal(done.rstrip("%").replace(",", "."))
        values = [line.school, line.term or "Chưa thiết lập", line.closed or "–",
                  line.run_status or "–", done or "–"]
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value,
                number_format="0.0" if isinstance(value, Decimal) else None)
    row += 2
    put(ws, row, 1, "Chưa khoá sổ: " + (", ".join(dashboard.not_closed) or "–"), box=False)
    ws.column_dimensions["A"].width = 36
    for column in "BCDE":
        ws.column_dimensions[column].width = 20


def _number(shown):
    """A shown count as a number, or its text ("<5") when withheld."""
    return shown.text if shown.count is None else shown.count

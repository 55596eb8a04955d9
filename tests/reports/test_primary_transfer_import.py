"""Importing terms copied from previous schools' records for grades 1–5 on the school
administration (contactbook/transfer_import.py, `/quan-tri/contactbook/copiedterm/nhap/`):
each subject's rating and its periodic test mark, no conduct; the one import page reads a
file as grades 1–5 or 6–12 from its pupils' grade. Every bad line is listed naming its
column, and one bad line imports nothing.

The cast's 3A (grade 3 of the primary school B, whose administrator is other_school_admin)
with Tiếng Việt and Toán (both tested) and Đạo đức (not), as in test_primary_cards.py; Nhỏ
joined it from Trường TH Kim Đồng on term II's first day.
"""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contactbook.models import CopiedResult, CopiedTerm
from reports.cards.selectors import year_cards
from school.models import Subject
from tests import factories as f
from tests.conftest import as_user
from tests.reports.test_primary_cards import (  # noqa: F401 (fixtures)
    card_of,
    complete,
    subjects,
    teacher,
    term1,
    term2,
)

pytestmark = pytest.mark.django_db

URL = "admin:contactbook_copiedterm_import"
HEADER = ["Mã học sinh", "Trường cũ", "Nghỉ có phép", "Nghỉ không phép",
          "Tiếng Việt", "Tiếng Việt (KTĐK)", "Toán", "Toán (KTĐK)", "Đạo đức"]


@pytest.fixture
def newcomer(cast, term2):
    pupil = f.StudentFactory(school=cast.school_b, given_name="Nhỏ")
    f.enrol(pupil, cast.class_b, start_date=term2.start_date)
    return pupil


def _csv(rows) -> SimpleUploadedFile:
    text = "\n".join(";".join(str(c) for c in row) for row in rows) + "\n"
    return SimpleUploadedFile("chep.csv", text.encode("utf-8"), content_type="text/csv")


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return SimpleUploadedFile("chep.xlsx", data.getvalue())


def _upload(client, term, upload):
    return client.post(reverse(URL), {"term": term.pk, "file": upload})


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _nothing_written():
    assert not CopiedTerm.objects.exists() and not CopiedResult.objects.exists()


def test_a_grade_3_xlsx_is_imported_and_the_year_card_computes_the_result(
    cast, client, term1, term2, subjects, teacher, newcomer
):
    as_user(client, cast.other_school_admin)
    # Test marks as Excel numbers, ratings in words as the record writes them.
    response = _upload(client, term1, _xlsx([
        HEADER, [newcomer.student_code, "TH Kim Đồng", 2, 1, "Hoàn thành tốt", 9, "Hoàn thành", 7, "hoàn thành"],
    ]))
    assert response.status_code == 302
    copied = CopiedTerm.objects.get()
    assert (copied.student, copied.term, copied.previous_school, copied.conduct) == (
        newcomer, term1, "TH Kim Đồng", "")
    assert (copied.absent_with_leave, copied.absent_without_leave, copied.entered_by) == (
        2, 1, cast.other_school_admin)
    assert {(r.subject.name, r.rating, r.test_score) for r in copied.results.all()} == {
        ("Tiếng Việt", "T", 9), ("Toán", "H", 7), ("Đạo đức", "H", None)}

    # Term II here, complete: Circular 27 sums the year up at its end, so the year result is
    # this school's; the card names the record term I comes from and counts its absences.
    complete(newcomer, subjects, term2, teacher)
    card = card_of(year_cards(cast.class_b, cast.class_b.school_year), newcomer)
    assert card.missing == () and card.learning == "Hoàn thành xuất sắc"
    assert card.promotion == "Hoàn thành chương trình lớp học"
    assert card.copied_note == "Kết quả học kỳ I chép từ học bạ của Trường TH Kim Đồng."
    assert (card.absent_with_leave, card.absent_without_leave) == (2, 1)


def test_a_grade_3_csv_with_codes_and_abbreviations_is_imported(
    cast, client, term1, subjects, newcomer
):
    Subject.objects.filter(pk=subjects["Toán"].pk).update(code="TOAN")
    as_user(client, cast.other_school_admin)
    upload = _csv([
        ["Mã HS", "Trường cũ", "TOAN", "toan (ktdk)", "Tiếng Việt", "Tiếng Việt (KTĐK)", "Đạo đức"],
        [newcomer.student_code, "Trường Tiểu học Kim Đồng", "HTT", "10", "C", "4", "CHT"],
    ])
    assert _upload(client, term1, upload).status_code == 302
    copied = CopiedTerm.objects.get()
    assert (copied.absent_with_leave, copied.absent_without_leave) == (0, 0)  # empty is 0
    assert {(r.subject.name, r.rating, r.test_score) for r in copied.results.all()} == {
        ("Toán", "T", 10), ("Tiếng Việt", "C", 4), ("Đạo đức", "C", None)}


def _line(pupil, **cells):
    """A good line for `pupil`, with `cells` changed ({"Toán (KTĐK)": "8,5"})."""
    values = dict(zip(HEADER, [pupil.student_code, "TH Kim Đồng", 0, 0, "T", 9, "T", 8, "H"]))
    return [cells.get(h, v) for h, v in values.items()]


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("Toán", "Giỏi", "Toán: Nhập T (Hoàn thành tốt), H (Hoàn thành) hoặc C (Chưa hoàn thành)."),
        ("Toán (KTĐK)", "8,5", "Toán (KTĐK): Điểm bài kiểm tra là số nguyên, không cho điểm thập phân."),
        ("Toán (KTĐK)", "11", "Toán (KTĐK): Điểm bài kiểm tra là số nguyên từ 0 đến 10."),
        ("Toán (KTĐK)", "", "Toán (KTĐK): Môn học này có bài kiểm tra định kì cuối học kỳ"),
        ("Đạo đức", "", None),  # a subject not copied: the good case, for contrast
        ("Mã học sinh", "9999999999", "Mã học sinh: Không có học sinh nào của trường có mã học sinh này."),
        ("Trường cũ", "", "Trường cũ:"),
    ],
)
def test_a_bad_cell_is_listed_with_its_line_and_column_and_nothing_is_imported(
    cast, client, term1, subjects, newcomer, column, value, text
):
    as_user(client, cast.other_school_admin)
    second = f.StudentFactory(school=cast.school_b, given_name="Mới")
    f.enrol(second, cast.class_b, start_date=newcomer.enrolments.get().start_date)
    upload = _csv([HEADER, _line(newcomer), _line(second, **{column: value})])
    response = _upload(client, term1, upload)
    if text is None:
        assert response.status_code == 302 and CopiedTerm.objects.count() == 2
        return
    page = _page(response)
    assert "Chưa nhập dữ liệu nào. Có 1 lỗi" in page
    assert '<td class="line">3</td>' in page and f"<td>{column}</td>" in page
    assert text in page
    _nothing_written()


def test_a_term_the_pupil_was_here_and_another_schools_pupil_are_refused(
    cast, client, term1, subjects, newcomer
):
    as_user(client, cast.other_school_admin)
    upload = _csv([
        HEADER, _line(newcomer),
        _line(cast.sibling_b),  # in 3A since September: term I is this school's own
        _line(cast.pupil_a1),  # a pupil of school A, said like an unknown code
    ])
    page = _page(_upload(client, term1, upload))
    assert "Có 2 lỗi" in page
    assert "Mã học sinh: Học sinh đã học tại trường trong học kỳ này" in page
    assert '<td class="line">4</td>' in page
    assert "Không có học sinh nào của trường có mã học sinh này." in page
    _nothing_written()


def test_a_file_mixing_grades_1_5_and_6_12_is_refused(cast, client, term1, subjects, newcomer):
    class_6 = f.ClassGroupFactory(school_year=cast.class_b.school_year, name="6A", grade=6)
    older = f.StudentFactory(school=cast.school_b, given_name="Lớn")
    f.enrol(older, class_6)
    as_user(client, cast.other_school_admin)
    page = _page(_upload(client, term1, _csv([HEADER, _line(newcomer), _line(older)])))
    assert "Tệp có cả học sinh lớp 1–5 (dòng 2) và học sinh lớp 6–12 (dòng 3)" in page
    _nothing_written()


def test_a_test_column_in_a_grade_10_file_is_refused(cast, client):
    year = cast.class_a1.school_year
    term = f.TermFactory(school_year=year, number=1)
    pupil = f.StudentFactory(school=cast.school_a, given_name="Khoa")
    f.enrol(pupil, cast.class_a1)
    as_user(client, cast.principal)
    page = _page(_upload(client, term, _csv([
        ["Mã học sinh", "Trường cũ", "Rèn luyện", "Toán", "Toán (KTĐK)"],
        [pupil.student_code, "THPT Bãi Cháy", "Khá", "7,5", "8"],
    ])))
    assert "Cột điểm kiểm tra định kì chỉ dành cho lớp 1–5." in page
    _nothing_written()


def test_the_page_explains_both_layouts_and_its_grade_1_5_sample_imports(
    cast, client, term1, subjects, newcomer
):
    as_user(client, cast.other_school_admin)
    page = _page(client.get(reverse(URL)))
    assert "Lớp 1–5 (CSV)" in page and "Lớp 6–12 (CSV)" in page
    assert "Toán (KTĐK), …" in page and "Hoàn thành tốt, Hoàn thành hoặc Chưa hoàn thành" in page
    sample = client.get(reverse(URL), {"mau": "1-5"})
    assert "lop-1-5" in sample["Content-Disposition"]
    text = sample.content.decode("utf-8-sig").replace("0100000007", newcomer.student_code)
    upload = SimpleUploadedFile("mau.csv", text.encode("utf-8"))
    assert _upload(client, term1, upload).status_code == 302
    assert CopiedTerm.objects.get().results.count() == 3


def test_a_teacher_is_not_let_in_and_another_schools_manager_cannot_pick_the_term(
    cast, client, term1, subjects, teacher, newcomer
):
    upload = _csv([HEADER, _line(newcomer)])
    as_user(client, teacher)  # 3A's own class teacher: not a manager of the school
    response = _upload(client, term1, upload)
    assert response.status_code == 302 and response["Location"].startswith("/quan-tri/login/")
    as_user(client, cast.principal)  # school A's principal: school B's terms are not choices
    page = _page(_upload(client, term1, _csv([HEADER, _line(newcomer)])))
    assert 'class="errorlist' in page and "Chưa nhập dữ liệu nào" not in page
    _nothing_written()

"""Grades 1–5: the class summary as Circular 27's Bảng tổng hợp kết quả đánh giá giáo dục
(reports/primary_summary.py, the page, the PDF and the XLSX), at the mid-term and the end of a
term, and at the end of the year with the education result, Khen thưởng and completion.

test_primary_cards' 3A (school B), made grade 4 here so Tiếng Việt and Toán have a mid-term
test too; its class teacher opens the page.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from contactbook.models import QualityRating
from reports import statistics
from tests import factories as f
from tests.reports.test_primary_cards import (  # noqa: F401
    END,
    MID,
    MIDTEST,
    cell,
    complete,
    rate_qualities,
    subjects,
    teacher,
    term1,
    term2,
)

pytestmark = pytest.mark.django_db

QUALITY_NAMES = ["Yêu nước", "Nhân ái", "Chăm chỉ", "Trung thực", "Trách nhiệm",
                 "Tự chủ và tự học", "Giao tiếp và hợp tác", "Giải quyết vấn đề và sáng tạo",
                 "Ngôn ngữ", "Tính toán", "Khoa học", "Công nghệ", "Tin học", "Thẩm mĩ",
                 "Thể chất"]


@pytest.fixture
def grade4(cast, subjects):  # noqa: F811
    cast.class_b.grade = 4
    cast.class_b.save()
    return cast.class_b


def url(class_group, **query) -> str:
    base = reverse("reports:class_summary", args=[class_group.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def flat(text: str) -> str:
    return " ".join(text.split())


def midterm(pupil, subjects, term, by, *, rating="T", tests=(8, 7)):  # noqa: F811
    for subject in subjects.values():
        cell(pupil, subject, term, MID, rating=rating, by=by)
    for subject, mark in zip((subjects["Tiếng Việt"], subjects["Toán"]), tests, strict=True):
        cell(pupil, subject, term, MIDTEST, value=mark, by=by)
    rate_qualities(pupil, term, by, "Đ", period=QualityRating.Period.MIDTERM)


def test_the_mid_term_sheet_shows_mid_term_levels_tests_and_qualities(
    client, cast, grade4, subjects, term1, teacher  # noqa: F811
):
    pupil = cast.sibling_b
    midterm(pupil, subjects, term1, teacher, rating="H")
    complete(pupil, subjects, term1, teacher, rating="T", quality="T")  # the end: not shown

    summary = statistics.class_summary(grade4, grade4.school_year, term1, midterm=True)
    sheet = summary.primary_sheet
    assert summary.title == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC GIỮA HỌC KỲ I"
    assert [s.name for s in sheet.subjects] == ["Tiếng Việt", "Toán", "Đạo đức"]
    assert sheet.subject_columns == [("Tiếng Việt", "level"), ("Tiếng Việt", "test"),
                                     ("Toán", "level"), ("Toán", "test"), ("Đạo đức", "level")]
    (line,) = sheet.lines
    assert line["cells"] == ["H", "8", "H", "7", "H"]
    assert line["row"].qualities == ("Đ",) * 15
    assert [item for _g, items in sheet.quality_groups for item in items] == QUALITY_NAMES
    assert not sheet.is_year and line["row"].result == ""

    client.force_login(teacher)
    page = flat(client.get(url(grade4, ky="1", **{"thoi-diem": "giua-ky"})).content.decode())
    for expected in ("GIỮA HỌC KỲ I", "Môn học và hoạt động giáo dục", "Phẩm chất chủ yếu",
                     "Năng lực chung", "Năng lực đặc thù", "Giải quyết vấn đề và sáng tạo",
                     "Mức đạt được", "Điểm KTĐK", pupil.full_name,
                     "thoi-diem=giua-ky&amp;ky=1&amp;dinh-dang=pdf"):
        assert expected in page, expected
    assert "Đánh giá kết quả giáo dục" not in page  # only at the end of the year
    assert "Tổng hợp chung" not in page  # the secondary box


def test_the_end_of_term_sheet_shows_the_end_of_term_levels_and_tests(
    client, cast, grade4, subjects, term1, teacher  # noqa: F811
):
    pupil = cast.sibling_b
    midterm(pupil, subjects, term1, teacher, rating="H")
    complete(pupil, subjects, term1, teacher, tests=(9, 6), quality="T", Toán="C")

    summary = statistics.class_summary(grade4, grade4.school_year, term1)
    sheet = summary.primary_sheet
    assert summary.title == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC CUỐI HỌC KỲ I"
    (line,) = sheet.lines
    assert line["cells"] == ["T", "9", "C", "6", "T"]
    assert line["row"].qualities == ("T",) * 15

    client.force_login(teacher)
    page = flat(client.get(url(grade4, ky="1")).content.decode())
    assert "CUỐI HỌC KỲ I" in page and 'aria-current="page">Cuối học kỳ<' in page
    xlsx = client.get(url(grade4, ky="1", **{"dinh-dang": "xlsx"}))
    assert xlsx["Content-Disposition"] == 'attachment; filename="Tong-hop-3A-HK1.xlsx"'
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r[:2] == ("STT", "Họ và tên"))
    assert list(header[2:7]) == ["Tiếng Việt", "Tiếng Việt – Điểm KTĐK", "Toán",
                                 "Toán – Điểm KTĐK", "Đạo đức"]
    assert list(header[7:22]) == QUALITY_NAMES
    row = next(r for r in rows if r[1] == pupil.full_name)
    assert list(row[2:7]) == ["T", 9, "C", 6, "T"] and list(row[7:22]) == ["T"] * 15
    assert "Phẩm chất chủ yếu" in rows[rows.index(header) - 1]
    mid = client.get(url(grade4, ky="1", **{"thoi-diem": "giua-ky", "dinh-dang": "xlsx"}))
    assert mid["Content-Disposition"] == 'attachment; filename="Tong-hop-3A-GK1.xlsx"'


def test_the_year_sheet_adds_the_result_khen_thuong_and_completion(
    client, cast, grade4, subjects, term1, term2, teacher  # noqa: F811
):
    pupil = cast.sibling_b
    complete(pupil, subjects, term2, teacher, tests=(9, 10))

    summary = statistics.class_summary(grade4, grade4.school_year)
    sheet = summary.primary_sheet
    assert summary.title == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC CUỐI NĂM HỌC"
    (line,) = sheet.lines
    assert line["cells"] == ["T", "9", "T", "10", "T"]
    assert (line["row"].result, line["row"].khen_thuong, line["row"].completion) == (
        "Hoàn thành xuất sắc", "Học sinh Xuất sắc", "Hoàn thành chương trình lớp học"
    )

    client.force_login(teacher)
    page = flat(client.get(url(grade4, ky="ca-nam")).content.decode())
    for expected in ("CUỐI NĂM HỌC", "Đánh giá kết quả giáo dục", "Khen thưởng",
                     "Hoàn thành xuất sắc", "Học sinh Xuất sắc"):
        assert expected in page, expected
    assert "Giữa học kỳ" not in page  # the year has no mid-term
    pdf = client.get(url(grade4, ky="ca-nam", **{"dinh-dang": "pdf"}))
    text = flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    for expected in ("CUỐI NĂM HỌC", "Đánh giá kết quả giáo dục", "Học sinh Xuất sắc",
                     "Hoàn thành chương trình lớp học", "Năng lực đặc thù"):
        assert expected in text, expected


@pytest.mark.parametrize("query, message", [
    ({"ky": "1", "thoi-diem": "giua"}, "giua-ky, cuoi-ky"),
    ({"ky": "ca-nam", "thoi-diem": "giua-ky"}, "ky=1"),
])
def test_a_bad_moment_is_refused_naming_the_field(client, cast, grade4, term1, teacher,  # noqa: F811
                                                  query, message):
    client.force_login(teacher)
    response = client.get(url(grade4, **query))
    assert response.status_code == 400
    assert "<strong>thoi-diem</strong>" in response.content.decode()
    assert message in response.content.decode()


def test_a_secondary_class_has_no_mid_term_sheet(client, cast):
    f.TermFactory(school_year=cast.class_a1.school_year, number=1)
    client.force_login(cast.principal)
    response = client.get(url(cast.class_a1, ky="1", **{"thoi-diem": "giua-ky"}))
    assert response.status_code == 400
    assert "<strong>thoi-diem</strong>" in response.content.decode()
    assert "1–5" in response.content.decode()


@pytest.mark.parametrize("pupils", [1, 4])
def test_the_mid_term_page_runs_a_fixed_number_of_queries(
    client, cast, grade4, subjects, term1, teacher, pupils, django_assert_num_queries  # noqa: F811
):
    for n in range(pupils - 1):
        extra = f.StudentFactory(school=cast.school_b, given_name=f"Lan{n}")
        f.enrol(extra, grade4)
    for enrolment in grade4.enrolments.select_related("student"):
        midterm(enrolment.student, subjects, term1, teacher)
    client.force_login(teacher)
    page = url(grade4, ky="1", **{"thoi-diem": "giua-ky"})
    client.get(page)
    # session, user, the class (access), the terms, the term cards' eight, the mid-term
    # quality ratings, the site menu's "manages a school?"
    with django_assert_num_queries(14):
        response = client.get(page)
    assert response.content.decode().count("<td class=\"name\">") == pupils

"""The class summary of grades 6–12 in the Sổ theo dõi và đánh giá học sinh's layout
(reports/statistics.py, the page, the PDF and the XLSX): scored subjects grouped, then the
rated ones; the year sheet's total absences, summer columns, "Được lên lớp" | "Không được
lên lớp" (a mark in one), Khen thưởng; the "Tổng hợp chung" box counted from the rows.

The year (test_summer's 10A1, both terms closed, plus Minh):
- Minh: every subject 8,0, conduct Tốt → Tốt / Tốt, Học sinh Giỏi, promoted;
- Châu: every subject 8,0, conduct Tốt then Chưa đạt → summer training, re-assessed Đạt →
  promoted after the training;
- Lan: Toán and Vật lí 4,0, Châu's conduct → training (Khá), then re-tests 6 and 6 →
  promoted after the re-tests;
- An: Toán and Vật lí 4,0, conduct Tốt → re-tests 3 and 4 → not promoted.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import statistics, summer
from school.terms import close_term
from tests import factories as f
from tests.reports.test_cards import grade_all, rate
from tests.reports.test_statistics import new_pupil, results  # noqa: F401
from tests.reports.test_summer import subjects, term1, term2, year  # noqa: F401

pytestmark = pytest.mark.django_db

PE = "Giáo dục thể chất"


@pytest.fixture
def after_summer(cast, year, subjects, term1, term2):  # noqa: F811
    minh = f.StudentFactory(school=cast.school_a, family_name="Hoàng", middle_name="Văn",
                            given_name="Minh")
    f.enrol(minh, cast.class_a1)
    for term in (term1, term2):
        grade_all(cast, minh, subjects, term)
        rate(cast, minh, term, "Tốt")
    for term in (term1, term2):
        close_term(user=cast.principal, term=term)
    an, chau, lan = year["an"], year["chau"], year["lan"]
    summer.save_summer(user=cast.homeroom_a1, class_group=cast.class_a1,
                       conduct={chau.pk: "Đạt", lan.pk: "Khá"})
    summer.save_summer(
        user=cast.homeroom_a1, class_group=cast.class_a1,
        retests={(lan.pk, cast.math.pk): "6", (lan.pk, subjects["Vật lí"].pk): "6",
                 (an.pk, cast.math.pk): "3", (an.pk, subjects["Vật lí"].pk): "4"},
    )
    return {**year, "minh": minh}


def url(class_group, **query) -> str:
    base = reverse("reports:class_summary", args=[class_group.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def row_of(summary, pupil):
    return next(r for r in summary.rows if r.full_name == pupil.full_name)


def flat(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------
# Term sheet
# ---------------------------------------------------------------------------------------


def test_the_term_sheet_groups_scored_subjects_then_rated_ones(client, results):  # noqa: F811
    cast = results.cast
    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year, results.term1)
    # The programme puts Giáo dục thể chất before some scored subjects; the sheet groups it
    # with the rated ones, after every scored subject.
    assert summary.rated_subjects == (PE,)
    assert PE not in summary.scored_subjects and len(summary.scored_subjects) == 6
    an = row_of(summary, results.an)
    assert an.marks[-1] == "Đ" and set(an.marks[:-1]) == {"9,0"}

    client.force_login(cast.homeroom_a1)
    page = flat(client.get(url(cast.class_a1, ky="1")).content.decode())
    scored = page.index("Môn học đánh giá bằng nhận xét kết hợp với điểm số (ĐTBmhk)")
    rated = page.index('colspan="1">Môn học đánh giá bằng nhận xét<')
    assert scored < rated
    head = page[: page.index("</thead>")]
    assert head.index("Toán") < head.index(f"<th>{PE}</th>")
    assert "Có phép" in head and "Không phép" in head
    assert "Được lên lớp" not in head and "Tổng số buổi nghỉ học" not in head
    # The box: learning and conduct per level, Đức (nothing entered) not yet complete.
    assert "Tổng hợp chung" in page
    assert "Tốt: 1; Khá: 1; Đạt: 1; Chưa đạt: 0; Chưa có kết quả: 1" in page
    assert "sheet-scroll" in page and 'class="name"' in page  # the phone layout's hooks


# ---------------------------------------------------------------------------------------
# Year sheet
# ---------------------------------------------------------------------------------------


def test_the_year_sheet_marks_one_decision_column_and_prints_the_summer(cast, after_summer):
    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year)
    minh, chau = row_of(summary, after_summer["minh"]), row_of(summary, after_summer["chau"])
    lan, an = row_of(summary, after_summer["lan"]), row_of(summary, after_summer["an"])
    assert (minh.promoted_mark, minh.not_promoted_mark) == ("x", "")
    assert minh.khen_thuong == "Học sinh Giỏi" and minh.summer_step == ""
    assert (chau.summer_step, chau.summer_conduct, chau.promoted_mark) == (
        "Rèn luyện trong kì nghỉ hè", "Đạt", "x"
    )
    assert lan.retests == "Toán: 6,0; Vật lí: 6,0" and lan.promoted_mark == "x"
    assert (lan.summer_learning, lan.summer_conduct) == ("Đạt", "Khá")
    assert an.summer_step == "Kiểm tra lại: Toán, Vật lí"
    assert (an.retests, an.summer_learning) == ("Toán: 3,0; Vật lí: 4,0", "Chưa đạt")
    assert (an.promoted_mark, an.not_promoted_mark) == ("", "x")


def test_the_general_box_counts_what_the_rows_show(cast, after_summer):
    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year)
    box = {heading: dict(counts) for heading, counts in summary.general}
    assert box == {
        "Kết quả học tập": {"Tốt": 2, "Khá": 0, "Đạt": 0, "Chưa đạt": 2},
        "Kết quả rèn luyện": {"Tốt": 2, "Khá": 0, "Đạt": 0, "Chưa đạt": 2},
        "Kết quả xét lên lớp": {
            "Được lên lớp": 3, "Không được lên lớp": 1, "Kiểm tra lại": 2,
            "Rèn luyện trong kì nghỉ hè": 2,
        },
        "Trong đó": {
            "Được lên lớp sau khi kiểm tra lại": 1,
            "Được lên lớp sau khi rèn luyện trong kì nghỉ hè": 1,
        },
        "Danh hiệu": {"Học sinh Xuất sắc": 0, "Học sinh Giỏi": 1},
    }
    # The same figures counted from the printed rows themselves.
    rows = summary.rows
    for level in ("Tốt", "Khá", "Đạt", "Chưa đạt"):
        assert box["Kết quả học tập"][level] == sum(r.learning == level for r in rows)
        assert box["Kết quả rèn luyện"][level] == sum(r.conduct == level for r in rows)
    promoted = box["Kết quả xét lên lớp"]
    assert promoted["Được lên lớp"] == sum(r.promoted_mark == "x" for r in rows)
    assert promoted["Không được lên lớp"] == sum(r.not_promoted_mark == "x" for r in rows)
    assert promoted["Kiểm tra lại"] == sum(bool(r.retests) for r in rows)
    assert promoted["Rèn luyện trong kì nghỉ hè"] == sum(
        r.summer_step == "Rèn luyện trong kì nghỉ hè" for r in rows
    )
    assert box["Danh hiệu"]["Học sinh Giỏi"] == sum(r.khen_thuong == "Học sinh Giỏi" for r in rows)
    assert sum(promoted[k] for k in ("Được lên lớp", "Không được lên lớp")) == len(rows)


def test_the_year_sheet_page_pdf_and_xlsx_show_the_same_columns(client, cast, after_summer):
    client.force_login(cast.homeroom_a1)
    page = flat(client.get(url(cast.class_a1, ky="ca-nam")).content.decode())
    head = page[: page.index("</thead>")]
    for heading in ("Tổng số buổi nghỉ học", "Điểm hoặc mức đánh giá lại",
                    "Mức đánh giá sau khi rèn luyện trong kì nghỉ hè; kiểm tra, đánh giá lại",
                    "<th rowspan=\"2\">Được lên lớp</th>", "Không được lên lớp", "Khen thưởng",
                    "(ĐTBmcn)"):
        assert heading in head, heading
    assert "Có phép" not in head
    for expected in ("Toán: 6,0; Vật lí: 6,0", "Học sinh Giỏi", "Được lên lớp: 3",
                     "Được lên lớp sau khi kiểm tra lại: 1", "Học sinh Giỏi: 1"):
        assert expected in page, expected

    pdf = client.get(url(cast.class_a1, ky="ca-nam", **{"dinh-dang": "pdf"}))
    text = flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    for expected in ("Tổng số buổi nghỉ học", "Tổng hợp chung", "Được lên lớp: 3",
                     "Hoàng Văn Minh", "Học sinh Giỏi"):
        assert expected in text, expected

    xlsx = client.get(url(cast.class_a1, ky="ca-nam", **{"dinh-dang": "xlsx"}))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r[:2] == ("STT", "Họ và tên"))
    groups = rows[rows.index(header) - 1]
    assert "Môn học đánh giá bằng nhận xét" in groups
    assert header.index(PE) > max(header.index(n) for n in ("Toán", "Vật lí", "Địa lí"))
    minh = next(r for r in rows if r[1] == "Hoàng Văn Minh")
    an = next(r for r in rows if r[1] == after_summer["an"].full_name)
    yes, no = header.index("Được lên lớp"), header.index("Không được lên lớp")
    assert (minh[yes], minh[no], an[yes], an[no]) == ("x", None, None, "x")
    assert minh[header.index("Khen thưởng")] == "Học sinh Giỏi"
    assert minh[header.index("Toán")] == 8
    assert an[header.index("Điểm hoặc mức đánh giá lại")] == "Toán: 3,0; Vật lí: 4,0"
    assert ("Trong đó", "Được lên lớp sau khi kiểm tra lại", 1) in {r[1:4] for r in rows}


def test_a_grade_twelve_sheet_heads_its_columns_with_the_completion_words(cast, after_summer):
    cast.class_a1.grade = 12
    cast.class_a1.save()
    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year)
    assert summary.promoted_heading == "Được công nhận hoàn thành chương trình THPT"
    assert summary.not_promoted_heading == "Không được công nhận hoàn thành chương trình THPT"


# ---------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------


def test_the_year_sheet_runs_the_same_queries_for_a_bigger_class(
    client, cast, after_summer, django_assert_num_queries
):
    client.force_login(cast.homeroom_a1)
    page = url(cast.class_a1, ky="ca-nam")
    client.get(page)  # warm the session
    # session, user, the class (access), the terms, the year cards' fifteen, the site menu
    with django_assert_num_queries(20):
        assert client.get(page).status_code == 200
    for n in range(4):
        new_pupil(cast, cast.class_a1, "Phan", "Văn", f"Khải{n}")
    with django_assert_num_queries(20):
        assert client.get(page).status_code == 200

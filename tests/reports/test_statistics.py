"""Class summaries and school statistics (reports/statistics.py): built from the cards so they
print what the cards print; every pupil counted once per measure ("Chưa có kết quả" for a
result not yet complete, never dropped); percentages of the row with one decimal; grade and
school totals are sums of their classes; a fixed number of queries per class.

The `results` fixture (used by the views' and the API's tests too) gives school A's classes
complete, published grade books for both terms:

    10A1  Trần Thị An           all 9,0   conduct Tốt    → Tốt / Tốt, Học sinh Xuất sắc, Được lên lớp
          Trần Thị Châu         all 7,0   conduct Khá    → Khá / Khá, Được lên lớp
          Nguyễn Thị Ánh Dương  all 5,5   conduct Đạt    → Đạt / Đạt, Được lên lớp
          Đặng Văn Đức          nothing entered          → no result yet
    10A2  Trần Thị Bình         all 3,0   conduct Chưa đạt → Chưa đạt, Rèn luyện trong kì nghỉ hè
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contactbook.gradebook.columns import columns_for
from contactbook.models import ConductRating, Score
from reports import statistics
from reports.cards.model import (
    AWARD_CODES,
    LEVEL_CODES,
    PROMOTION_CODES,
    Card,
    SubjectLine,
    code_of,
)
from reports.cards.selectors import cards_for
from reports.statistics import InvalidChoice
from school.exceptions import NotFound
from school.models import Subject, Term
from tests import factories as f

pytestmark = pytest.mark.django_db

SCORED = [("Vật lí", 70), ("Hoá học", 70), ("Sinh học", 70), ("Lịch sử", 52), ("Địa lí", 70)]
PE = "Giáo dục thể chất"


# ---------------------------------------------------------------------------------------
# The data (shared with test_summaries_views, test_exports and test_statistics_api)
# ---------------------------------------------------------------------------------------


@dataclass
class Results:
    cast: object
    term1: object
    term2: object
    an: object
    chau: object
    duong: object
    duc: object
    binh: object


def terms_for(cast):
    year = cast.class_a1.school_year
    term1 = f.TermFactory(school_year=year, number=1, start_date=datetime.date(2026, 9, 5),
                          end_date=datetime.date(2027, 1, 15))
    term2 = f.TermFactory(school_year=year, number=2, start_date=datetime.date(2027, 1, 18),
                          end_date=datetime.date(2027, 5, 25))
    return term1, term2


def class_subjects(cast) -> None:
    """Six scored subjects and one rated one in both classes (10A2 also has the cast's
    Ngữ văn, so it gets seven scored)."""
    subjects = [cast.math]
    for name, periods in SCORED:
        subjects.append(f.SubjectFactory(school=cast.school_a, name=name, periods_per_year=periods))
    subjects.append(f.SubjectFactory(school=cast.school_a, name=PE, periods_per_year=70,
                                     assessment=Subject.Assessment.RATED))
    for class_group in (cast.class_a1, cast.class_a2):
        for subject in subjects:
            if not subject.assignments.filter(class_group=class_group).exists():
                f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=class_group,
                                            subject=subject)


def grade_pupil(cast, pupil, class_group, term, score: str) -> None:
    """Every cell of every subject of the class, published: `score` in a scored subject, Đ in
    a rated one."""
    now = timezone.now()
    rows = []
    for subject in Subject.objects.filter(assignments__class_group=class_group):
        rated = subject.assessment == Subject.Assessment.RATED
        for column in columns_for(subject):
            rows.append(Score(
                student=pupil, subject=subject, term=term, class_group=class_group,
                kind=column.kind, index=column.index, value=None if rated else Decimal(score),
                passed=True if rated else None, published_at=now, updated_by=cast.teacher_a1,
            ))
    Score.objects.bulk_create(rows)


def rate(cast, pupil, term, rating) -> None:
    ConductRating.objects.create(student=pupil, term=term, rating=rating,
                                 updated_by=cast.homeroom_a1)


def new_pupil(cast, class_group, family, middle, given):
    student = f.StudentFactory(school=cast.school_a, family_name=family, middle_name=middle,
                               given_name=given)
    f.enrol(student, class_group)
    return student


def build_results(cast) -> Results:
    term1, term2 = terms_for(cast)
    class_subjects(cast)
    duong = new_pupil(cast, cast.class_a1, "Nguyễn", "Thị Ánh", "Dương")
    duc = new_pupil(cast, cast.class_a1, "Đặng", "Văn", "Đức")
    plan = [
        (cast.pupil_a1, cast.class_a1, "9", "Tốt"),
        (cast.sibling_a1, cast.class_a1, "7", "Khá"),
        (duong, cast.class_a1, "5.5", "Đạt"),
        (cast.pupil_a2, cast.class_a2, "3", "Chưa đạt"),
    ]
    for pupil, class_group, score, conduct in plan:
        for term in (term1, term2):
            grade_pupil(cast, pupil, class_group, term, score)
            rate(cast, pupil, term, conduct)
    # An missed two sessions with leave in term I, one without in term II.
    absences = [(datetime.date(2026, 10, 5), "excused"), (datetime.date(2026, 10, 6), "excused"),
                (datetime.date(2027, 3, 1), "unexcused")]
    for day, status in absences:
        f.attendance_mark(cast.pupil_a1, day, status=status, by=cast.homeroom_a1)
    return Results(cast, term1, term2, cast.pupil_a1, cast.sibling_a1, duong, duc, cast.pupil_a2)


@pytest.fixture
def results(cast) -> Results:
    return build_results(cast)


# ---------------------------------------------------------------------------------------
# Pure parts: from Cards
# ---------------------------------------------------------------------------------------


def a_card(name="Trần Thị An", learning="Tốt", conduct="Tốt", award="", promotion="",
           subjects=(), with_leave=0, without_leave=0, year=False, promotion_code=None,
           **codes) -> Card:
    """A card as the cards module makes it: each result's code beside its words, given in
    `codes` or else the code of those words (a promotion's decision is best given: its words
    also name the subjects to retake)."""
    codes = {
        "learning_code": code_of(learning, LEVEL_CODES),
        "conduct_code": code_of(conduct, LEVEL_CODES),
        "award_code": code_of(award, AWARD_CODES),
        "promotion_code": promotion_code or code_of(promotion, PROMOTION_CODES),
        **codes,
    }
    return Card(
        student_id=1, class_group_id=1, school_year_id=1, term_id=None if year else 1,
        authority="SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NINH", school="TRƯỜNG THPT HẠ LONG",
        title="PHIẾU BÁO KẾT QUẢ HỌC TẬP", school_year="Năm học 2026–2027", full_name=name,
        class_name="10A1", date_of_birth="14/03/2010", sex="Nữ", student_code="2200000001",
        subjects=tuple(subjects), regular_columns=4, learning=learning, conduct=conduct,
        absent_with_leave=with_leave, absent_without_leave=without_leave, homeroom_comment="",
        homeroom_teacher="Vũ Thị Chủ Nhiệm", principal="Phạm Thị Hiệu",
        principal_signs_as="HIỆU TRƯỞNG", dated="Hạ Long, ngày 15 tháng 01 năm 2027",
        award=award, promotion=promotion, **codes,
    )


def codes(tally, measure):
    return {c.category.code: c.count for c in tally.counts(measure)}


@pytest.mark.parametrize("count, total, expected", [
    (1, 3, "33.3"), (2, 3, "66.7"), (1, 8, "12.5"), (1, 16, "6.3"),  # 6.25 → 6.3: halves up
    (0, 0, "0.0"), (45, 45, "100.0"), (0, 7, "0.0"),
])
def test_percent_has_one_decimal_halves_up(count, total, expected):
    assert statistics.percent(count, total) == Decimal(expected)
    assert str(statistics.percent(count, total)) == expected


def test_printed_percent_has_a_decimal_comma():
    assert statistics.Count(statistics.NOT_YET, 1, Decimal("33.3")).percent_text == "33,3"


def test_pupils_are_counted_by_the_codes_on_their_cards_not_by_the_printed_words():
    # The printed words are only printed: a card is counted by its codes, and the table
    # prints each category's own label.
    cards = [
        a_card(learning="TỐT ", learning_code="tot", conduct="khá", conduct_code="kha"),
        a_card(learning="Khá", learning_code="kha", conduct="Tốt", conduct_code="tot"),
        a_card(learning="Khá", learning_code="kha", conduct="Tốt", conduct_code="tot",
               award="", promotion="Kiểm tra lại: Toán",
               promotion_code="kiem_tra_lai", year=True),
    ]
    summary = summarise(cards, term=None)
    assert codes(summary.tally, "learning") == {
        "tot": 1, "kha": 2, "dat": 0, "chua_dat": 0, "incomplete": 0
    }
    assert codes(summary.tally, "conduct") == {
        "tot": 2, "kha": 1, "dat": 0, "chua_dat": 0, "incomplete": 0
    }
    assert codes(summary.tally, "promotion")["kiem_tra_lai"] == 1
    assert [c.label for c in summary.columns.of("learning")][:2] == ["Tốt", "Khá"]
    assert summary.rows[0].learning == "TỐT "  # the row prints what the card prints


@pytest.mark.parametrize(
    ("grade", "passed", "failed"),
    [
        # Circular 22 Art. 12: "được lên lớp" / "không được lên lớp", never "Lên lớp".
        (10, "Được lên lớp", "Không được lên lớp"),
        (12, "Được công nhận hoàn thành chương trình THPT",
         "Không được công nhận hoàn thành chương trình THPT"),
        (9, "Được công nhận hoàn thành chương trình THCS",
         "Không được công nhận hoàn thành chương trình THCS"),
        # Circular 27 Art. 11: grade 5 completes primary school.
        (5, "Hoàn thành chương trình tiểu học", "Chưa hoàn thành chương trình tiểu học"),
        (3, "Hoàn thành chương trình lớp học", "Chưa hoàn thành chương trình lớp học"),
    ],
)
def test_a_class_summary_counts_promotion_under_the_official_words_of_its_grade(
    grade, passed, failed
):
    summary = summarise([a_card(year=True)], term=None, grade=grade)
    labels = [c.label for c in summary.columns.of("promotion")]
    assert labels[0] == passed and failed in labels
    assert summary.columns.title("promotion") in ("Kết quả xét lên lớp",
                                                   "Hoàn thành chương trình lớp học")


def test_a_school_of_grades_ten_to_twelve_names_both_words_in_one_column():
    columns = statistics.columns_for(("promotion",), [10, 11, 12], {})
    assert columns.of("promotion")[0] == statistics.Category("len_lop", "")  # by code
    assert columns.of("promotion")[0].label == (
        "Được lên lớp / Được công nhận hoàn thành chương trình THPT"
    )
    assert [c.label for c in columns.of("promotion")][1:3] == [
        "Kiểm tra lại", "Rèn luyện trong kì nghỉ hè"
    ]


def test_an_unforeseen_code_gets_a_column_of_its_own_instead_of_vanishing():
    cards = [a_card(learning="Tốt"), a_card(learning="Miễn đánh giá")]
    assert cards[1].learning_code == "mien_danh_gia"
    summary = summarise(cards)
    labels = [c.label for c in summary.columns.of("learning")]
    assert labels == ["Tốt", "Khá", "Đạt", "Chưa đạt", "Miễn đánh giá", "Chưa có kết quả"]
    assert codes(summary.tally, "learning")["mien_danh_gia"] == 1
    assert summary.tally.pupils == 2


def summarise(cards, term="term", grade=10):
    class_group = f.ClassGroupFactory.build(name="10A1", grade=grade)
    class_group.school = f.SchoolFactory.build()
    year = f.SchoolYearFactory.build()
    term_obj = None if term is None else f.TermFactory.build(number=1)
    return statistics.summarise_class(cards, class_group, year, term_obj)


def test_incomplete_results_are_counted_not_dropped_and_counts_add_up():
    cards = [a_card(), a_card(learning="Khá", conduct="Tốt"), a_card(learning="", conduct=""),
             a_card(learning="Chưa đạt", conduct="")]
    tally = summarise(cards).tally
    assert codes(tally, "learning") == {
        "tot": 1, "kha": 1, "dat": 0, "chua_dat": 1, "incomplete": 1
    }
    assert codes(tally, "conduct") == {"tot": 2, "kha": 0, "dat": 0, "chua_dat": 0, "incomplete": 2}
    for measure in ("learning", "conduct"):
        counts = tally.counts(measure)
        assert sum(c.count for c in counts) == tally.pupils == 4
        assert sum(c.percent for c in counts) == Decimal("100.0")
    printed = [c.percent_text for c in tally.counts("conduct")]
    assert printed == ["50,0", "0,0", "0,0", "0,0", "50,0"]


def test_a_term_summary_has_no_award_or_promotion_and_the_year_has_both():
    assert summarise([a_card()]).columns.names == ("learning", "conduct")
    year = summarise([a_card(award="Học sinh Giỏi", promotion="Được lên lớp", promotion_code="len_lop",
                             year=True)], term=None)
    assert year.columns.names == ("learning", "conduct", "award", "promotion", "achievement")
    assert year.title == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ CẢ NĂM"


def test_no_award_is_not_the_same_as_not_decided_yet():
    cards = [
        a_card(award="Học sinh Xuất sắc", promotion="Được lên lớp", promotion_code="len_lop",
               year=True),
        a_card(learning="Khá", award="", promotion="Được lên lớp", promotion_code="len_lop",
               year=True),  # decided: no award
        a_card(learning="", award="", promotion="", year=True),  # not decided yet
        a_card(learning="Chưa đạt", conduct="Chưa đạt",
               promotion="Kiểm tra lại: Toán",
               promotion_code="kiem_tra_lai", year=True),
    ]
    tally = summarise(cards, term=None).tally
    assert codes(tally, "award") == {"xuat_sac": 1, "gioi": 0, "none": 2, "incomplete": 1}
    assert codes(tally, "promotion") == {
        "len_lop": 2, "kiem_tra_lai": 1, "ren_luyen_he": 0, "o_lai_lop": 0, "incomplete": 1
    }


def test_each_pupil_row_prints_what_the_card_prints():
    math = SubjectLine(number=1, subject="Toán", rated=False, average="8,3", year="8,0")
    pe = SubjectLine(number=2, subject=PE, rated=True, average="Đ", year="CĐ")
    only_one = SubjectLine(number=3, subject="Tin học", rated=False, average="6,5")
    cards = [a_card(subjects=[math, pe], with_leave=2, without_leave=1),
             a_card(name="Lê Văn Bảo", subjects=[math, pe, only_one])]
    summary = summarise(cards)
    # An elective gets its column; the scored subjects come first, then the rated ones (the
    # Sổ theo dõi's groups), each group in the cards' order.
    assert summary.subjects == ("Toán", "Tin học", PE)
    assert (summary.scored_subjects, summary.rated_subjects) == (("Toán", "Tin học"), (PE,))
    assert summary.rows[0].marks == ("8,3", "", "Đ")
    assert summary.rows[1].marks == ("8,3", "6,5", "Đ")
    assert (summary.rows[0].number, summary.rows[1].number) == (1, 2)
    assert (summary.rows[0].absent_with_leave, summary.rows[0].absent_without_leave) == (2, 1)
    year = summarise(cards, term=None)
    assert year.rows[0].marks == ("8,0", "", "CĐ")


def test_an_empty_class_still_gets_its_headings():
    summary = summarise([])
    assert summary.rows == () and summary.tally.pupils == 0
    assert summary.class_name == "10A1" and summary.school.startswith("TRƯỜNG THPT")
    assert all(c.count == 0 and c.percent == 0 for c in summary.tally.counts("learning"))


@pytest.mark.parametrize(
    "value, expected", [(None, 1), ("", 1), ("1", 1), ("2", 2), ("ca-nam", None)]
)
def test_the_period_named_in_a_request(value, expected):
    year = f.SchoolYearFactory()
    f.TermFactory(school_year=year, number=1, start_date=datetime.date(2000, 1, 1),
                  end_date=datetime.date(2100, 1, 1))
    f.TermFactory(school_year=year, number=2, start_date=datetime.date(2100, 1, 2),
                  end_date=datetime.date(2100, 6, 1))
    term = statistics.pick_term(Term.objects.of_year(year), value, field="ky")
    assert (term.number if term else None) == expected


def test_a_bad_period_names_the_field_and_what_is_allowed():
    with pytest.raises(InvalidChoice) as bad:
        statistics.pick_term([], "3", field="ky")
    assert bad.value.field == "ky" and "ca-nam" in str(bad.value.message)
    with pytest.raises(NotFound) as missing:
        statistics.pick_term([], "2", field="term", whole_year=("year",))
    assert missing.value.field == "term" and missing.value.status == 404


def test_a_school_year_is_found_by_its_name_with_any_dash(cast):
    year = cast.class_a1.school_year  # "2026–2027" with an en dash
    for typed in ("2026-2027", "2026–2027", " 2026 - 2027 ", None):
        assert statistics.resolve_school_year(cast.school_a, typed, field="nam-hoc") == year
    with pytest.raises(NotFound) as missing:
        statistics.resolve_school_year(cast.school_a, "2019-2020", field="nam-hoc")
    assert missing.value.field == "nam-hoc"


# ---------------------------------------------------------------------------------------
# From the grade book, through the cards
# ---------------------------------------------------------------------------------------


def test_the_class_summary_rows_are_the_cards_in_class_order(results):
    cast = results.cast
    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year, results.term1)
    cards = cards_for(cast.class_a1, cast.class_a1.school_year, results.term1)
    # Vietnamese order by given name: An, Châu, Dương, Đức (đ after d).
    assert [r.full_name for r in summary.rows] == [
        "Trần Thị An", "Trần Thị Châu", "Nguyễn Thị Ánh Dương", "Đặng Văn Đức"
    ]
    assert [r.full_name for r in summary.rows] == [c.full_name for c in cards]
    for row, card in zip(summary.rows, cards, strict=True):
        assert dict(zip(summary.subjects, row.marks, strict=True)) == {
            line.subject: line.average for line in card.subjects
        }
        assert (row.learning, row.conduct) == (card.learning, card.conduct)
    an = summary.rows[0]
    assert set(an.marks) == {"9,0", "Đ"}
    assert (an.absent_with_leave, an.absent_without_leave) == (2, 0)
    assert [r.learning for r in summary.rows] == ["Tốt", "Khá", "Đạt", ""]
    assert summary.title == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ HỌC KỲ I"


def test_the_class_summary_counts_each_level_with_percentages_of_the_class(results):
    cast = results.cast
    tally = statistics.class_summary(cast.class_a1, cast.class_a1.school_year, results.term1).tally
    assert tally.pupils == 4
    one_each = {"tot": 1, "kha": 1, "dat": 1, "chua_dat": 0, "incomplete": 1}
    assert codes(tally, "learning") == codes(tally, "conduct") == one_each
    printed = [c.percent_text for c in tally.counts("learning")]
    assert printed == ["25,0", "25,0", "25,0", "0,0", "25,0"]


def test_the_year_summary_has_titles_and_promotion(results):
    cast = results.cast
    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year, None)
    assert [(r.award, r.promotion) for r in summary.rows] == [
        ("Học sinh Xuất sắc", "Được lên lớp"), ("", "Được lên lớp"), ("", "Được lên lớp"), ("", "")
    ]
    assert summary.rows[0].absent == 3  # both terms' absences
    assert codes(summary.tally, "award") == {"xuat_sac": 1, "gioi": 0, "none": 2, "incomplete": 1}
    assert codes(summary.tally, "promotion")["len_lop"] == 3


def test_school_statistics_add_up_per_class_grade_and_school(results):
    cast = results.cast
    stats = statistics.school_statistics(cast.school_a, cast.class_a1.school_year, None)
    assert [g.grade for g in stats.grades] == [10]
    grade = stats.grades[0]
    assert [(c.name, c.tally.pupils) for c in grade.classes] == [("10A1", 4), ("10A2", 1)]
    a2 = grade.classes[1].tally
    assert codes(a2, "learning")["chua_dat"] == 1 and codes(a2, "conduct")["chua_dat"] == 1
    # Learning and conduct both Chưa đạt: the summer conduct training first (Art. 13–14).
    assert codes(a2, "promotion")["ren_luyen_he"] == 1
    assert codes(a2, "promotion")["kiem_tra_lai"] == 0
    assert grade.tally.pupils == stats.total.pupils == 5
    for measure in stats.columns.names:
        for category in stats.columns.of(measure):
            per_class = sum(c.tally.count(measure, category.code) for c in grade.classes)
            assert grade.tally.count(measure, category.code) == per_class
            assert stats.total.count(measure, category.code) == per_class
        for tally in (a2, grade.tally, stats.total):
            counts = tally.counts(measure)
            assert sum(c.count for c in counts) == tally.pupils
            assert abs(sum(c.percent for c in counts) - 100) <= Decimal("0.2")
    # Percentages of the totals are recomputed from the sums, not averaged: 1 of 5 is 20,0.
    tot = next(c for c in stats.total.counts("learning") if c.category.code == "tot")
    assert tot.percent_text == "20,0"
    assert stats.title == "THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ CẢ NĂM"


def test_school_statistics_keep_classes_of_other_years_and_schools_out(results):
    cast = results.cast
    old_year = f.SchoolYearFactory(
        school=cast.school_a, name="2025–2026", is_current=False,
        start_date=datetime.date(2025, 9, 5), end_date=datetime.date(2026, 5, 31),
    )
    old_class = f.ClassGroupFactory(school_year=old_year, name="10C9")
    f.enrol(f.StudentFactory(school=cast.school_a), old_class)
    stats = statistics.school_statistics(cast.school_a, cast.class_a1.school_year, results.term1)
    assert [c.name for g in stats.grades for c in g.classes] == ["10A1", "10A2"]
    assert stats.total.pupils == 5


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as ctx:
        function()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("whole_year", [False, True])
def test_school_statistics_run_a_fixed_number_of_queries_per_class(results, whole_year):
    cast = results.cast
    year = cast.class_a1.school_year
    term = None if whole_year else results.term1

    def run():
        statistics.school_statistics(cast.school_a, year, term)

    before = _queries(run)
    for n in range(6):  # more pupils, with results: not one query more
        pupil = new_pupil(cast, cast.class_a1, "Phan", "Văn", f"Khải{n}")
        for t in (results.term1, results.term2):
            grade_pupil(cast, pupil, cast.class_a1, t, "8")
            rate(cast, pupil, t, "Tốt")
    assert _queries(run) == before
    # One more class with a pupil: exactly one cards_for more (9 queries a term, 15 a year).
    another = f.ClassGroupFactory(school_year=year, name="11B1", grade=11)
    f.enrol(f.StudentFactory(school=cast.school_a), another)
    assert _queries(run) == before + (15 if whole_year else 9)
    assert before == 1 + 2 * (15 if whole_year else 9)

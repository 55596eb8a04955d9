"""The graduating years on the year cards (Circular 24/2024 Art. 41, grading/graduation.py) and
the principal's exemptions from practical work on the cards (Circular 22/2021 Art. 10).

School A gets a grade-10 class in 2024–2025 and a grade-11 class in 2025–2026 beside this
year's grade-12 class, six scored subjects and physical education (rated) taught in each.
Every cell of a subject gets the same score, so each subject's year average is that score.
"""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from contactbook.gradebook.columns import columns_for
from reports.cards.selectors import term_cards, year_cards
from reports.pdf import render_cards
from school.models import PracticalExemption, Subject
from tests import factories as f

pytestmark = pytest.mark.django_db

SCORED = [("Vật lí", 70), ("Hoá học", 70), ("Sinh học", 70), ("Lịch sử", 52), ("Địa lí", 70)]
PE = "Giáo dục thể chất"


def _year(cast, start):
    year = f.SchoolYearFactory(
        school=cast.school_a, name=f"{start}–{start + 1}", is_current=False,
        start_date=datetime.date(start, 9, 5), end_date=datetime.date(start + 1, 5, 31),
    )
    return year, _terms(year, start)


def _terms(year, start):
    return [
        f.TermFactory(school_year=year, number=1, start_date=datetime.date(start, 9, 5),
                      end_date=datetime.date(start + 1, 1, 15)),
        f.TermFactory(school_year=year, number=2, start_date=datetime.date(start + 1, 1, 18),
                      end_date=datetime.date(start + 1, 5, 25)),
    ]


class School:
    """The three years of school A's upper secondary, their classes and subjects."""

    def __init__(self, cast):
        self.cast = cast
        self.subjects = {"Toán": cast.math}
        for name, periods in SCORED:
            self.subjects[name] = f.SubjectFactory(
                school=cast.school_a, name=name, periods_per_year=periods
            )
        self.subjects[PE] = f.SubjectFactory(
            school=cast.school_a, name=PE, periods_per_year=70,
            assessment=Subject.Assessment.RATED,
        )
        y24, t24 = _year(cast, 2024)
        y25, t25 = _year(cast, 2025)
        now = cast.class_a1.school_year
        self.terms = {10: t24, 11: t25, 12: _terms(now, 2026)}
        self.classes = {
            10: f.ClassGroupFactory(school_year=y24, grade=10, name="10A1"),
            11: f.ClassGroupFactory(school_year=y25, grade=11, name="11A1"),
            12: f.ClassGroupFactory(school_year=now, grade=12, name="12A1"),
        }
        for class_group in self.classes.values():
            for subject in self.subjects.values():
                f.TeachingAssignmentFactory(
                    teacher=cast.teacher_a1, class_group=class_group, subject=subject
                )

    def pupil(self, given, grades=(10, 11, 12)):
        pupil = f.StudentFactory(school=self.cast.school_a, given_name=given)
        for grade in grades:
            start = self.terms[grade][0].start_date
            enrolment = f.enrol(pupil, self.classes[grade], start_date=start)
            if grade != grades[-1]:  # moved up: the earlier class is done
                enrolment.end(on=self.terms[grade][1].end_date, status="transferred")
        return pupil

    def grade_year(self, pupil, grade, scores, *, terms=(1, 2)):
        """Every cell of the n-th scored subject = scores[n]; physical education Đ."""
        values = dict(zip(["Toán", *(n for n, _p in SCORED)], scores, strict=True))
        for number in terms:
            term = self.terms[grade][number - 1]
            for name, subject in self.subjects.items():
                for column in columns_for(subject):
                    rated = subject.assessment == Subject.Assessment.RATED
                    f.score(
                        pupil, subject, term, kind=column.kind, index=column.index,
                        value=None if rated else str(values[name]), passed=True if rated else None,
                        by=self.cast.teacher_a1, class_group=self.classes[grade],
                    )


@pytest.fixture
def school(cast):
    return School(cast)


def year_card(school, pupil, grade=12):
    class_group = school.classes[grade]
    return next(c for c in year_cards(class_group, class_group.school_year)
                if c.student_id == pupil.pk)


def test_the_grade_12_card_prints_each_year_and_the_weighted_average(school):
    pupil = school.pupil("Giang")
    school.grade_year(pupil, 10, [7] * 6)
    school.grade_year(pupil, 11, [7] * 6)
    # 7 × 5 + 7.3 = 42.3; / 6 = 7.05 → "7,05"
    school.grade_year(pupil, 12, [7, 7, 7, 7, 7, "7.3"])

    card = year_card(school, pupil)

    assert card.year_average == "7,05" and card.year_average_value == Decimal("7.05")
    assert [(y.grade, y.school_year, y.average) for y in card.graduation_years] == [
        (10, "2024–2025", "7,00"), (11, "2025–2026", "7,00"), (12, "2026–2027", "7,05"),
    ]
    # 7.00 + 2 × 7.00 + 3 × 7.05 = 42.15; / 6 = 7.025 exactly → 7.03, half up (not 7.02)
    assert card.three_year_average == "7,03"
    assert card.three_year_average_value == Decimal("7.03")
    assert not [m for m in card.missing if "trung bình" in m]


def test_a_pupil_who_came_from_another_school_has_the_average_blank_with_the_reason(school):
    pupil = school.pupil("Hà", grades=(11, 12))  # grade 10 elsewhere
    school.grade_year(pupil, 11, [8] * 6)
    school.grade_year(pupil, 12, [8] * 6)

    card = year_card(school, pupil)

    assert card.year_average == "8,00"
    assert [y.average for y in card.graduation_years] == ["", "8,00", "8,00"]
    assert card.three_year_average == "" and card.three_year_average_value is None
    assert any("không có kết quả năm học lớp 10" in m for m in card.missing)


def test_an_incomplete_earlier_year_says_which_subject(school):
    pupil = school.pupil("Khánh")
    school.grade_year(pupil, 10, [7] * 6, terms=(1,))  # term II of grade 10 never graded
    school.grade_year(pupil, 11, [7] * 6)
    school.grade_year(pupil, 12, [7] * 6)

    card = year_card(school, pupil)

    assert card.three_year_average == ""
    assert any(m.startswith("Điểm trung bình cả năm lớp 10 (2024–2025): chưa đủ điểm")
               and "Toán" in m for m in card.missing)


def test_grade_10_and_11_cards_print_the_year_s_average_only(school):
    pupil = school.pupil("Lan", grades=(10,))
    # 7.5 + 8 + 6.5 + 7 + 8.5 + 7.5 = 45.0; / 6 = 7.5 → "7,50"
    school.grade_year(pupil, 10, ["7.5", 8, "6.5", 7, "8.5", "7.5"])

    card = year_card(school, pupil, grade=10)

    assert card.year_average == "7,50" and card.graduation_years == ()
    assert card.three_year_average == ""


def test_an_incomplete_year_prints_no_average(school):
    pupil = school.pupil("Minh")
    school.grade_year(pupil, 12, [7] * 6, terms=(1,))
    card = year_card(school, pupil)
    assert card.year_average == "" and card.graduation_years == ()


@pytest.mark.parametrize("pupils", [1, 4])
def test_the_earlier_years_are_a_fixed_number_of_queries(school, pupils,
                                                           django_assert_num_queries):
    for n in range(pupils):
        pupil = school.pupil(f"Nam{n}")
        for grade in (10, 11, 12):
            school.grade_year(pupil, grade, [8] * 6)
    class_group = school.classes[12]
    # the year card's fifteen, then the earlier enrolments, their scores, the subjects
    # taught to those classes, and those subjects
    with django_assert_num_queries(19):
        cards = year_cards(class_group, class_group.school_year)
    assert [c.three_year_average for c in cards] == ["8,00"] * pupils


def test_a_class_of_newcomers_reads_its_earlier_years_in_one_query(school,
                                                                    django_assert_num_queries):
    pupil = school.pupil("Quang", grades=(12,))
    school.grade_year(pupil, 12, [8] * 6)
    class_group = school.classes[12]
    # the year card's fifteen, and the earlier enrolments, which find none
    with django_assert_num_queries(16):
        (card,) = year_cards(class_group, class_group.school_year)
    assert card.year_average == "8,00" and card.three_year_average == ""


def test_a_repeated_grade_counts_its_latest_year(school, cast):
    pupil = school.pupil("Sơn")
    school.grade_year(pupil, 10, [5] * 6)
    # the pupil first did grade 10 in 2023–2024, did not move up, and repeated it in
    # 2024–2025: the latest grade-10 year counts
    first, first_terms = _year(cast, 2023)
    repeated = f.ClassGroupFactory(school_year=first, grade=10, name="10A9")
    f.enrol(pupil, repeated, start_date=first.start_date).end(
        on=first.end_date, status="transferred")
    school.terms[9] = first_terms  # not a grade: a place for the helper's terms
    school.classes[9] = repeated
    school.grade_year(pupil, 9, [3] * 6)  # the failed year, 3.00
    school.grade_year(pupil, 11, [6] * 6)
    school.grade_year(pupil, 12, [7] * 6)

    card = year_card(school, pupil)

    # grade 10 is 2024–2025's 5.00, not 2023–2024's 3.00: (5 + 12 + 21) / 6 = 6.333… → 6.33
    assert [(y.school_year, y.average) for y in card.graduation_years][0] == ("2024–2025", "5,00")
    assert card.three_year_average == "6,33"


# ---------------------------------------------------------------------------------------
# Exemptions from practical work
# ---------------------------------------------------------------------------------------


def exempt(school, pupil, term=None, number="12/QĐ-THPT"):
    return PracticalExemption.objects.create(
        student=pupil, school_year=school.classes[12].school_year, subject=school.subjects[PE],
        term=term, decision_number=number, decision_date=datetime.date(2026, 9, 10),
    )


def test_an_exempted_pupil_keeps_the_result_and_the_line_is_marked(school):
    pupil = school.pupil("Oanh", grades=(12,))
    school.grade_year(pupil, 12, [8] * 6)
    term1, term2 = school.terms[12]
    exempt(school, pupil, term=term1)
    class_group = school.classes[12]

    first = term_cards(class_group, term1)[0]
    pe = next(s for s in first.subjects if s.subject == PE)
    # Art. 10.4: assessed on theory, the full number of assessments: the result stands
    assert pe.average == "Đ" and pe.exemption == "Miễn thực hành"
    assert first.exemption_notes == (
        "Giáo dục thể chất: miễn thực hành học kỳ I (Quyết định số 12/QĐ-THPT ngày 10/09/2026)",
    )
    assert first.learning  # the subject counts in the learning result as before
    second = term_cards(class_group, term2)[0]
    assert next(s for s in second.subjects if s.subject == PE).exemption == ""
    assert second.exemption_notes == ()
    year = year_cards(class_group, class_group.school_year)[0]
    assert next(s for s in year.subjects if s.subject == PE).exemption == "Miễn thực hành học kỳ I"
    assert next(s for s in year.subjects if s.subject == PE).year == "Đ"


def pdf_text(card) -> str:
    pdf = render_cards([(card, "ABCDEFGH23")])[0].pdf
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(pdf)).pages)


def test_the_pdfs_print_the_exemption_and_the_averages(school):
    pupil = school.pupil("Phúc")
    for grade in (10, 11):
        school.grade_year(pupil, grade, [8] * 6)
    school.grade_year(pupil, 12, [7, 7, 7, 7, 7, "7.3"])
    exempt(school, pupil)
    class_group = school.classes[12]

    term = pdf_text(term_cards(class_group, school.terms[12][0])[0])
    assert "Miễn thực hành" in term and "Quyết định số 12/QĐ-THPT ngày 10/09/2026" in term
    year = pdf_text(year_cards(class_group, class_group.school_year)[0])
    assert "Miễn thực hành cả năm học" in year
    assert "Điểm trung bình cả năm các môn đánh giá bằng điểm số: 7,05" in year
    # 8.00 + 16.00 + 21.15 = 45.15; / 6 = 7.525 → 7,53
    assert "các năm học 7,53" in year

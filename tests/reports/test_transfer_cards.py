"""The year card of a pupil who transferred in (term I copied from the previous school's
record) and of a pupil under a personal education plan (the principal's decision).

Class 10A1 as in test_cards.py: six scored subjects and Giáo dục thể chất (rated)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from contactbook import transfers
from contactbook.models import CopiedResult, PersonalPlan
from reports.cards.selectors import year_cards
from reports.pdf import card_html
from tests import factories as f
from tests.reports.test_cards import (  # noqa: F401 (fixtures)
    PE,
    card_of,
    grade_all,
    line,
    rate,
    subjects,
    term1,
    term2,
)
from tests.reports.test_primary_cards import (
    complete,
    teacher,  # noqa: F401
)
from tests.reports.test_primary_cards import subjects as primary_subjects  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(cast, term2):
    """Khoa came to 10A1 from Trường THPT Bãi Cháy on term II's first day."""
    pupil = f.StudentFactory(school=cast.school_a, given_name="Khoa")
    f.enrol(pupil, cast.class_a1, start_date=term2.start_date)
    return pupil


def _term2_here(cast, pupil, subjects, term2):
    """Term II complete and published here (8 everywhere, Đ), conduct Tốt, one session
    missed without leave."""
    grade_all(cast, pupil, subjects, term2, 8)
    rate(cast, pupil, term2, "Tốt")
    f.attendance_mark(pupil, datetime.date(2027, 3, 2), status="unexcused", by=cast.homeroom_a1)


def _copy_term1(cast, pupil, subjects, term1, **averages):
    """Term I as the previous school's record gives it: 7,0 in every scored subject unless
    `averages` says otherwise, Đ in Giáo dục thể chất, conduct Khá, 3 + 1 absences."""
    results = [
        transfers.CopiedValues(s, passed=True) if name == PE
        else transfers.CopiedValues(s, average=averages.get(name, "7"))
        for name, s in subjects.items()
    ]
    return transfers.save_copied_term(
        by=cast.principal, student=pupil, term=term1, previous_school="THPT Bãi Cháy",
        conduct="Khá", absent_with_leave=3, absent_without_leave=1, results=results,
    )


def test_without_the_copied_term_the_year_card_stays_blank_with_the_reason(
    cast, subjects, term1, term2, newcomer
):
    _term2_here(cast, newcomer, subjects, term2)
    card = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), newcomer)
    assert card.learning == card.conduct == card.promotion == ""
    assert "Toán: chưa đủ điểm học kỳ I" in card.missing
    assert "Kết quả rèn luyện: chưa đánh giá học kỳ I" in card.missing
    assert card.copied_note == "" and line(card, "Toán").term1_copied is False


def test_the_copied_term_i_gives_the_year_result_marked_as_copied(
    cast, subjects, term1, term2, newcomer
):
    _term2_here(cast, newcomer, subjects, term2)
    _copy_term1(cast, newcomer, subjects, term1, **{"Toán": "6,5"})

    card = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), newcomer)

    maths = line(card, "Toán")
    # ĐTBmcn = (6,5 + 2 × 8,0) / 3 = 22,5 / 3 = 7,5 (Art. 9)
    assert (maths.term1, maths.term2, maths.year) == ("6,5", "8,0", "7,5")
    assert maths.term1_copied is True and maths.year_value == Decimal("7.5")
    # (7,0 + 16,0) / 3 = 7,67 → 7,7
    assert line(card, "Vật lí").year == "7,7"
    pe = line(card, PE)
    assert (pe.term1, pe.term2, pe.year, pe.term1_copied) == ("Đ", "Đ", "Đ", True)
    # Every average ≥ 6.5 and at least six ≥ 6.5 but none ≥ 8.0: Khá. Conduct: term II Tốt
    # and term I (copied) Khá → Tốt.
    assert (card.learning, card.conduct) == ("Khá", "Tốt")
    # Absences: the copied 3 with leave and 1 without, plus this school's one without leave.
    assert (card.absent_with_leave, card.absent_without_leave) == (3, 2)
    assert card.promotion == "Được lên lớp" and card.promotion_code == "len_lop"
    assert card.missing == ()
    assert card.copied_note == "Kết quả học kỳ I chép từ học bạ của Trường THPT Bãi Cháy."

    html = card_html([(card, "ABCD1234")])
    assert "(*) Kết quả học kỳ I chép từ học bạ của Trường THPT Bãi Cháy." in html
    assert "6,5*" in html


def test_the_other_pupils_cards_keep_their_hash(cast, subjects, term1, term2, newcomer):
    grade_all(cast, cast.pupil_a1, subjects, term1, 8)
    _term2_here(cast, cast.pupil_a1, subjects, term2)
    rate(cast, cast.pupil_a1, term1, "Tốt")
    before = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), cast.pupil_a1)
    _term2_here(cast, newcomer, subjects, term2)
    _copy_term1(cast, newcomer, subjects, term1)
    after = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), cast.pupil_a1)
    assert after.content_hash() == before.content_hash()


def test_a_copied_term_without_every_subject_still_says_what_is_missing(
    cast, subjects, term1, term2, newcomer
):
    _term2_here(cast, newcomer, subjects, term2)
    copied = _copy_term1(cast, newcomer, subjects, term1)
    CopiedResult.objects.filter(copied_term=copied, subject=subjects["Toán"]).delete()
    card = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), newcomer)
    assert card.learning == "" and "Toán: chưa đủ điểm học kỳ I" in card.missing
    assert card.conduct == "Tốt"  # the copied conduct still counts


@pytest.mark.parametrize("pupils", [1, 4])
def test_copied_terms_and_plans_keep_the_query_count(
    cast, subjects, term1, term2, pupils, django_assert_num_queries
):
    for n in range(pupils):
        pupil = f.StudentFactory(school=cast.school_a, given_name=f"Mới{n}")
        f.enrol(pupil, cast.class_a1, start_date=term2.start_date)
        _term2_here(cast, pupil, subjects, term2)
        _copy_term1(cast, pupil, subjects, term1)
        PersonalPlan.objects.create(student=pupil, school_year=cast.class_a1.school_year,
                                    recorded_by=cast.principal)
    with django_assert_num_queries(15):  # with the exemptions', awards' and summer's queries
        cards = year_cards(cast.class_a1, cast.class_a1.school_year)
    assert sum(1 for c in cards if c.copied_note and c.personal_plan) == pupils


# ---------------------------------------------------------------------------------------
# Pupils under a personal education plan
# ---------------------------------------------------------------------------------------


def _plan(cast, pupil, year, promoted=None):
    plan = PersonalPlan.objects.create(student=pupil, school_year=year, note="Khuyết tật trí tuệ",
                                       recorded_by=cast.principal)
    if promoted is not None:
        transfers.decide_promotion(plan, by=cast.operator, promoted=promoted)
    return plan


def _weak_pupil(cast, subjects, term1, term2):
    """An, whose computed decision is a re-test in Toán (3,0 and 4,0: year 3,7)."""
    pupil = cast.pupil_a1
    for term, maths in ((term1, 3), (term2, 4)):
        grade_all(cast, pupil, subjects, term, 8, **{"Toán": [maths] * 6, "Vật lí": [4] * 5})
        rate(cast, pupil, term, "Khá")
    return pupil


def test_pending_the_principals_decision_the_card_says_so_and_keeps_the_proposal(
    cast, subjects, term1, term2
):
    pupil = _weak_pupil(cast, subjects, term1, term2)
    _plan(cast, pupil, cast.class_a1.school_year)
    card = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), pupil)
    assert card.personal_plan is True
    assert card.promotion == "" and card.promotion_code is None
    assert card.promotion_proposal == "Kiểm tra lại: Toán, Vật lí"
    assert any("chờ quyết định của Hiệu trưởng" in m for m in card.missing)
    assert card.learning == "Chưa đạt"  # the results themselves are still printed


@pytest.mark.parametrize(
    ("promoted", "words", "code"),
    [(True, "Được lên lớp", "len_lop"), (False, "Không được lên lớp", "o_lai_lop")],
)
def test_the_principals_decision_replaces_the_computation(
    cast, subjects, term1, term2, promoted, words, code
):
    pupil = _weak_pupil(cast, subjects, term1, term2)
    _plan(cast, pupil, cast.class_a1.school_year, promoted)
    card = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), pupil)
    assert (card.promotion, card.promotion_code) == (words, code)
    assert card.promotion_proposal == "Kiểm tra lại: Toán, Vật lí"
    assert not any("Hiệu trưởng" in m for m in card.missing)
    html = card_html([(card, "ABCD1234")])
    assert "Kết quả xét lên lớp (quyết định của Hiệu trưởng)" in html and words in html


def test_a_grade_9_decision_uses_the_completion_words(cast, subjects, term1, term2):
    class_9 = f.ClassGroupFactory(school_year=cast.class_a1.school_year, name="9A", grade=9)
    pupil = f.StudentFactory(school=cast.school_a, given_name="Chín")
    f.enrol(pupil, class_9)
    _plan(cast, pupil, cast.class_a1.school_year, True)
    card = card_of(year_cards(class_9, cast.class_a1.school_year), pupil)
    assert card.promotion == "Được công nhận hoàn thành chương trình THCS"


def test_a_primary_pupils_decision_is_the_completion(cast, primary_subjects, teacher):
    year = cast.class_b.school_year
    term_1 = f.TermFactory(school_year=year, number=1, start_date=datetime.date(2026, 9, 5),
                           end_date=datetime.date(2027, 1, 15))
    term_2 = f.TermFactory(school_year=year, number=2, start_date=datetime.date(2027, 1, 18),
                           end_date=datetime.date(2027, 5, 25))
    pupil = cast.sibling_b
    complete(pupil, primary_subjects, term_2, teacher, rating="C")  # computed: not complete
    _plan(cast, pupil, year)
    card = card_of(year_cards(cast.class_b, year), pupil)
    assert card.promotion == "" and card.promotion_proposal == "Chưa hoàn thành chương trình lớp học"
    PersonalPlan.objects.filter(student=pupil).update(promoted=True, decided_at=timezone.now())
    card = card_of(year_cards(cast.class_b, year), pupil)
    assert card.promotion == "Hoàn thành chương trình lớp học"
    assert card.promotion_code == "hoan_thanh_chuong_trinh"
    assert term_1.pk  # term I unused: Circular 27 sums up at the end of the year only

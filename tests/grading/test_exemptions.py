"""Worked examples for exemption from the practical part of physical and defence education
(Circular 22/2021, Article 10). No database."""

import pytest

from grading import circular22
from grading import exemptions as rules
from grading.errors import InconsistentData


@pytest.mark.parametrize(
    "name, exemptible",
    [
        ("Giáo dục thể chất", True),  # Art. 10.1 names the two subjects
        ("Giáo dục quốc phòng và an ninh", True),
        ("GDQP&AN", True),  # the abbreviation schools use
        ("Thể dục", True),  # the old name of physical education
        ("  giáo dục  THỂ CHẤT ", True),  # spaces and case
        ("Toán", False),  # any other subject: no practical part to exempt
        ("Âm nhạc", False),  # arts have practice, but the article names only the two
        ("Hoạt động trải nghiệm, hướng nghiệp", False),
        ("", False),
    ],
)
def test_only_physical_and_defence_education_can_be_exempted(name, exemptible):
    assert rules.is_exemptible(name) is exemptible


@pytest.mark.parametrize(
    "term, others, allowed",
    [
        (1, [], True),  # a term (Art. 10.3: "trong một học kì")
        (None, [], True),  # the whole year ("hoặc cả năm học")
        (2, [1], True),  # term II after a term I exemption: no overlap
        (1, [1], False),  # the same term twice
        (None, [2], False),  # the year overlaps a term already exempted
        (1, [None], False),  # a term inside a year already exempted
        (3, [], False),  # there is no term III
    ],
)
def test_an_exemption_is_for_a_term_or_the_year_and_never_overlaps(term, others, allowed):
    if allowed:
        rules.check_exemption("Giáo dục thể chất", term, others)
    else:
        with pytest.raises(InconsistentData):
            rules.check_exemption("Giáo dục thể chất", term, others)


def test_another_subject_is_refused_with_a_vietnamese_message():
    with pytest.raises(InconsistentData) as error:
        rules.check_exemption("Toán", 1)
    assert "Giáo dục thể chất" in error.value.message and "Toán" in error.value.message


# Art. 10.4: the practical part is replaced by theory "để bảo đảm đủ số lần kiểm tra, đánh
# giá": an exempted pupil has the same assessments as the class, and the same result rules.
@pytest.mark.parametrize(
    "name, periods, scored, required",
    [
        ("Giáo dục thể chất", 70, False, 4),  # rated: 2 regular + midterm + end of term
        ("Giáo dục quốc phòng và an ninh", 35, True, 4),  # scored, 35 periods: 2 + 2
        ("Giáo dục quốc phòng và an ninh", 52, True, 5),  # a 52-period plan: 3 + 2
    ],
)
@pytest.mark.parametrize("exempted", [False, True])
def test_an_exempted_pupil_keeps_the_full_number_of_assessments(
    name, periods, scored, required, exempted
):
    assert rules.required_assessments(name, periods, scored=scored, exempted=exempted) == required


def test_an_exempted_pupil_s_theory_results_count_like_anyone_s():
    # Physical education rated on theory alone: all four Đ → Đ (Art. 9, with Art. 10.4).
    assert circular22.term_rated_result([True, True, True, True]) is True
    # Defence education on theory: regular 8, 7; midterm 8; final 9 → (15 + 16 + 27) / 7 =
    # 58 / 7 = 8.285… → 8.3, and it stays in the learning result as a scored subject.
    average = circular22.subject_term_average(["8", "7"], "8", "9", expected_regular=2)
    assert str(average) == "8.3"
    scored = {f"Môn {i}": "8.0" for i in range(1, 8)} | {"GDQP&AN": average}
    assert circular22.learning_result(scored, {"Giáo dục thể chất": True}) == circular22.TOT


@pytest.mark.parametrize(
    "terms, card_term, words",
    [
        ([1], 1, "Miễn thực hành"),  # a term card of the exempted term
        ([1], 2, ""),  # term II's card: the term I exemption does not apply
        ([None], 2, "Miễn thực hành"),  # a year's exemption shows on every term card
        ([None], None, "Miễn thực hành cả năm học"),  # the year card names the period
        ([2], None, "Miễn thực hành học kỳ II"),
        ([1, 2], None, "Miễn thực hành cả năm học"),  # both terms: the whole year
        ([], None, ""),
    ],
)
def test_the_words_printed_on_the_subject_s_line(terms, card_term, words):
    assert rules.exemption_words(terms, card_term) == words

"""Worked examples for the grades 6–12 rules (Circular 22/2021), computed by hand.

Every expected value below was worked out on paper from DOMAIN.md's formulas; the comment
beside a row shows the arithmetic. No database: these run with `-p no:django`.
"""

import dataclasses
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from grading import circular22 as rules
from grading.errors import (
    InconsistentData,
    InvalidRating,
    InvalidScore,
    InvalidValue,
    MissingData,
    RuleError,
)

D = Decimal
REPO = Path(__file__).resolve().parents[2]

# A grade-10 pupil of the 2018 programme: 5 compulsory scored subjects plus 4 scored
# electives, and 3 comment-only subjects.
SCORED = ["Ngữ văn", "Toán", "Ngoại ngữ 1", "Lịch sử", "GDQP&AN",
          "Vật lí", "Hoá học", "Sinh học", "Tin học"]
RATED = ["Giáo dục thể chất", "Hoạt động trải nghiệm, hướng nghiệp",
         "Nội dung giáo dục của địa phương"]


def scored(*averages: str) -> dict[str, Decimal]:
    """The first len(averages) scored subjects with these averages, in order."""
    assert len(averages) <= len(SCORED)
    return {name: D(value) for name, value in zip(SCORED, averages)}


def rated(failed: int = 0) -> dict[str, bool]:
    """The three rated subjects; the first `failed` of them CĐ."""
    return {name: i >= failed for i, name in enumerate(RATED)}


def test_the_rules_import_no_django():
    """Pure rules stay pure: importing them in a fresh interpreter loads no Django module."""
    code = (
        "import sys; import grading.circular22, grading.circular27;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# --------------------------------------------------------------------------------------
# Subject term average
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regular", "midterm", "final", "expected"),
    [
        # (8 + 8 + 9 + 2×8 + 3×8.5) / 8 = 66.5 / 8 = 8.3125
        pytest.param(["8", "8", "9"], "8", "8,5", "8.3", id="3tx-8-8-9-gk8-ck8,5-is-8.3"),
        # (7 + 8 + 9 + 2×9 + 3×8) / 8 = 66 / 8 = 8.25 exactly; round(8.25, 1) gives 8.2
        pytest.param([7, 8, 9], 9, 8, "8.3", id="exact-half-8.25-rounds-up-to-8.3"),
        # (6 + 6 + 6 + 2×6 + 3×7.2) / 8 = 51.6 / 8 = 6.45 exactly: reaches the 6.5 bar
        pytest.param([6, 6, 6], 6, "7.2", "6.5", id="exact-half-6.45-rounds-up-to-6.5"),
        # (4 + 5 + 5 + 2×5 + 3×5.2) / 8 = 39.6 / 8 = 4.95 exactly: reaches the 5.0 bar
        pytest.param([4, 5, 5], 5, "5.2", "5.0", id="exact-half-4.95-rounds-up-to-5.0"),
        # (6 + 6 + 6.5 + 2×6 + 3×7) / 8 = 51.5 / 8 = 6.4375
        pytest.param([6, 6, "6.5"], 6, 7, "6.4", id="6.4375-rounds-down-to-6.4"),
        # (7 + 8 + 2×6 + 3×9) / 7 = 54 / 7 = 7.714…
        pytest.param([7, 8], 6, 9, "7.7", id="2tx-54-over-7"),
        # (7 + 7 + 7 + 7.2 + 2×8 + 3×7) / 9 = 65.2 / 9 = 7.244…
        pytest.param([7, 7, 7, "7.2"], 8, 7, "7.2", id="4tx-65.2-over-9"),
        # (6.5 + 7.5 + 8 + 2×7 + 3×9) / 8 = 63 / 8 = 7.875
        pytest.param([D("6.5"), "7,5", 8], D("7.0"), "9", "7.9", id="mixed-decimal-comma-int"),
        pytest.param([10, 10], 10, 10, "10.0", id="all-ten"),
        pytest.param([0, 0, 0], 0, 0, "0.0", id="all-zero"),
        # Decimal("7.50") has two places but is exactly 7.5: (7.5 + 7.5 + 15 + 22.5) / 7 = 7.5
        pytest.param([D("7.50"), "7,5"], "7.5", D("7.5"), "7.5", id="trailing-zero-accepted"),
        pytest.param([" 8 ", "9"], " 8,0 ", "8", "8.1", id="surrounding-spaces"),  # 57 / 7 = 8.14
    ],
)
def test_subject_term_average(regular, midterm, final, expected):
    result = rules.subject_term_average(regular, midterm, final)
    assert result == D(expected)
    assert str(result) == expected  # always one decimal place, ready to print


def test_exact_half_is_what_floats_get_wrong():
    """Why Decimal: the same 66 / 8 computed with floats and round() prints 8.2."""
    assert round((7 + 8 + 9 + 2 * 9 + 3 * 8) / 8, 1) == 8.2
    assert rules.subject_term_average([7, 8, 9], 9, 8) == D("8.3")


@pytest.mark.parametrize(
    ("regular", "midterm", "final", "kwargs", "missing"),
    [
        pytest.param([8, 8, 9], None, 8, {}, ["midterm"], id="midterm-none"),
        pytest.param([8, 8, 9], 8, "", {}, ["final"], id="final-blank-string"),
        pytest.param([8, None, "  "], None, 8, {}, ["regular_2", "regular_3", "midterm"],
                     id="every-missing-item-named"),
        pytest.param([8], 8, 8, {}, ["regular_2"], id="fewer-than-two-regular"),
        pytest.param([], None, None, {}, ["regular_1", "regular_2", "midterm", "final"],
                     id="nothing-entered"),
        pytest.param([8, 8, 9], 8, 8, {"expected_regular": 4}, ["regular_4"],
                     id="one-short-of-expected-4"),
    ],
)
def test_subject_term_average_names_what_is_missing(regular, midterm, final, kwargs, missing):
    with pytest.raises(MissingData) as raised:
        rules.subject_term_average(regular, midterm, final, **kwargs)
    assert raised.value.what == missing
    assert raised.value.code == "missing_data"
    assert raised.value.message.startswith("Thiếu dữ liệu:")


def test_missing_message_is_vietnamese():
    with pytest.raises(MissingData) as raised:
        rules.subject_term_average([8, None], None, 8)
    assert str(raised.value) == (
        "Thiếu dữ liệu: điểm đánh giá thường xuyên lần 2 (ĐĐGtx2), "
        "điểm đánh giá giữa kì (ĐĐGgk)."
    )


@pytest.mark.parametrize(
    ("regular", "kwargs"),
    [
        pytest.param([8, 8, 8, 8, 8], {}, id="five-without-expected"),
        pytest.param([8, 8, 8], {"expected_regular": 2}, id="three-where-two-expected"),
    ],
)
def test_subject_term_average_refuses_too_many_regular(regular, kwargs):
    with pytest.raises(InvalidValue) as raised:
        rules.subject_term_average(regular, 8, 8, **kwargs)
    assert raised.value.reason == "too_many"


def test_expected_regular_accepts_the_exact_count():
    count = rules.regular_assessment_count(105)  # Toán: 4
    assert rules.subject_term_average([8, 8, 8, 8], 8, 8, expected_regular=count) == D("8.0")


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        pytest.param("6,45", "too_precise", id="two-decimals-6,45"),
        pytest.param(D("8.25"), "too_precise", id="decimal-8.25"),
        pytest.param("10.5", "out_of_range", id="above-10"),
        pytest.param(11, "out_of_range", id="int-11"),
        pytest.param(D("-0.5"), "out_of_range", id="negative-decimal"),
        pytest.param("-1", "not_a_number", id="negative-text"),
        pytest.param("abc", "not_a_number", id="letters"),
        pytest.param("1e1", "not_a_number", id="exponent"),
        pytest.param("7.", "not_a_number", id="dangling-point"),
        pytest.param("８", "not_a_number", id="fullwidth-digit"),
        pytest.param(D("NaN"), "not_a_number", id="decimal-nan"),
        pytest.param(D("Infinity"), "not_a_number", id="decimal-infinity"),
    ],
)
def test_subject_term_average_refuses_bad_scores(bad, reason):
    with pytest.raises(InvalidScore) as raised:
        rules.subject_term_average([8, bad, 9], 8, 8)
    error = raised.value
    assert (error.what, error.value, error.reason, error.code) == ("regular_2", bad, reason,
                                                                   "invalid_score")
    assert isinstance(error, RuleError) and isinstance(error, ValueError)
    assert "ĐĐGtx2" in error.message


@pytest.mark.parametrize("bad", [pytest.param(8.5, id="float"), pytest.param(True, id="bool")])
def test_floats_and_bools_are_a_type_error(bad):
    """Floats are refused outright: 6.45 and 8.25 are not exact in binary."""
    with pytest.raises(TypeError):
        rules.subject_term_average([8, 8, 9], bad, 8)


def test_regular_must_be_a_list_not_text():
    with pytest.raises(TypeError):
        rules.subject_term_average("889", 8, 8)


@pytest.mark.parametrize(
    ("periods", "count"),
    [
        pytest.param(1, 2, id="1"),
        pytest.param(35, 2, id="35-GDQP&AN"),
        pytest.param(36, 3, id="36"),
        pytest.param(52, 3, id="52-Lịch-sử"),
        pytest.param(70, 3, id="70-elective"),
        pytest.param(71, 4, id="71"),
        pytest.param(105, 4, id="105-Toán"),
        pytest.param(140, 4, id="140-grade-6-Toán"),
    ],
)
def test_regular_assessment_count(periods, count):
    assert rules.regular_assessment_count(periods) == count


def test_regular_assessment_count_refuses_nonsense():
    with pytest.raises(InvalidValue):
        rules.regular_assessment_count(0)
    with pytest.raises(TypeError):
        rules.regular_assessment_count(35.0)


# --------------------------------------------------------------------------------------
# Subject year average
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term1", "term2", "expected"),
    [
        pytest.param("8.0", "7.0", "7.3", id="22-over-3"),  # (8 + 14) / 3 = 7.333…
        pytest.param("6.4", "6.5", "6.5", id="19.4-over-3"),  # 6.466…
        pytest.param("5.0", "4.9", "4.9", id="14.8-over-3"),  # 4.933…
        pytest.param("4.9", "5.0", "5.0", id="14.9-over-3"),  # 4.966…
        pytest.param("7,5", D("8.5"), "8.2", id="decimal-comma"),  # 24.5 / 3 = 8.166…
        pytest.param(10, 10, "10.0", id="all-ten"),
        pytest.param(0, 0, "0.0", id="all-zero"),
    ],
)
def test_subject_year_average(term1, term2, expected):
    assert str(rules.subject_year_average(term1, term2)) == expected


def test_year_average_uses_the_rounded_term_averages():
    """Term II = 65.2 / 9 = 7.244… prints 7.2. From the printed 7.2: (6.1 + 14.4) / 3 = 6.83
    → 6.8. From the unrounded 7.244…: 20.589 / 3 = 6.86 → 6.9 (wrong)."""
    term2 = rules.subject_term_average([7, 7, 7, "7.2"], 8, 7)
    assert term2 == D("7.2")
    assert rules.subject_year_average("6.1", term2) == D("6.8")
    unrounded = (D("6.1") + 2 * D("65.2") / 9) / 3
    assert rules.round_score(unrounded) == D("6.9")


def test_year_average_refuses_an_unrounded_term_average():
    with pytest.raises(InvalidScore) as raised:
        rules.subject_year_average("6.45", "7.0")
    assert (raised.value.what, raised.value.reason) == ("term1", "too_precise")


def test_year_average_names_both_missing_terms():
    with pytest.raises(MissingData) as raised:
        rules.subject_year_average(None, "")
    assert raised.value.what == ["term1", "term2"]


# --------------------------------------------------------------------------------------
# Rated subjects
# --------------------------------------------------------------------------------------

T, F = True, False


@pytest.mark.parametrize(
    ("assessments", "expected"),
    [
        pytest.param([T, T, T, T], T, id="all-Đ-is-Đ"),
        pytest.param([T, T, T, F], F, id="final-CĐ-is-CĐ"),
        pytest.param([F, T, T, T], F, id="one-regular-CĐ-is-CĐ"),
        pytest.param((F, F, F, F), F, id="all-CĐ"),
    ],
)
def test_term_rated_result(assessments, expected):
    assert rules.term_rated_result(assessments) is expected


@pytest.mark.parametrize(
    ("assessments", "kwargs", "missing"),
    [
        pytest.param([T, None, T, T], {}, ["regular_2"], id="regular-2-not-entered"),
        pytest.param([T, T, T], {}, ["final"], id="final-not-entered"),
        pytest.param([T, T, None, None], {}, ["midterm", "final"], id="two-not-entered"),
        pytest.param([], {}, ["regular_1", "regular_2", "midterm", "final"], id="nothing"),
        pytest.param([T, T, T, T], {"required": 5}, ["final"], id="required-5"),
    ],
)
def test_term_rated_result_missing_assessment_is_an_error_not_cd(assessments, kwargs, missing):
    """Reading chosen: an assessment not entered raises MissingData; a teacher records CĐ
    for an assessment the pupil did not do, and then the subject is CĐ."""
    with pytest.raises(MissingData) as raised:
        rules.term_rated_result(assessments, **kwargs)
    assert raised.value.what == missing


def test_term_rated_result_refuses_too_many_and_non_bool():
    with pytest.raises(InvalidValue):
        rules.term_rated_result([T, T, T, T, T])
    with pytest.raises(TypeError):
        rules.term_rated_result([T, T, "Đ", T])


@pytest.mark.parametrize(
    ("term1", "term2", "expected"),
    [
        pytest.param(T, F, F, id="I-Đ-II-CĐ-is-CĐ"),
        pytest.param(F, T, T, id="I-CĐ-II-Đ-is-Đ"),
        pytest.param(T, T, T, id="both-Đ"),
        pytest.param(None, T, T, id="joined-in-term-II"),
    ],
)
def test_year_rated_result_is_term_two(term1, term2, expected):
    assert rules.year_rated_result(term1, term2) is expected


def test_year_rated_result_needs_term_two():
    with pytest.raises(MissingData) as raised:
        rules.year_rated_result(True, None)
    assert raised.value.what == ["term2"]


# --------------------------------------------------------------------------------------
# Learning result
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("averages", "failed_rated", "expected"),
    [
        # The rows of the table, and each bar just met / just missed.
        pytest.param(["8.0"] * 6 + ["6.5"] * 3, 0, "Tốt", id="tot-at-the-bars"),
        pytest.param(["10"] * 9, 0, "Tốt", id="tot-all-ten"),
        pytest.param(["8.0"] * 5 + ["7.9"] + ["6.5"] * 3, 0, "Khá", id="tot-needs-six-at-8.0"),
        pytest.param(["8.0"] * 6 + ["6.5", "6.5", "6.4"], 0, "Khá", id="tot-floor-6.4-is-kha"),
        pytest.param(["6.5"] * 6 + ["5.0"] * 3, 0, "Khá", id="kha-at-the-bars"),
        pytest.param(["6.5"] * 5 + ["6.4"] + ["5.0"] * 3, 0, "Đạt", id="kha-needs-six-at-6.5"),
        pytest.param(["6.5"] * 6 + ["5.0", "5.0", "4.9"], 0, "Đạt", id="kha-floor-4.9-is-dat"),
        pytest.param(["5.0"] * 6 + ["3.5"] * 3, 0, "Đạt", id="dat-at-the-bars-3.5-allowed"),
        pytest.param(["5.0"] * 6 + ["3.5", "3.5", "3.4"], 0, "Chưa đạt", id="dat-floor-3.4"),
        pytest.param(["5.0"] * 5 + ["4.9"] * 4, 0, "Chưa đạt", id="dat-needs-six-at-5.0"),
        pytest.param(["5.0"] * 9, 1, "Đạt", id="dat-allows-one-rated-cd"),
        pytest.param(["5.0"] * 9, 2, "Chưa đạt", id="two-rated-cd"),
        pytest.param(["9.0"] * 9, 3, "Chưa đạt", id="all-rated-cd"),
        # 4.95 and 6.45 never reach learning_result: the term average rounds them first.
        pytest.param(["8.0"] * 6 + ["6.5"] * 2 + [str(rules.subject_term_average([6, 6, 6], 6,
                     "7.2"))], 0, "Tốt", id="6.45-rounded-to-6.5-meets-tot"),
        pytest.param(["6.5"] * 6 + ["5.0"] * 2 + [str(rules.subject_term_average([4, 5, 5], 5,
                     "5.2"))], 0, "Khá", id="4.95-rounded-to-5.0-meets-kha"),
    ],
)
def test_learning_result_table(averages, failed_rated, expected):
    assert rules.learning_result(scored(*averages), rated(failed_rated)) == expected


@pytest.mark.parametrize(
    ("averages", "failed_rated", "table", "expected", "culprit"),
    [
        # DOMAIN.md's first example: Tốt but one rated subject CĐ → Đạt by the table → Khá.
        pytest.param(["8.0"] * 6 + ["6.5"] * 3, 1, "Đạt", "Khá", RATED[0],
                     id="tot-but-one-rated-cd-raised-to-kha"),
        # DOMAIN.md's second: Khá but one scored 3.0 → Chưa đạt by the table → Đạt.
        pytest.param(["6.5"] * 6 + ["5.0", "5.0", "3.0"], 0, "Chưa đạt", "Đạt", SCORED[8],
                     id="kha-but-one-3.0-raised-to-dat"),
        # Tốt but one scored 4.0: Đạt by the table (4.0 is ≥ 3.5), two below Tốt → Khá.
        pytest.param(["8.0"] * 6 + ["6.5", "6.5", "4.0"], 0, "Đạt", "Khá", SCORED[8],
                     id="tot-but-one-4.0-raised-to-kha"),
        # Three-level fall: Tốt but one scored 3.0 → Chưa đạt. Reading chosen: "the next
        # level up" from the level obtained, i.e. Đạt (not Khá, one below Tốt).
        pytest.param(["8.0"] * 6 + ["7.0", "7.0", "3.0"], 0, "Chưa đạt", "Đạt", SCORED[8],
                     id="three-level-fall-tot-to-chua-dat-gives-dat"),
        # The single subject also completes the count: 5 at 8.0, 3 at 7.0, one at 4.0 → Đạt;
        # with that subject at 8.0 the pupil is Tốt, so the fall is by one subject → Khá.
        pytest.param(["8.0"] * 5 + ["7.0"] * 3 + ["4.0"], 0, "Đạt", "Khá", SCORED[8],
                     id="single-subject-completes-the-count-raised-to-kha"),
        # Exactly 6 scored: 5 at 8.0 and one at 4.0 give only five ≥ 5.0 → Chưa đạt; with the
        # one at 10 the pupil is Tốt → raised one level, to Đạt.
        pytest.param(["8.0"] * 5 + ["4.0"], 0, "Chưa đạt", "Đạt", SCORED[5],
                     id="six-scored-one-4.0-raised-to-dat"),
    ],
)
def test_learning_result_adjustment(averages, failed_rated, table, expected, culprit):
    """Art. 9 clause 3: two or more levels below Tốt/Khá because of one single subject →
    raised to the next level up."""
    assessment = rules.assess_learning(scored(*averages), rated(failed_rated))
    assert (assessment.table_result, assessment.result, assessment.adjusted_for) == (
        table, expected, culprit)
    assert rules.learning_result(scored(*averages), rated(failed_rated)) == expected


@pytest.mark.parametrize(
    ("averages", "failed_rated", "expected"),
    [
        pytest.param(["8.0"] * 6 + ["6.5", "6.5", "6.0"], 0, "Khá", id="one-level-fall-stays"),
        pytest.param(["8.0"] * 6 + ["6.5"] * 3, 2, "Chưa đạt", id="two-rated-cd-two-subjects"),
        pytest.param(["8.0"] * 6 + ["7.0", "3.0", "3.0"], 0, "Chưa đạt", id="two-scored-low"),
        pytest.param(["8.0"] * 6 + ["6.5", "6.5", "4.0"], 1, "Đạt",
                     id="one-scored-low-and-one-rated-cd"),
        pytest.param(["6.5"] * 6 + ["5.0"] * 3, 1, "Đạt", id="kha-but-one-rated-cd-one-level"),
        pytest.param(["5.0"] * 6 + ["3.5", "3.5", "3.4"], 0, "Chưa đạt",
                     id="dat-but-one-3.4-only-one-level"),
    ],
)
def test_learning_result_no_adjustment(averages, failed_rated, expected):
    assessment = rules.assess_learning(scored(*averages), rated(failed_rated))
    assert (assessment.result, assessment.table_result, assessment.adjusted_for) == (
        expected, expected, None)


@pytest.mark.parametrize(
    ("averages", "expected"),
    [
        # "At least 6 subjects" read literally: with fewer than 6 scored subjects no row of
        # the table is met, and no single subject can add a subject, so no adjustment.
        pytest.param(["10"] * 5, "Chưa đạt", id="five-scored-all-ten"),
        pytest.param(["8.0"], "Chưa đạt", id="one-scored"),
        pytest.param(["8.0"] * 6, "Tốt", id="exactly-six-scored-all-8.0"),
        pytest.param(["6.5"] * 6, "Khá", id="exactly-six-scored-all-6.5"),
    ],
)
def test_learning_result_with_few_scored_subjects(averages, expected):
    assert rules.learning_result(scored(*averages), rated()) == expected


def test_learning_result_without_rated_subjects():
    assert rules.learning_result(scored(*["8.0"] * 9), {}) == "Tốt"


def test_learning_result_accepts_text_and_trailing_zero():
    averages = {name: "8,0" for name in SCORED[:6]} | {"Tin học": D("6.50")}
    assert rules.learning_result(averages, rated()) == "Tốt"


def test_learning_result_rated_only_is_missing_the_scored_subjects():
    """A pupil with rated subjects and no scored one is a query that found nothing."""
    with pytest.raises(MissingData) as raised:
        rules.learning_result({}, rated())
    assert raised.value.what == ["scored"]


def test_learning_result_names_every_missing_subject():
    averages = scored(*["8.0"] * 9) | {"Toán": None, "Tin học": " "}
    with pytest.raises(MissingData) as raised:
        rules.learning_result(averages, rated() | {"Giáo dục thể chất": None})
    assert raised.value.what == ["Toán", "Tin học", "Giáo dục thể chất"]
    assert "Toán" in raised.value.message


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        pytest.param(D("6.45"), "too_precise", id="unrounded-6.45"),
        pytest.param("4,95", "too_precise", id="unrounded-4,95"),
        pytest.param(D("10.1"), "out_of_range", id="above-10"),
    ],
)
def test_learning_result_refuses_unrounded_or_bad_averages(bad, reason):
    """Averages reach learning_result rounded; 6.45 here means the caller skipped rounding."""
    with pytest.raises(InvalidScore) as raised:
        rules.learning_result(scored(*["8.0"] * 9) | {"Toán": bad}, rated())
    assert (raised.value.what, raised.value.reason) == ("Toán", reason)


def test_learning_result_type_errors():
    with pytest.raises(TypeError):
        rules.learning_result(scored(*["8.0"] * 9) | {"Toán": 8.0}, rated())
    with pytest.raises(TypeError):
        rules.learning_result(scored(*["8.0"] * 9), {"Giáo dục thể chất": "Đ"})


def test_learning_result_refuses_a_subject_both_scored_and_rated():
    with pytest.raises(InconsistentData) as raised:
        rules.learning_result(scored(*["8.0"] * 9), {"Toán": True})
    assert raised.value.what == ["Toán"]


# --------------------------------------------------------------------------------------
# Conduct
# --------------------------------------------------------------------------------------

TOT, KHA, DAT, CD = "Tốt", "Khá", "Đạt", "Chưa đạt"
CONDUCT_TABLE = [
    # (term I, term II, year) — all 16 combinations, worked out by hand from Art. 8.
    (TOT, TOT, TOT), (KHA, TOT, TOT), (DAT, TOT, KHA), (CD, TOT, KHA),
    (TOT, KHA, KHA), (KHA, KHA, KHA), (DAT, KHA, KHA), (CD, KHA, DAT),
    (TOT, DAT, KHA), (KHA, DAT, DAT), (DAT, DAT, DAT), (CD, DAT, DAT),
    (TOT, CD, CD), (KHA, CD, CD), (DAT, CD, CD), (CD, CD, CD),
]


@pytest.mark.parametrize(
    ("term1", "term2", "year"),
    [pytest.param(*row, id=f"I-{row[0]}-II-{row[1]}-is-{row[2]}") for row in CONDUCT_TABLE],
)
def test_conduct_year(term1, term2, year):
    assert rules.conduct_year(term1, term2) == year


def test_conduct_table_is_exhaustive():
    assert {(one, two) for one, two, _ in CONDUCT_TABLE} == {
        (one, two) for one in rules.LEVELS for two in rules.LEVELS}


@pytest.mark.parametrize(
    ("term1", "term2", "year"),
    [
        pytest.param(" tốt ", "CHƯA ĐẠT", CD, id="spaces-and-case"),
        pytest.param("Kha\u0301", "Đa\u0323t", DAT, id="nfd-input"),
    ],
)
def test_conduct_year_tolerates_spelling(term1, term2, year):
    assert rules.conduct_year(term1, term2) == year


def test_conduct_year_errors():
    with pytest.raises(MissingData) as raised:
        rules.conduct_year(None, " ")
    assert raised.value.what == ["term1", "term2"]
    with pytest.raises(InvalidRating) as bad:
        rules.conduct_year("Giỏi", TOT)  # the pre-2021 scale
    assert (bad.value.what, bad.value.value, bad.value.code) == ("term1", "Giỏi", "invalid_rating")
    assert bad.value.allowed == (TOT, KHA, DAT, CD)


# --------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("learning", "conduct", "averages", "expected"),
    [
        pytest.param(TOT, TOT, ["9.0"] * 6 + ["8.0"] * 3, "Học sinh Xuất sắc",
                     id="six-at-9.0-xuat-sac"),
        pytest.param(TOT, TOT, ["10"] * 9, "Học sinh Xuất sắc", id="all-ten-xuat-sac"),
        pytest.param(TOT, TOT, ["9.0"] * 5 + ["8.9"] + ["8.0"] * 3, "Học sinh Giỏi",
                     id="five-at-9.0-gioi"),
        pytest.param(TOT, KHA, ["10"] * 9, None, id="conduct-kha-no-title"),
        pytest.param(KHA, TOT, ["9.0"] * 9, None, id="learning-kha-no-title"),
        pytest.param(DAT, DAT, ["5.0"] * 9, None, id="dat-no-title"),
    ],
)
def test_title(learning, conduct, averages, expected):
    assert rules.title(learning, conduct, scored(*averages)) == expected


def test_title_errors():
    with pytest.raises(MissingData) as raised:
        rules.title(None, TOT, scored(*["9.0"] * 9))
    assert raised.value.what == ["learning"]
    with pytest.raises(MissingData) as raised:
        rules.title(TOT, TOT, scored(*["9.0"] * 9) | {"Toán": None})
    assert raised.value.what == ["Toán"]


# --------------------------------------------------------------------------------------
# Promotion
# --------------------------------------------------------------------------------------

FAILING_YEAR = scored("4.9", "3.0", "5.0", *["6.0"] * 6)  # Ngữ văn 4.9, Toán 3.0
PASSING_YEAR = scored(*["6.0"] * 9)


@pytest.mark.parametrize(
    ("learning", "conduct", "absent", "averages", "failed_rated", "expected"),
    [
        pytest.param(DAT, DAT, 0, PASSING_YEAR, 0, rules.Promotion("lên lớp"), id="dat-dat"),
        pytest.param(TOT, TOT, 45, PASSING_YEAR, 0, rules.Promotion("lên lớp"),
                     id="45-sessions-absent-still-moves-up"),
        pytest.param(TOT, TOT, 46, PASSING_YEAR, 0, rules.Promotion("ở lại lớp"),
                     id="46-sessions-absent-repeats"),
        pytest.param(CD, CD, 46, FAILING_YEAR, 1, rules.Promotion("ở lại lớp"),
                     id="46-sessions-absent-no-summer-route"),
        # Đạt learning with one subject below 5.0 moves up: retakes only follow Chưa đạt.
        pytest.param(DAT, KHA, 2, scored("4.0", *["6.0"] * 8), 1, rules.Promotion("lên lớp"),
                     id="dat-with-a-weak-subject-moves-up"),
        # Retake: scored below 5.0 (4.9 and 3.0, not 5.0), then the rated CĐ.
        pytest.param(CD, KHA, 3, FAILING_YEAR, 1,
                     rules.Promotion("kiểm tra lại", ("Ngữ văn", "Toán", RATED[0])),
                     id="learning-cd-retakes-failed-subjects"),
        # Art. 13: conduct Chưa đạt → summer conduct training ("rèn luyện trong kì nghỉ hè").
        pytest.param(DAT, CD, 0, PASSING_YEAR, 0,
                     rules.Promotion("rèn luyện trong kì nghỉ hè", (), True),
                     id="conduct-cd-summer-training"),
        # Art. 13–14: both Chưa đạt → the training comes first; the re-tests (Ngữ văn 4.9,
        # Toán 3.0) wait for a conduct re-assessed at Đạt or above, so none is set now.
        pytest.param(CD, CD, 10, FAILING_YEAR, 0,
                     rules.Promotion("rèn luyện trong kì nghỉ hè", (), True,
                                     failed_subjects=("Ngữ văn", "Toán")),
                     id="both-cd-summer-training-first"),
    ],
)
def test_promotion(learning, conduct, absent, averages, failed_rated, expected):
    assert rules.promotion(learning, conduct, absent, averages, rated(failed_rated)) == expected


def test_both_chua_dat_gives_one_summer_action_the_training():
    """Art. 13–14: never the re-tests and the training side by side."""
    result = rules.promotion(CD, CD, 0, FAILING_YEAR, rated())
    assert result.summer_actions == ("rèn luyện trong kì nghỉ hè",)
    assert result.retake_subjects == ()
    assert not result.is_final
    assert rules.promotion(TOT, TOT, 0, PASSING_YEAR, rated()).is_final
    assert rules.promotion(CD, KHA, 0, FAILING_YEAR, rated()).summer_actions == ("kiểm tra lại",)


@pytest.mark.parametrize(
    ("learning", "reassessed", "absent", "expected"),
    [
        # Art. 14: conduct re-assessed Đạt after the summer, learning Chưa đạt → only now the
        # re-tests, in the subjects below 5.0 (Ngữ văn 4.9, Toán 3.0).
        pytest.param(CD, DAT, 0, rules.Promotion("kiểm tra lại", ("Ngữ văn", "Toán")),
                     id="reassessed-dat-then-retests"),
        # Learning Đạt, conduct re-assessed Khá → moves up.
        pytest.param(DAT, KHA, 0, rules.Promotion("lên lớp"), id="reassessed-kha-moves-up"),
        # Conduct still Chưa đạt after the training → does not move up; no second summer.
        pytest.param(CD, CD, 0, rules.Promotion("ở lại lớp"),
                     id="still-cd-repeats"),
        pytest.param(DAT, CD, 0, rules.Promotion("ở lại lớp"), id="still-cd-learning-dat-repeats"),
        # Art. 12.1.c still decides first: 46 sessions.
        pytest.param(DAT, TOT, 46, rules.Promotion("ở lại lớp"), id="absences-first"),
    ],
)
def test_promotion_after_summer_training(learning, reassessed, absent, expected):
    averages = FAILING_YEAR if learning == CD else PASSING_YEAR
    assert rules.promotion_after_training(learning, reassessed, absent, averages, rated()) == expected


@pytest.mark.parametrize(
    ("decision", "grade", "words"),
    [
        # Art. 12: "được lên lớp" / "không được lên lớp", not "lên lớp" / "ở lại lớp".
        ("lên lớp", 6, "Được lên lớp"),
        ("lên lớp", 11, "Được lên lớp"),
        ("ở lại lớp", 8, "Không được lên lớp"),
        ("ở lại lớp", 10, "Không được lên lớp"),
        # The last grade of a level: "được công nhận hoàn thành chương trình THCS / THPT".
        ("lên lớp", 9, "Được công nhận hoàn thành chương trình THCS"),
        ("lên lớp", 12, "Được công nhận hoàn thành chương trình THPT"),
        ("ở lại lớp", 9, "Không được công nhận hoàn thành chương trình THCS"),
        ("ở lại lớp", 12, "Không được công nhận hoàn thành chương trình THPT"),
        # Art. 13–14's summer actions, in every grade.
        ("kiểm tra lại", 12, "Kiểm tra lại"),
        ("rèn luyện trong kì nghỉ hè", 7, "Rèn luyện trong kì nghỉ hè"),
    ],
)
def test_decision_words(decision, grade, words):
    assert rules.decision_words(decision, grade) == words


def test_decision_words_errors():
    with pytest.raises(InvalidValue):
        rules.decision_words("lên lớp", 5)
    with pytest.raises(InvalidRating):
        rules.decision_words("được khen", 10)
    with pytest.raises(TypeError):
        rules.decision_words("lên lớp", "10")


def test_promotion_errors():
    with pytest.raises(MissingData) as raised:
        rules.promotion(None, TOT, None, PASSING_YEAR, rated())
    assert raised.value.what == ["learning", "sessions_absent"]
    with pytest.raises(InvalidValue) as negative:
        rules.promotion(TOT, TOT, -1, PASSING_YEAR, rated())
    assert negative.value.reason == "negative"
    with pytest.raises(TypeError):
        rules.promotion(TOT, TOT, True, PASSING_YEAR, rated())
    with pytest.raises(InvalidRating):
        rules.promotion("Trung bình", TOT, 0, PASSING_YEAR, rated())


def test_promotion_chua_dat_with_nothing_to_retake_is_inconsistent():
    """Only possible with fewer than 6 scored subjects (the literal "at least 6")."""
    with pytest.raises(InconsistentData):
        rules.promotion(CD, TOT, 0, scored(*["9.0"] * 5), rated())


def test_promotion_value_is_frozen_and_checked():
    with pytest.raises(ValueError):
        rules.Promotion("lên lớp", ("Toán",))
    with pytest.raises(ValueError):
        rules.Promotion("kiểm tra lại")
    with pytest.raises(ValueError):
        rules.Promotion("được khen")
    with pytest.raises(ValueError):  # both summer actions side by side (Art. 13–14)
        rules.Promotion("kiểm tra lại", ("Toán",), True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.Promotion("lên lớp").decision = "ở lại lớp"

"""Worked examples for the summer (Circular 22/2021, Articles 12–14), computed by hand.

The pupil is the grade-10 pupil of test_circular22.py: 9 scored subjects, 3 rated ones.
No database.
"""

from decimal import Decimal

import pytest

from grading import circular22 as rules
from grading import summer
from grading.errors import InconsistentData, InvalidRating, InvalidScore, MissingData

D = Decimal
TOT, KHA, DAT, CD = "Tốt", "Khá", "Đạt", "Chưa đạt"
SCORED = ["Ngữ văn", "Toán", "Ngoại ngữ 1", "Lịch sử", "GDQP&AN",
          "Vật lí", "Hoá học", "Sinh học", "Tin học"]
RATED = ["Giáo dục thể chất", "Hoạt động trải nghiệm, hướng nghiệp",
         "Nội dung giáo dục của địa phương"]


def scored(*averages: str) -> dict[str, Decimal]:
    return {name: D(value) for name, value in zip(SCORED, averages)}


def rated(failed: int = 0) -> dict[str, bool]:
    return {name: i >= failed for i, name in enumerate(RATED)}


def outcome(year_scored, year_rated, conduct, absent=0, reassessed=None, retests=None):
    """The year's decision by `circular22.promotion`, then the summer."""
    learning = rules.learning_result(year_scored, year_rated)
    year = rules.promotion(learning, conduct, absent, year_scored, year_rated)
    return summer.summer_outcome(
        year, learning, absent, year_scored, year_rated, reassessed, retests
    )


# Ngữ văn 4.0 and Toán 3.0 (two below 5.0, one below 3.5): Chưa đạt → re-tests in both.
WEAK = scored("4.0", "3.0", *["6.0"] * 7)
# Every scored subject 6.0 and two rated CĐ: Chưa đạt (Đạt allows one CĐ) → re-test both.
ONE_RATED_CD = (scored(*["6.0"] * 9), rated(2))


@pytest.mark.parametrize(
    ("year_scored", "year_rated", "conduct", "reassessed", "retests", "expected"),
    [
        # Art. 12.1: learning and conduct at least Đạt → lên lớp, no summer.
        pytest.param(scored(*["6.0"] * 9), rated(), KHA, None, None,
                     summer.SummerOutcome("none", "lên lớp"), id="no-summer"),
        # Art. 13.1: learning Chưa đạt, conduct Khá → re-tests in Ngữ văn 4.0 and Toán 3.0;
        # none recorded yet: still "kiểm tra lại".
        pytest.param(WEAK, rated(), KHA, None, None,
                     summer.SummerOutcome("awaiting_retests", "kiểm tra lại", ("Ngữ văn", "Toán")),
                     id="awaiting-retests"),
        # One of two recorded: the decision waits for the other.
        pytest.param(WEAK, rated(), KHA, None, {"Ngữ văn": "5.0"},
                     summer.SummerOutcome("awaiting_retests", "kiểm tra lại", ("Ngữ văn", "Toán")),
                     id="one-retest-of-two"),
        # Art. 13.2.a + Art. 9: Ngữ văn 5.0, Toán 5.5 replace 4.0 and 3.0; every average ≥ 5.0,
        # 9 subjects ≥ 5.0, none below 3.5 → Đạt (Khá needs 6 at 6.5: only 7 at 6.0, no) →
        # lên lớp.
        pytest.param(WEAK, rated(), KHA, None, {"Ngữ văn": "5.0", "Toán": "5,5"},
                     summer.SummerOutcome("done", "lên lớp", ("Ngữ văn", "Toán"), None, DAT),
                     id="retests-pass"),
        # Toán re-test 3.4 (< 3.5): Chưa đạt again → ở lại lớp; never a second re-test.
        pytest.param(WEAK, rated(), KHA, None, {"Ngữ văn": "7", "Toán": "3.4"},
                     summer.SummerOutcome("done", "ở lại lớp", ("Ngữ văn", "Toán"), None, CD),
                     id="retest-fails-repeats"),
        # Art. 13.2: the re-test replaces the year result even when lower. Year Ngữ văn 4.9,
        # Toán 3.0; re-test Ngữ văn 3.0 (< 4.9, < 3.5), Toán 9.0 → Chưa đạt → ở lại lớp.
        pytest.param(scored("4.9", "3.0", *["6.0"] * 7), rated(), DAT, None,
                     {"Ngữ văn": "3.0", "Toán": "9.0"},
                     summer.SummerOutcome("done", "ở lại lớp", ("Ngữ văn", "Toán"), None, CD),
                     id="lower-retest-replaces"),
        # Rated: two CĐ → Chưa đạt (Đạt allows one). Re-tests: first Đ, second CĐ → one CĐ
        # left, every average 6.0 ≥ 5.0, none below 3.5 → Đạt → lên lớp.
        pytest.param(*ONE_RATED_CD, DAT, None, {RATED[0]: "Đ", RATED[1]: "CĐ"},
                     summer.SummerOutcome("done", "lên lớp", tuple(RATED[:2]), None, DAT),
                     id="rated-retests-one-cd-left"),
        # Art. 9.3 after the re-tests. Year: eight subjects at 8.0, Toán 4.0, two rated CĐ →
        # Chưa đạt (no single subject lifts it two levels) → re-tests in Toán and both rated.
        # Re-tests Toán 4.0, Đ, Đ: all rated Đ, Toán 4.0 < 5.0 → Đạt by the table; with Toán
        # at 10 it would be Tốt (two levels up) → adjusted to Khá, caused by Toán.
        pytest.param(scored("8.0", "4.0", *["8.0"] * 7), rated(2), TOT, None,
                     {"Toán": "4.0", RATED[0]: True, RATED[1]: "đ"},
                     summer.SummerOutcome("done", "lên lớp", ("Toán", *RATED[:2]), None, KHA,
                                          "Toán"),
                     id="adjustment-after-retests"),
        # Art. 14: conduct Chưa đạt → training; not re-assessed yet.
        pytest.param(scored(*["6.0"] * 9), rated(), CD, None, None,
                     summer.SummerOutcome("awaiting_conduct", "rèn luyện trong kì nghỉ hè"),
                     id="awaiting-conduct"),
        # Re-assessed Đạt, learning Đạt → lên lớp (Art. 14 with Art. 12.1).
        pytest.param(scored(*["6.0"] * 9), rated(), CD, DAT, None,
                     summer.SummerOutcome("done", "lên lớp", (), DAT), id="training-passes"),
        # Re-assessed still Chưa đạt → ở lại lớp (Art. 12.2.b), whatever the learning.
        pytest.param(WEAK, rated(), CD, CD, None,
                     summer.SummerOutcome("done", "ở lại lớp", (), CD), id="training-fails"),
        # Both Chưa đạt: re-assessed Khá → only now the re-tests (Art. 13.1 "hoặc sau khi rèn
        # luyện trong kì nghỉ hè").
        pytest.param(WEAK, rated(), CD, KHA, None,
                     summer.SummerOutcome("awaiting_retests", "kiểm tra lại", ("Ngữ văn", "Toán"),
                                          KHA),
                     id="training-then-retests"),
        pytest.param(WEAK, rated(), CD, "đạt", {"Ngữ văn": "6", "Toán": "6"},
                     summer.SummerOutcome("done", "lên lớp", ("Ngữ văn", "Toán"), DAT, DAT),
                     id="training-then-retests-pass"),
    ],
)
def test_summer_outcome(year_scored, year_rated, conduct, reassessed, retests, expected):
    assert outcome(year_scored, year_rated, conduct, 0, reassessed, retests) == expected


def test_absences_over_45_have_no_summer():
    """Art. 12.2.c: 46 sessions → ở lại lớp; no re-test, no training."""
    result = outcome(WEAK, rated(), CD, absent=46)
    assert result == summer.SummerOutcome("none", "ở lại lớp")
    with pytest.raises(InconsistentData):
        outcome(WEAK, rated(), CD, absent=46, retests={"Toán": "5"})


@pytest.mark.parametrize(
    ("conduct", "reassessed", "retests", "message"),
    [
        # A pupil moving up has nothing to re-take.
        (KHA, None, {"Toán": "5"}, "không phải kiểm tra lại"),
        # Conduct re-assessment for a pupil not sent to training.
        (KHA, DAT, None, "không phải rèn luyện"),
        # A re-test before the conduct re-assessment (Art. 13.1 waits for it).
        (CD, None, {"Toán": "5"}, "Chưa đánh giá lại rèn luyện"),
        # Re-assessed Đạt, learning Đạt (all 6.0): no re-test.
        (CD, DAT, {"Toán": "5"}, "không phải kiểm tra lại"),
    ],
)
def test_summer_results_a_pupil_cannot_have(conduct, reassessed, retests, message):
    with pytest.raises(InconsistentData) as raised:
        outcome(scored(*["6.0"] * 9), rated(), conduct, 0, reassessed, retests)
    assert message in raised.value.message


def test_retest_in_a_subject_not_in_the_list_is_refused():
    with pytest.raises(InconsistentData) as raised:
        outcome(WEAK, rated(), KHA, retests={"Ngữ văn": "5", "Vật lí": "5"})
    assert raised.value.what == ["Vật lí"]


@pytest.mark.parametrize(
    ("value", "rated_subject", "expected"),
    [
        ("6,5", False, D("6.5")),
        ("0", False, D("0.0")),
        (10, False, D("10.0")),
        (D("7.50"), False, D("7.5")),
        ("Đ", True, True),
        (" cđ ", True, False),
        ("Chưa đạt", True, False),
        (False, True, False),
    ],
)
def test_parse_retest(value, rated_subject, expected):
    assert summer.parse_retest(value, rated_subject, "Toán") == expected


@pytest.mark.parametrize(
    ("value", "rated_subject", "error", "reason"),
    [
        ("10.5", False, InvalidScore, "out_of_range"),
        ("-1", False, InvalidScore, "not_a_number"),
        ("6,45", False, InvalidScore, "too_precise"),
        ("sáu", False, InvalidScore, "not_a_number"),
        (True, False, InvalidRating, "unknown_rating"),
        ("7", True, InvalidRating, "unknown_rating"),
        ("Tốt", True, InvalidRating, "unknown_rating"),
    ],
)
def test_parse_retest_refuses(value, rated_subject, error, reason):
    with pytest.raises(error) as raised:
        summer.parse_retest(value, rated_subject, "Toán")
    assert raised.value.reason == reason
    assert raised.value.message.startswith("Toán")


def test_parse_retest_blank_is_missing():
    with pytest.raises(MissingData):
        summer.parse_retest("  ", False, "Toán")


def test_a_bad_retest_score_is_refused_by_the_outcome_too():
    with pytest.raises(InvalidScore):
        outcome(WEAK, rated(), KHA, retests={"Ngữ văn": "11", "Toán": "5"})


def test_the_summer_is_never_kiem_tra_lai_twice():
    """Art. 13: after every re-test is in, the decision is final whatever the results."""
    for ngu_van in ("0", "3.4", "5", "10"):
        result = outcome(WEAK, rated(), KHA, retests={"Ngữ văn": ngu_van, "Toán": "0"})
        assert result.is_final and result.decision != "kiểm tra lại"

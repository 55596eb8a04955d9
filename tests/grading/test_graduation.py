"""Worked examples for the graduating years' averages (Circular 24/2024/TT-BGDĐT, Art. 41,
on Circular 22/2021's year averages), computed by hand. No database."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from grading import graduation as rules
from grading.errors import InvalidScore, MissingData

D = Decimal
REPO = Path(__file__).resolve().parents[2]


def test_the_module_imports_no_django():
    code = "import sys, grading.graduation, grading.exemptions; print('django' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=REPO, capture_output=True, text=True
    )
    assert out.stdout.strip() == "False", out.stderr


# The year's overall average: the mean of the scored subjects' year averages (one decimal
# each, as printed), to two decimals, halves up (Circular 24/2024 Art. 41 on ĐTBcn).
@pytest.mark.parametrize(
    "averages, expected",
    [
        # 7.5 + 8.0 + 6.5 + 7.0 + 8.5 + 7.0 + 7.5 + 8.2 = 60.2; / 8 = 7.525 exactly → 7.53
        # (the exact half-hundredth rounds up; a float's round(7.525, 2) gives 7.52)
        (["7.5", "8.0", "6.5", "7.0", "8.5", "7.0", "7.5", "8.2"], "7.53"),
        # 30.1 / 4 = 7.525 → 7.53: the same half with four subjects
        (["7.5", "7.5", "7.5", "7.6"], "7.53"),
        # 8 × 8.0 + 7.0 = 71.0; / 9 = 7.888… → 7.89
        (["8.0"] * 8 + ["7.0"], "7.89"),
        # 6 × 6.0 + 6.1 = 42.1; / 7 = 6.0142… → 6.01 (down)
        (["6.0"] * 6 + ["6.1"], "6.01"),
        # 60.0 / 8 = 7.5 → printed with two decimals, 7.50
        (["7.5"] * 8, "7.50"),
        # 9.9 + 10 + 9.8 = 29.7; / 3 = 9.9 → 9.90; ints and the decimal comma are read too
        (["9,9", 10, "9.8"], "9.90"),
        # one subject: its own average
        (["0.0"], "0.00"),
    ],
)
def test_year_overall_average(averages, expected):
    mapping = {f"Môn {i}": value for i, value in enumerate(averages, start=1)}
    result = rules.year_overall_average(mapping)
    assert result == D(expected) and str(result) == expected


def test_a_missing_subject_average_names_it_and_an_empty_year_is_missing():
    with pytest.raises(MissingData) as error:
        rules.year_overall_average({"Toán": "7.0", "Ngữ văn": None, "Lịch sử": " "})
    assert error.value.what == ["Ngữ văn", "Lịch sử"]
    with pytest.raises(MissingData) as error:
        rules.year_overall_average({})
    assert error.value.what == ["scored"]


@pytest.mark.parametrize("value", ["6.45", "10.5", "-1", "abc"])
def test_an_unrounded_or_impossible_subject_average_is_refused(value):
    with pytest.raises(InvalidScore):
        rules.year_overall_average({"Toán": value, "Ngữ văn": "7.0"})


def test_floats_are_refused():
    with pytest.raises(TypeError):
        rules.year_overall_average({"Toán": 7.5})
    with pytest.raises(TypeError):
        rules.three_year_average(7.0, D("7.00"), D("7.00"))


# The three-year average, 1 : 2 : 3 over 6 (Circular 24/2024 Art. 41), from the three year
# figures as printed, to two decimals, halves up.
@pytest.mark.parametrize(
    "grade10, grade11, grade12, expected",
    [
        # 7.00 + 2 × 7.00 + 3 × 7.01 = 42.03; / 6 = 7.005 exactly → 7.01 (half up)
        ("7.00", "7.00", "7.01", "7.01"),
        # 6.25 + 12.50 + 18.78 = 37.53; / 6 = 6.255 exactly → 6.26 (half up)
        ("6.25", "6.25", "6.26", "6.26"),
        # 6.50 + 14.40 + 24.30 = 45.20; / 6 = 7.5333… → 7.53
        ("6.50", "7.20", "8.10", "7.53"),
        # 9.12 + 16.90 + 23.67 = 49.69; / 6 = 8.2816… → 8.28
        ("9.12", "8.45", "7.89", "8.28"),
        # 5.00 + 12.00 + 21.00 = 38.00; / 6 = 6.333… → 6.33: grade 12 weighs most
        ("5.00", "6.00", "7.00", "6.33"),
        # the reverse: 7.00 + 12.00 + 15.00 = 34.00; / 6 = 5.666… → 5.67
        ("7.00", "6.00", "5.00", "5.67"),
        # equal years: the figure itself
        ("8.00", "8.00", "8.00", "8.00"),
        # a decimal comma as printed, one decimal, a whole number
        # 7.5 + 16 + 27.75 = 51.25; / 6 = 8.5416… → 8.54
        ("7,5", "8", "9.25", "8.54"),
    ],
)
def test_three_year_average(grade10, grade11, grade12, expected):
    result = rules.three_year_average(grade10, grade11, grade12)
    assert result == D(expected) and str(result) == expected


@pytest.mark.parametrize(
    "grade10, grade11, missing",
    [
        # a pupil who came from another school in grade 11: grade 10 is not held here
        (None, "7.00", ["điểm trung bình cả năm lớp 10"]),
        # … in grade 12: both earlier years missing, both named
        (None, "", ["điểm trung bình cả năm lớp 10", "điểm trung bình cả năm lớp 11"]),
    ],
)
def test_a_missing_year_leaves_the_average_blank_never_zero(grade10, grade11, missing):
    with pytest.raises(MissingData) as error:
        rules.three_year_average(grade10, grade11, D("8.00"))
    assert error.value.what == missing
    assert "lớp 10" in error.value.message


@pytest.mark.parametrize("value", ["7.535", "10.01", "-0.5", "bảy"])
def test_a_year_figure_with_three_decimals_or_out_of_range_is_refused(value):
    with pytest.raises(InvalidScore):
        rules.three_year_average(value, "7.00", "7.00")


@pytest.mark.parametrize(
    "value, expected",
    [(D("7.525"), "7.53"), (D("7.515"), "7.52"), (D("7.5249"), "7.52"), (D("9.995"), "10.00")],
)
def test_round_hundredth_rounds_halves_up(value, expected):
    assert str(rules.round_hundredth(value)) == expected

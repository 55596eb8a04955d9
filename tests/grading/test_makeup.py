"""Worked examples for make-up assessments (Circular 22 Article 6). No database."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from grading import circular22, makeup


@pytest.mark.parametrize(
    ("rated", "expected"),
    [
        (False, Decimal("0.0")),  # Art. 6: no make-up taken, scored subject → 0
        (True, False),  # Art. 6: no make-up taken, rated subject → Chưa đạt
    ],
)
def test_an_assessment_missed_without_a_make_up(rated, expected):
    assert makeup.missed_result(rated) == expected
    assert type(makeup.missed_result(rated)) is type(expected)


def test_the_missed_0_counts_in_the_average():
    # Art. 6 + Art. 9: (8 + 0 + 8 + 8 + 2 × 6 + 3 × 8) / 9 = 60 / 9 = 6.67 → 6.7
    regular = ["8", makeup.missed_result(False), "8", "8"]
    average = circular22.subject_term_average(regular, "6", "8", expected_regular=4)
    assert average == Decimal("6.7")


def test_a_missed_rated_assessment_makes_the_subject_cd():
    # Art. 6 + Art. 9: Đ, CĐ (missed), Đ, Đ → CĐ for the term
    assessments = [True, makeup.missed_result(True), True, True]
    assert circular22.term_rated_result(assessments) is False


def test_rated_must_be_a_bool():
    with pytest.raises(TypeError):
        makeup.missed_result("yes")


def test_the_module_imports_no_django():
    code = (
        "import sys; import grading.makeup;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], check=True)

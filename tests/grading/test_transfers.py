"""Worked examples for the transferred-in and personal-plan rules (grading/transfers.py).
No database: these run with `-p no:django`."""

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from grading import circular22
from grading import transfers as rules
from grading.errors import InvalidScore, InvalidValue, MissingData

D = Decimal
REPO = Path(__file__).resolve().parents[2]
TERM1 = (date(2026, 9, 5), date(2027, 1, 16))


def test_the_rules_import_no_django():
    code = (
        "import sys; import grading.transfers;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


@pytest.mark.parametrize(
    ("enrolments", "published", "here"),
    [
        # Joined on term II's first day: term I (5/9–16/1) was the previous school's.
        pytest.param([(date(2027, 1, 18), None)], False, False, id="joined-in-term-ii"),
        # Joined the day after term I's last day: still not here in term I.
        pytest.param([(date(2027, 1, 17), None)], False, False, id="joined-day-after-term-i"),
        # Joined on term I's last day: one day of overlap is "here" (reading chosen).
        pytest.param([(date(2027, 1, 16), None)], False, True, id="joined-on-term-i-last-day"),
        # Enrolled in September, still here: term I is this school's own.
        pytest.param([(date(2026, 9, 5), None)], False, True, id="here-all-year"),
        # Left in August, came back in term II: the August enrolment ended before term I.
        pytest.param([(date(2026, 6, 1), date(2026, 8, 31)), (date(2027, 2, 1), None)], False,
                     False, id="left-before-term-i-came-back"),
        # Left mid-term I and came back: that enrolment overlaps term I.
        pytest.param([(date(2026, 9, 5), date(2026, 10, 1)), (date(2027, 2, 1), None)], False,
                     True, id="left-mid-term-i"),
        # No enrolment in the term, but grades published in it: the grade book is the record.
        pytest.param([(date(2027, 1, 18), None)], True, True, id="published-grades-in-term"),
        pytest.param([], False, False, id="no-enrolment-at-all"),
    ],
)
def test_was_here(enrolments, published, here):
    """Art. 9–12 compute the year from both terms; a term the pupil was here is this school's
    to assess, so only another term may be copied from the previous school's record."""
    assert rules.was_here(TERM1, enrolments, published) is here


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("7,5", D("7.5"), id="decimal-comma"),  # Art. 5: one decimal
        pytest.param("8", D("8.0"), id="whole-number"),
        pytest.param(D("10"), D("10.0"), id="ten"),
        pytest.param("0", D("0.0"), id="zero"),
    ],
)
def test_a_copied_average_is_read_like_any_score(value, expected):
    assert rules.copied_score(value) == expected


@pytest.mark.parametrize(
    ("value", "error", "reason"),
    [
        pytest.param("10,5", InvalidScore, "out_of_range", id="above-ten"),
        pytest.param("-1", InvalidScore, "not_a_number", id="negative-text"),
        pytest.param("7,25", InvalidScore, "too_precise", id="two-decimals"),
        pytest.param("tám", InvalidScore, "not_a_number", id="words"),
        pytest.param("", MissingData, None, id="blank"),
    ],
)
def test_a_copied_average_outside_0_10_or_with_two_decimals_is_refused(value, error, reason):
    with pytest.raises(error) as raised:
        rules.copied_score(value)
    assert getattr(raised.value, "reason", None) == reason
    assert "kết quả học kì i" in raised.value.message.casefold()


def test_copied_absences_are_whole_and_not_negative():
    assert rules.copied_absences(0) == 0
    assert rules.copied_absences(12) == 12
    with pytest.raises(InvalidValue):
        rules.copied_absences(-1)
    with pytest.raises(TypeError):
        rules.copied_absences("3")


@pytest.mark.parametrize(
    ("promoted", "expected"),
    [
        # Circular 22 Art. 12.4 / Circular 27 Art. 11: the principal decides; the computation
        # is only the proposal, so no decision yet is pending, never the computed one.
        pytest.param(None, rules.PENDING, id="not-decided-is-pending"),
        pytest.param(True, circular22.LEN_LOP, id="promoted"),
        pytest.param(False, circular22.O_LAI_LOP, id="not-promoted"),
    ],
)
def test_the_principals_decision(promoted, expected):
    assert rules.principal_decision(promoted) == expected


def test_the_principals_decision_is_a_bool():
    with pytest.raises(TypeError):
        rules.principal_decision("yes")

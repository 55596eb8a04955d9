"""Worked examples for absences on the one-session plan (Circular 22 Article 12.1.c: "nghỉ
học không quá 45 buổi … tính theo kế hoạch giáo dục 01 buổi/ngày"), counted by hand.

No database: these run with `-p no:django`.
"""

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from grading import absences, circular22
from grading.absences import AFTERNOON, DISTINCT_DAYS, MORNING, OnePlanAbsences, count_absences
from grading.errors import InconsistentData, InvalidValue

REPO = Path(__file__).resolve().parents[2]
M, A = MORNING, AFTERNOON
YES, NO = True, False  # with leave / without


# A pupil whose results move them up: only the absences decide.
SCORED = {name: "7.0" for name in ("Ngữ văn", "Toán", "Ngoại ngữ 1", "Lịch sử", "Vật lí", "Tin học")}
RATED = {"Giáo dục thể chất": True}


def day(n: int) -> datetime.date:
    """The n-th school day (weekends do not matter to the count)."""
    return datetime.date(2026, 9, 7) + datetime.timedelta(days=n)


def whole_days(count: int, with_leave: bool = True, start: int = 0) -> list:
    """`count` whole days missed at a two-session school: morning and afternoon each."""
    return [(day(start + n), s, with_leave) for n in range(count) for s in (M, A)]


def mornings(count: int, with_leave: bool = True, start: int = 0) -> list:
    return [(day(start + n), M, with_leave) for n in range(count)]


def afternoons(count: int, with_leave: bool = True, start: int = 0) -> list:
    return [(day(start + n), A, with_leave) for n in range(count)]


def test_the_module_imports_no_django():
    code = (
        "import sys; import grading.absences;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


@pytest.mark.parametrize(
    ("absent", "plan", "expected"),
    [
        # The issue's case, Art. 12.1.c: 23 whole days at a two-session school are 46 sessions
        # in the register but 23 on the one-session plan (distinct days) …
        (whole_days(23), DISTINCT_DAYS, (23, 0)),
        # … and 23 when the morning carries the plan (the 23 afternoons are the extra session).
        (whole_days(23), MORNING, (23, 0)),
        (whole_days(23), AFTERNOON, (23, 0)),
        # A one-session school (mornings only) counts exactly as before: every absent session
        # is its own day, whichever plan is set to match it.
        (mornings(30, YES) + mornings(7, NO, start=30), DISTINCT_DAYS, (30, 7)),
        (mornings(30, YES) + mornings(7, NO, start=30), MORNING, (30, 7)),
        # An afternoon-shift class of a one-session school: distinct days still count it all.
        (afternoons(12, NO), DISTINCT_DAYS, (0, 12)),
        # Distinct days: a missed half-day counts a whole session of the plan (10 mornings,
        # 10 other afternoons → 20; the same 10 days' mornings and afternoons → 10).
        (mornings(10) + afternoons(10, start=10), DISTINCT_DAYS, (20, 0)),
        (mornings(10) + afternoons(10), DISTINCT_DAYS, (10, 0)),
        # The curriculum's session: only that session's absences count (10 mornings missed,
        # 10 afternoons missed on other days → 10 with the morning, 10 with the afternoon).
        (mornings(10) + afternoons(10, start=10), MORNING, (10, 0)),
        (mornings(10) + afternoons(10, start=10), AFTERNOON, (10, 0)),
        (afternoons(40, NO), MORNING, (0, 0)),
        # A day with the morning excused and the afternoon not: one session, without leave.
        ([(day(0), M, YES), (day(0), A, NO)], DISTINCT_DAYS, (0, 1)),
        ([(day(0), A, NO), (day(0), M, YES)], DISTINCT_DAYS, (0, 1)),  # order does not matter
        # With the morning as the plan's session, that day's plan session was excused.
        ([(day(0), M, YES), (day(0), A, NO)], MORNING, (1, 0)),
        ([], DISTINCT_DAYS, (0, 0)),
    ],
)
def test_count_on_the_one_session_plan(absent, plan, expected):
    counted = count_absences(absent, plan)
    assert (counted.with_leave, counted.without_leave) == expected
    assert counted.total == sum(expected)


@pytest.mark.parametrize(
    ("absent", "decision"),
    [
        # Art. 12.1.c: "không quá 45 buổi": 45 days on the plan still move up, 46 do not —
        # at a two-session school that is 90 and 92 sessions in the register.
        (whole_days(45, YES), circular22.LEN_LOP),
        (whole_days(40, YES) + whole_days(5, NO, start=40), circular22.LEN_LOP),
        (whole_days(46, YES), circular22.O_LAI_LOP),
        (whole_days(45, YES) + mornings(1, NO, start=45), circular22.O_LAI_LOP),  # a half-day
        (whole_days(23, YES), circular22.LEN_LOP),  # the issue's pupil
    ],
)
def test_the_45_session_limit_is_on_the_plan(absent, decision):
    counted = count_absences(absent, DISTINCT_DAYS)
    result = circular22.promotion(circular22.KHA, circular22.TOT, counted.total, SCORED, RATED)
    assert result.decision == decision


def test_the_issue_pupil_was_held_back_when_every_session_counted():
    """Counting the register's 46 sessions (the old count) crosses the limit of Art. 12.1.c."""
    register = len(whole_days(23))
    assert register == 46
    decision = circular22.promotion(circular22.KHA, circular22.TOT, register, SCORED, RATED)
    assert decision.decision == circular22.O_LAI_LOP


@pytest.mark.parametrize(
    ("plan", "grade", "expected"),
    [
        (MORNING, 6, MORNING),  # grades 6–12: the school's setting (Art. 12.1.c)
        (AFTERNOON, 12, AFTERNOON),
        (DISTINCT_DAYS, 9, DISTINCT_DAYS),
        (MORNING, 1, DISTINCT_DAYS),  # grades 1–5: the record's "Số ngày nghỉ", days
        (AFTERNOON, 5, DISTINCT_DAYS),
    ],
)
def test_plan_for_grade(plan, grade, expected):
    assert absences.plan_for_grade(plan, grade) == expected


def test_an_unknown_plan_or_session_is_refused():
    with pytest.raises(InvalidValue) as plan:
        count_absences([], "evening")
    assert plan.value.reason == "unknown_plan"
    with pytest.raises(InvalidValue) as session:
        count_absences([(day(0), "evening", True)], DISTINCT_DAYS)
    assert session.value.reason == "unknown_session"
    assert session.value.message.startswith("Buổi học")


def test_a_session_given_twice_is_refused():
    with pytest.raises(InconsistentData):
        count_absences([(day(0), M, True), (day(0), M, False)], DISTINCT_DAYS)


def test_counts_are_a_value():
    assert OnePlanAbsences(2, 3).total == 5

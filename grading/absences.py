"""Absences counted on the one-session plan (Circular 22 Article 12.1.c).

Article 12.1.c lets a pupil move up who "nghỉ học không quá 45 buổi trong một năm học (nghỉ có
phép hoặc không phép, nghỉ liên tục hoặc nghỉ nhiều lần cộng lại, tính theo kế hoạch giáo dục
01 buổi/ngày)". Attendance is kept per session (buổi: morning, afternoon); a school that teaches
two sessions a day (dạy học 2 buổi/ngày) must not count each of them, or a pupil who missed 23
whole days (46 sessions) would be held back. This module turns a pupil's absent sessions into
the count on the one-session plan, with and without leave. Pure Python: no Django.

A school chooses how (its setting, `school.models.School.absence_plan`):

- `DISTINCT_DAYS` ("days"): each day on which the pupil missed any session counts one session
  of the plan. A missed half-day counts as a whole one: the circular counts whole sessions
  (never halves), a two-session school's compulsory lessons of a day are spread over both of
  its sessions, so a pupil who missed either missed part of that day's plan, and a one-session
  school (one session a day, so every absent session is its own day) counts exactly as it
  did. A day with one session with leave and one without counts as *without* leave: the
  unexcused half is the fact the record must keep (only a day excused throughout is "có
  phép"); the total, which decides promotion, is the same either way.
- `MORNING` / `AFTERNOON`: the named session carries the one-session plan (the timetable puts
  the curriculum there, the other session holds the extra lessons); only absences from that
  session count, each one session. For a two-session school only: at a one-session school
  whose classes sit in the other session nothing would count.

Grades 1–5 have no absence limit; their record asks for days absent ("Số ngày nghỉ"), so
their cards count `DISTINCT_DAYS` whatever the setting (`plan_for_grade`).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from grading.errors import InconsistentData, InvalidValue

MORNING = "morning"
AFTERNOON = "afternoon"
SESSIONS = (MORNING, AFTERNOON)
DISTINCT_DAYS = "days"
PLANS = (DISTINCT_DAYS, MORNING, AFTERNOON)

# One absent session: (the day, "morning" | "afternoon", True when with leave).
Absence = tuple[datetime.date, str, bool]


@dataclass(frozen=True, slots=True)
class OnePlanAbsences:
    """Sessions missed on the one-session plan: with leave (có phép), without (không phép)."""

    with_leave: int = 0
    without_leave: int = 0

    @property
    def total(self) -> int:
        """What Article 12.1.c compares with 45."""
        return self.with_leave + self.without_leave


def plan_for_grade(plan: str, grade: int) -> str:
    """The plan a class of `grade` counts by: the school's for grades 6–12, distinct days for
    grades 1–5 (Circular 27's record counts days, and has no limit for the plan to decide)."""
    _check_plan(plan)
    return DISTINCT_DAYS if 1 <= grade <= 5 else plan


def count_absences(absences: Iterable[Absence], plan: str) -> OnePlanAbsences:
    """A pupil's absences on the one-session plan under `plan` (one of `PLANS`).

    `absences` holds each absent session once, in any order. Raises `InvalidValue` for an
    unknown plan or session and `InconsistentData` for a session given twice (the register
    holds one mark per pupil, day and session)."""
    _check_plan(plan)
    days: dict[datetime.date, bool] = {}  # day -> excused throughout
    seen: set[tuple[datetime.date, str]] = set()
    for day, session, with_leave in absences:
        if session not in SESSIONS:
            raise InvalidValue("session", session, "unknown_session")
        if (day, session) in seen:
            raise InconsistentData(
                ["session"], f"Buổi {session} ngày {day:%d/%m/%Y} được ghi hai lần."
            )
        seen.add((day, session))
        if plan != DISTINCT_DAYS and session != plan:
            continue  # the extra session of a two-session day: not on the plan
        days[day] = days.get(day, True) and bool(with_leave)
    excused = sum(days.values())
    return OnePlanAbsences(with_leave=excused, without_leave=len(days) - excused)


def _check_plan(plan: str) -> None:
    if plan not in PLANS:
        raise InvalidValue("absence_plan", plan, "unknown_plan")

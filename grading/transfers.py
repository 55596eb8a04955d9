"""Two year-end cases the computation alone does not settle: a pupil who transferred in with a
term's results from the previous school, and a pupil with a disability whose promotion is the
principal's decision. Pure functions, no Django.

Pupils who transferred in (Circular 22 Art. 9–12, Circular 27 Art. 10): a pupil who joined in
term II has no term I grades here; the year result needs them (ĐTBmcn = (ĐTBmhkI + 2 ×
ĐTBmhkII) / 3, the year's conduct from both terms, the year's absences). The school copies
them from the previous school's record (học bạ), and only for a term the pupil was NOT here:
a term in which the pupil had an enrolment in this school, or has published grades, is this
school's to assess (reading chosen: any day of overlap counts as "here", since even one
day's enrolment makes the school's own grade book the record for that term).

Pupils with disabilities (Circular 22 Art. 12.4, Circular 27 Art. 11, as the issue cites
them): a pupil assessed under a personal education plan (kế hoạch giáo dục cá nhân) is
promoted, or completes the grade, by the principal's decision; the computed decision is only
the proposal. Until the principal decides, the decision is pending, never the computation.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from grading import circular22
from grading.errors import InvalidValue

Span = tuple[datetime.date, datetime.date | None]  # an enrolment: first day, last day or None


def was_here(term: tuple[datetime.date, datetime.date], enrolments: Iterable[Span],
             has_published_grades: bool) -> bool:
    """Was the pupil at this school during the term (first day, last day)? True when one of
    the pupil's enrolments in this school shares at least one day with the term (an open
    enrolment, last day None, runs on), or the pupil has published grades in it."""
    start, end = term
    if has_published_grades:
        return True
    return any(first <= end and (last is None or last >= start) for first, last in enrolments)


def copied_score(value) -> Decimal:
    """A term average copied from the previous school's record, read as Circular 22 Art. 5
    reads any score: 0–10, a whole number or one decimal ("7,5"). Raises `InvalidScore` /
    `MissingData` like `circular22.parse_score`."""
    return circular22.parse_score(value, "term1")


def copied_absences(value) -> int:
    """Sessions (grades 6–12) or days (grades 1–5) absent in the copied term: a whole number,
    not negative."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("absences must be an int")
    if value < 0:
        raise InvalidValue("sessions_absent", value, "negative")
    return value


PENDING = "pending"


def principal_decision(promoted: bool | None) -> str:
    """What a pupil under a personal education plan gets: the principal's decision once made
    (True: promoted / completes, False: not), else PENDING — never the computed proposal."""
    if promoted is None:
        return PENDING
    if not isinstance(promoted, bool):
        raise TypeError("promoted must be a bool or None")
    return circular22.LEN_LOP if promoted else circular22.O_LAI_LOP


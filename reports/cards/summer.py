"""The summer on a year card (Circular 22, Articles 12–14): the re-test result per subject
("Điểm hoặc mức đánh giá lại"), learning and conduct after the summer ("Mức đánh giá sau khi
rèn luyện trong kì nghỉ hè; kiểm tra, đánh giá lại") and the final decision, from the rows
`load_summer` reads for the whole class in two queries. The rules are `grading/summer.py`."""

import dataclasses
from dataclasses import dataclass, field

from contactbook.models import RetestResult, SummerConduct
from grading import circular22
from grading import summer as rules
from reports.cards.model import LEVEL_CODES, PROMOTION_CODES, SubjectLine, code_of, decision_words
from reports.cards.printing import _average_text, _average_value, _result_text, _rule


@dataclass
class SummerRows:
    """A class's summer rows: re-assessed conduct by pupil, re-test results by pupil and
    subject ((value, passed): a Decimal score or Đ/CĐ)."""

    conduct: dict = field(default_factory=dict)  # student_id -> rating
    retests: dict = field(default_factory=dict)  # (student_id, subject_id) -> (value, passed)


def load_summer(student_ids: list[int], school_year_id: int) -> SummerRows:
    """The class's summer rows: two queries, whatever the class size."""
    conduct = SummerConduct.objects.filter(
        student__in=student_ids, school_year_id=school_year_id
    ).values_list("student_id", "rating")
    retests = RetestResult.objects.filter(
        student__in=student_ids, school_year_id=school_year_id
    ).values_list("student_id", "subject_id", "value", "passed")
    return SummerRows(
        conduct=dict(conduct),
        retests={(s, subject): (value, passed) for s, subject, value, passed in retests},
    )


def retest_text(value, passed) -> str:
    """A re-test result as printed: a score with a decimal comma, or Đ / CĐ."""
    return _result_text(passed) if value is None else _average_text(value)


def summer_columns(
    pupil_id: int,
    subjects: list,
    names: dict[int, str],
    lines: list[SubjectLine],
    learning: str,
    conduct: str,
    sessions_absent: int,
    scored: dict,
    rated: dict,
    decision: circular22.Promotion | None,
    rows: SummerRows | None,
    grade: int,
    missing: list,
) -> tuple[list[SubjectLine], dict]:
    """The year card's lines with their re-test results, and the card's summer fields (empty
    when the pupil has no summer or its rows are not loaded). A rule that refuses the rows
    (e.g. the year's results changed after a re-test was recorded) leaves the columns blank and
    says why in `missing`."""
    if rows is None or decision is None:
        return lines, {}
    ids = {names[s.pk]: s.pk for s in subjects}
    retests = {
        names[s.pk]: (passed if value is None else value)
        for s in subjects
        if (pupil_id, s.pk) in rows.retests
        for value, passed in [rows.retests[(pupil_id, s.pk)]]
    }
    reassessed = rows.conduct.get(pupil_id)
    if decision.is_final and not retests and not reassessed:
        return lines, {"summer_stage": rules.NO_SUMMER}
    outcome = _rule(
        rules.summer_outcome,
        (decision, learning, sessions_absent, scored, rated, reassessed, retests),
        "Kết quả sau kì nghỉ hè",
        missing,
    )
    if outcome is None:
        return lines, {}
    lines = [
        dataclasses.replace(
            line,
            subject_id=s.pk,
            retest=retest_text(*rows.retests[(pupil_id, s.pk)]),
            retest_value=_average_value(rows.retests[(pupil_id, s.pk)][0]),
        )
        if (pupil_id, s.pk) in rows.retests
        else dataclasses.replace(line, subject_id=s.pk)
        for s, line in zip(subjects, lines)
    ]
    code = code_of(outcome.decision, PROMOTION_CODES) if outcome.is_final else None
    # Once the summer has decided, the result it did not re-assess is the year's: a pupil who
    # only trained keeps the year's learning, one who only re-took tests the year's conduct.
    learning_after = outcome.learning or (learning if code else "")
    conduct_after = outcome.conduct or (conduct if code else "")
    return lines, {
        "summer_learning": learning_after,
        "summer_conduct": conduct_after,
        "summer_promotion": decision_words(code, grade) if code else "",
        "summer_stage": outcome.stage,
        "summer_learning_code": code_of(learning_after, LEVEL_CODES),
        "summer_conduct_code": code_of(conduct_after, LEVEL_CODES),
        "summer_promotion_code": code,
        "retake_subject_ids": tuple(ids[name] for name in outcome.retake_subjects),
    }

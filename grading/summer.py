"""The summer of grades 6–12 (Circular 22/2021, Articles 12–14): after the year closes.

Pure functions; no Django. The year's decision comes from `circular22.promotion`; this module
takes it through the summer to the final decision:

- Art. 14: a pupil whose year conduct is Chưa đạt trains over the summer (rèn luyện trong kì
  nghỉ hè); the homeroom teacher then re-assesses the conduct, which *replaces* the year's
  conduct. Re-assessed Chưa đạt → ở lại lớp (Art. 12.2.b); Đạt or above → lên lớp, or, when
  the learning result is Chưa đạt, re-tests in the failed subjects (Art. 13.1: "kết quả rèn
  luyện cả năm (hoặc sau khi rèn luyện trong kì nghỉ hè) được đánh giá mức Đạt trở lên").
- Art. 13: a re-test result replaces that subject's year result ("lấy kết quả bài kiểm tra
  lại thay cho ĐTBmcn" / "thay cho kết quả đánh giá cả năm"), even when it is lower; the
  learning result is assessed again with Art. 9's table and its adjustment; Đạt or above →
  lên lớp, otherwise ở lại lớp (Art. 12.2.a). There is no second re-test: the decision after
  the re-tests is always final.

Inputs: a scored subject's re-test is a score as `circular22.parse_score` reads it (0–10, at
most one decimal; "6,5" accepted, "6,45" and 11 refused with `InvalidScore`); a rated
subject's is True / False or the text "Đ" / "CĐ".
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from grading.circular22 import (
    CHUA_DAT,
    KIEM_TRA_LAI,
    LEN_LOP,
    LEVELS,
    O_LAI_LOP,
    REN_LUYEN_TRONG_HE,
    Promotion,
    Score,
    assess_learning,
    parse_level,
    parse_score,
    promotion_after_training,
)
from grading.errors import InconsistentData, InvalidRating, MissingData

RATED_RESULTS = {"đ": True, "đạt": True, "cđ": False, "chưa đạt": False}

# Where a pupil's summer stands (`SummerOutcome.stage`).
NO_SUMMER = "none"  # the year's decision was final (lên lớp / ở lại lớp)
AWAITING_CONDUCT = "awaiting_conduct"  # sent to training, conduct not re-assessed yet
AWAITING_RETESTS = "awaiting_retests"  # some re-test results not recorded yet
DONE = "done"  # the final decision is known


def parse_retest(value: Score | bool | None, rated: bool, what: str) -> Decimal | bool:
    """A re-test result for the subject named `what`: a Decimal score (scored subject) or a
    bool (rated: True = Đ). Raises `MissingData` for None or blank, `InvalidScore` for a
    score outside 0–10, with two decimals or not a number, `InvalidRating` for a rated
    result other than Đ / CĐ (or a score given for a rated subject)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MissingData(what)
    if not rated:
        if isinstance(value, bool):
            raise InvalidRating(what, "Đ" if value else "CĐ", ["một điểm từ 0 đến 10"])
        return parse_score(value, what)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        folded = unicodedata.normalize("NFC", value.strip()).casefold()
        if folded in RATED_RESULTS:
            return RATED_RESULTS[folded]
    raise InvalidRating(what, value, ["Đ", "CĐ"])


@dataclass(frozen=True)
class SummerOutcome:
    """Where a pupil's summer stands, and its results so far.

    `decision` is a `circular22` decision: "lên lớp" / "ở lại lớp" when final (`is_final`),
    "rèn luyện trong kì nghỉ hè" while the conduct waits to be re-assessed, "kiểm tra lại"
    while some re-test results are missing (`retake_subjects` lists all of them, recorded or
    not). `conduct` is the re-assessed conduct (None when the pupil did not train or it is not
    recorded); `learning` the learning result assessed again after the re-tests (None until
    every re-test is in), with `adjusted_for` the subject of an Art. 9.3 adjustment.
    """

    stage: str
    decision: str
    retake_subjects: tuple[str, ...] = ()
    conduct: str | None = None
    learning: str | None = None
    adjusted_for: str | None = None

    @property
    def is_final(self) -> bool:
        return self.decision in (LEN_LOP, O_LAI_LOP)


def _after_retests(
    retake: tuple[str, ...],
    scored_year: Mapping[str, Score | None],
    rated_year: Mapping[str, bool | None],
    retests: Mapping[str, object],
    conduct: str | None,
) -> SummerOutcome:
    extra = [name for name in retests if name not in retake]
    if extra:
        raise InconsistentData(
            extra, "Không có môn này trong danh sách kiểm tra lại: " + ", ".join(extra) + "."
        )
    missing = [name for name in retake if retests.get(name) is None]
    if missing:  # the decision waits for every re-test (a pupil who did not sit gets 0 / CĐ)
        return SummerOutcome(AWAITING_RETESTS, KIEM_TRA_LAI, retake, conduct)
    scored = dict(scored_year)
    rated = dict(rated_year)
    for name in retake:
        if name in rated:
            rated[name] = parse_retest(retests[name], True, name)
        elif name in scored:
            scored[name] = parse_retest(retests[name], False, name)
        else:
            raise InconsistentData([name], f"Môn {name} không có trong kết quả cả năm.")
    assessed = assess_learning(scored, rated)
    decision = O_LAI_LOP if assessed.result == CHUA_DAT else LEN_LOP
    return SummerOutcome(
        DONE, decision, retake, conduct, assessed.result, assessed.adjusted_for
    )


def summer_outcome(
    year: Promotion,
    learning: str | None,
    sessions_absent: int | None,
    scored_year: Mapping[str, Score | None],
    rated_year: Mapping[str, bool | None],
    reassessed_conduct: str | None = None,
    retests: Mapping[str, Score | bool | None] | None = None,
) -> SummerOutcome:
    """The pupil's summer from the year's decision `year` (`circular22.promotion` of the same
    `learning`, absences and year results), the conduct re-assessed after summer training
    and the re-test results recorded so far (subject name → score or Đ/CĐ).

    Raises `InconsistentData` for a summer result the pupil cannot have: a re-assessed conduct
    for a pupil not sent to training; a re-test for a pupil with no re-tests, before the
    conduct re-assessment of a pupil sent to training, or in a subject not in their list.
    Bad values raise `InvalidScore` / `InvalidRating`.
    """
    retests = {k: v for k, v in (retests or {}).items() if v is not None}
    conduct = None if reassessed_conduct in (None, "") else parse_level(
        reassessed_conduct, "conduct"
    )
    if year.decision == REN_LUYEN_TRONG_HE:
        if conduct is None:
            if retests:
                raise InconsistentData(
                    list(retests),
                    "Chưa đánh giá lại rèn luyện sau kì nghỉ hè: chưa thể kiểm tra lại.",
                )
            return SummerOutcome(AWAITING_CONDUCT, REN_LUYEN_TRONG_HE, conduct=None)
        after = promotion_after_training(
            learning, conduct, sessions_absent, scored_year, rated_year
        )
        if after.decision != KIEM_TRA_LAI:
            if retests:
                raise InconsistentData(list(retests), "Học sinh không phải kiểm tra lại.")
            return SummerOutcome(DONE, after.decision, conduct=conduct)
        return _after_retests(after.retake_subjects, scored_year, rated_year, retests, conduct)
    if conduct is not None:
        raise InconsistentData(
            ["conduct"], "Học sinh không phải rèn luyện trong kì nghỉ hè."
        )
    if year.decision == KIEM_TRA_LAI:
        return _after_retests(year.retake_subjects, scored_year, rated_year, retests, None)
    if retests:
        raise InconsistentData(list(retests), "Học sinh không phải kiểm tra lại.")
    return SummerOutcome(NO_SUMMER, year.decision)


__all__ = [
    "AWAITING_CONDUCT",
    "AWAITING_RETESTS",
    "DONE",
    "LEVELS",
    "NO_SUMMER",
    "SummerOutcome",
    "parse_retest",
    "summer_outcome",
]

"""Make-up assessments (kiểm tra, đánh giá bù): Circular 22/2021 Article 6. Pure Python.

A pupil who did not take a regular or periodic assessment the required number of times, for
a reason beyond their control (lí do bất khả kháng), takes a make-up in the same form; its
result is that assessment's result. A pupil who does not take the make-up gets 0 for it in a
subject assessed by score, Chưa đạt in a subject assessed by comment only.

Reading chosen: the 0 (or CĐ) is a result like any other and counts in the term average (or
makes a rated subject CĐ, Art. 9); it is recorded only when a teacher says the make-up was not
taken, never inferred from a blank cell (`grading.circular22` reads a blank as missing data).
"""

from decimal import Decimal

MISSED_SCORE = Decimal("0.0")
MISSED_RATING = False  # CĐ (Chưa đạt)


def missed_result(rated: bool) -> Decimal | bool:
    """The result of an assessment missed without a make-up (Art. 6): Decimal("0.0") for a
    scored subject, False (CĐ) for a rated one."""
    if not isinstance(rated, bool):
        raise TypeError("rated must be a bool")
    return MISSED_RATING if rated else MISSED_SCORE

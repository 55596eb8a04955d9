"""Errors raised by the assessment rules.

Every error is a `RuleError` (a `ValueError`), carries a machine-readable `code` (and, for a
bad value, a `reason`) that callers translate, and a plain Vietnamese `message` that is good
enough to show as it is. No gettext here: the rules stay free of Django; the HTML views and
the API map `code`/`reason` to their own translated messages.

Names in `what` are machine names (`"midterm"`, `"regular_2"`, `"term1"`, …) or, where the
rules are handed a dict keyed by subject, the caller's own subject names (`"Toán"`).

Floats are refused with a plain `TypeError`, not a `RuleError`: a float score is a
programming mistake in the caller (binary floats cannot hold 8.25 or 6.45 exactly), not bad
data a teacher typed.
"""

from collections.abc import Iterable

# Vietnamese labels for the machine names the rules use; anything else (a subject name) is
# shown as it is.
_LABELS = {
    "midterm": "điểm đánh giá giữa kì (ĐĐGgk)",
    "final": "điểm đánh giá cuối kì (ĐĐGck)",
    "regular": "điểm đánh giá thường xuyên (ĐĐGtx)",
    "term1": "kết quả học kì I",
    "term2": "kết quả học kì II",
    "learning": "kết quả học tập",
    "conduct": "kết quả rèn luyện",
    "sessions_absent": "số buổi nghỉ học",
    "session": "buổi học",
    "absence_plan": "cách tính số buổi nghỉ theo kế hoạch 01 buổi/ngày",
    "periods_per_year": "số tiết/năm học",
    "expected_regular": "số lần đánh giá thường xuyên quy định",
    "scored": "điểm trung bình các môn đánh giá bằng điểm số",
    "grade": "khối lớp",
    "decision": "kết quả xét lên lớp",
    "subjects": "mức đánh giá các môn học và hoạt động giáo dục",
    "qualities": "mức đánh giá phẩm chất, năng lực",
    "tests": "điểm bài kiểm tra định kì cuối năm",
}

_REASONS = {
    "not_a_number": "không phải là số",
    "out_of_range": "phải từ 0 đến 10",
    "too_precise": "chỉ được lấy đến một chữ số thập phân",
    "not_whole": "phải là số nguyên, không có phần thập phân",
    "unknown_rating": "không phải là mức đánh giá hợp lệ",
    "too_many": "nhiều hơn số lần quy định",
    "negative": "không được là số âm",
    "unknown_session": "không phải là buổi sáng hay buổi chiều",
    "unknown_plan": "không phải là cách tính hợp lệ (theo ngày, buổi sáng hoặc buổi chiều)",
    "not_positive": "phải lớn hơn 0",
    "unknown_grade": "không phải là khối lớp của cấp học này",
}


def label(name: str) -> str:
    """The Vietnamese label for a machine name (`"regular_2"` → "… lần 2")."""
    if name in _LABELS:
        return _LABELS[name]
    prefix, _, number = name.rpartition("_")
    if prefix == "regular" and number.isdigit():
        return f"điểm đánh giá thường xuyên lần {number} (ĐĐGtx{number})"
    if prefix == "assessment" and number.isdigit():
        return f"lần đánh giá thứ {number}"
    return name


class RuleError(ValueError):
    """Base of every data error the rules raise. `code` is stable; `message` is Vietnamese."""

    code = "rule_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MissingData(RuleError):
    """Something the rule needs was not given (None, a blank cell, too few assessments).

    `what` is the list of everything missing, so a grid can mark every empty cell at once.
    Never replaced by a zero: a missing score is a question for a teacher, not a 0.
    """

    code = "missing_data"

    def __init__(self, what: str | Iterable[str]):
        names = [what] if isinstance(what, str) else list(what)
        if not names:
            raise ValueError("MissingData needs at least one name")
        self.what = names
        super().__init__("Thiếu dữ liệu: " + ", ".join(label(n) for n in names) + ".")


class InvalidValue(RuleError):
    """A value that is present but not allowed. `what` names it, `value` is what was given,
    `reason` is one of the keys of `_REASONS` (machine-readable)."""

    code = "invalid_value"

    def __init__(self, what: str, value: object, reason: str, detail: str = ""):
        self.what = what
        self.value = value
        self.reason = reason
        text = _REASONS.get(reason, reason)
        if detail:
            text = f"{text} ({detail})"
        name = label(what)
        # Upper-case the first letter only: str.capitalize() would also lower "ĐĐGtx".
        super().__init__(f"{name[:1].upper()}{name[1:]}: giá trị «{value}» {text}.")


class InvalidScore(InvalidValue):
    """A score outside 0–10, with more than one decimal, or not a number at all."""

    code = "invalid_score"


class InvalidRating(InvalidValue):
    """A rating that is not one of the allowed levels (e.g. "Giỏi" for a conduct result)."""

    code = "invalid_rating"

    def __init__(self, what: str, value: object, allowed: Iterable[str]):
        self.allowed = tuple(allowed)
        super().__init__(what, value, "unknown_rating", "cho phép: " + ", ".join(self.allowed))


class InconsistentData(RuleError):
    """The inputs contradict each other (a subject both scored and rated; learning "Chưa
    đạt" with no subject to retake). `what` names the items involved."""

    code = "inconsistent_data"

    def __init__(self, what: Iterable[str], message: str):
        self.what = list(what)
        super().__init__(message)

"""Printing: numbers, dates and names as a card prints them, the header every card of a class
shares, and the rules' refusals turned into `missing` entries."""

import datetime
import unicodedata
from collections import defaultdict
from decimal import Decimal

from contactbook.gradebook.columns import filled
from contactbook.models import Score
from grading import circular22
from grading.errors import RuleError
from reports.cards.loading import _Data
from school.models import ClassGroup, Student, Subject

TITLE = "PHIẾU BÁO KẾT QUẢ HỌC TẬP"
TERM_NAMES = {1: "I", 2: "II"}
PRINCIPAL_SIGNS_AS = "HIỆU TRƯỞNG"
# A vice-principal signing for the principal ("ký thay"), on two lines as the forms print it.
DEPUTY_SIGNS_AS = "KT. HIỆU TRƯỞNG\nPHÓ HIỆU TRƯỞNG"
SEX = {Student.Sex.MALE: "Nam", Student.Sex.FEMALE: "Nữ"}
LEARNING = "Kết quả học tập"
CONDUCT = "Kết quả rèn luyện"


def _score_text(value: Decimal) -> str:
    """One assessment as a teacher wrote it: "8", "7,5" (never the locale's "7.5": a card is
    a Vietnamese document whatever language the worker runs in)."""
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return format(value, "f").replace(".", ",")


def _average_value(value: Decimal | None) -> Decimal | None:
    """An average as printed, as a number: one decimal (Decimal("8.0"))."""
    return None if value is None else value.quantize(Decimal("0.1"))


def _average_text(value: Decimal | None) -> str:
    """An average always with its one decimal: "8,0", "7,5"."""
    value = _average_value(value)
    return "" if value is None else format(value, "f").replace(".", ",")


def _result_text(passed: bool | None) -> str:
    return "" if passed is None else ("Đ" if passed else "CĐ")


def _cell_text(subject: Subject, cell: Score | None) -> str:
    if not filled(cell):
        return ""
    if subject.assessment == Subject.Assessment.RATED:
        return _result_text(cell.passed)
    return "" if cell.value is None else _score_text(cell.value)


def _dated(place: str, day: datetime.date) -> str:
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip().upper())


def _rule_names(subjects: list[Subject]) -> dict[int, str]:
    """The name each subject goes by in the rules' dicts (and so in a retake list); two
    subjects of the same name are told apart by their code instead of one hiding the other."""
    counts = defaultdict(int)
    for s in subjects:
        counts[s.name] += 1
    return {s.pk: s.name if counts[s.name] == 1 else f"{s.name} ({s.code})" for s in subjects}


def _incomplete(subject: Subject, cells: list, suffix: str = "") -> str:
    """Why a subject has no result: cells missing, or filled cells the rules refused."""
    rated = subject.assessment == Subject.Assessment.RATED
    if all(filled(c) for c in cells):
        what = "đánh giá không hợp lệ" if rated else "điểm không hợp lệ"
    else:
        what = "chưa đủ đánh giá" if rated else "chưa đủ điểm"
    return f"{subject.name}: {what}{suffix}"


def _header(class_group: ClassGroup, pupil: Student, data: _Data) -> dict:
    """The fields every card of the class shares, and the pupil's own."""
    school = class_group.school
    teacher = class_group.homeroom_teacher
    return {
        "student_id": pupil.pk,
        "class_group_id": class_group.pk,
        "school_year_id": class_group.school_year_id,
        "authority": _upper(school.authority_name),
        "school": _upper(school.name),
        "school_year": "Năm học " + class_group.school_year.name.strip().replace("-", "–"),
        "full_name": pupil.full_name,
        "class_name": class_group.name,
        "date_of_birth": f"{pupil.date_of_birth:%d/%m/%Y}",
        "sex": SEX.get(pupil.sex, ""),
        "student_code": pupil.student_code,
        "homeroom_teacher": teacher.full_name if teacher else "",
        "principal": data.deputy or data.principal,
        "principal_signs_as": DEPUTY_SIGNS_AS if data.deputy else PRINCIPAL_SIGNS_AS,
    }


def _learning(scored: dict, rated: dict, missing: list) -> str:
    """The learning result once every subject has one; a rule that cannot decide (e.g. no
    scored subject at all) leaves it blank and says why instead of failing the batch."""
    assessed = _assessed_learning(scored, rated, missing)
    return assessed.result if assessed else ""


def _assessed_learning(
    scored: dict, rated: dict, missing: list
) -> circular22.LearningAssessment | None:
    """`_learning` with how the result was reached (the table's level, the subject behind an
    Art. 9.3 adjustment); None where `_learning` is blank."""
    if missing:
        return None
    try:
        return circular22.assess_learning(scored, rated)
    except RuleError as exc:
        missing.append(f"{LEARNING}: {exc.message.rstrip('.')}")
        return None


def _rule(function, args, what: str, missing: list):
    """Call a rule; a RuleError becomes a `missing` entry and a blank result, not a 500."""
    try:
        return function(*args)
    except RuleError as exc:
        missing.append(f"{what}: {exc.message.rstrip('.')}")  # the card adds its own "."
        return None

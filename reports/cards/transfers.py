"""The year card's two special cases, called from the year cards of secondary.py and
primary.py: a term copied from a previous school's record (a pupil who transferred in), and
the principal's decision for a pupil under a personal education plan (a disability).
What they read is loaded by `_Data.load(year=True)`."""

from decimal import Decimal

from grading import circular22
from grading import transfers as rules
from reports.cards.loading import _Data
from reports.cards.model import (
    CHUA_HOAN_THANH_CHUONG_TRINH,
    HOAN_THANH_CHUONG_TRINH,
    LEN_LOP,
    O_LAI_LOP,
    decision_words,
)
from reports.cards.printing import TERM_NAMES
from school.models import Subject, Term

PENDING = "Xét lên lớp: chờ quyết định của Hiệu trưởng (học sinh học theo kế hoạch giáo dục cá nhân)"


def copied_result(
    data: _Data, pupil_id: int, term: Term | None, subject: Subject,
    average: Decimal | None, passed: bool | None,
) -> tuple[Decimal | None, bool | None, bool]:
    """The term's result for the year's arithmetic: this school's own when it has one, else
    the one copied from the previous school's record; the last item says it was copied."""
    if term is None or average is not None or passed is not None:
        return average, passed, False
    copied = data.copied.get((pupil_id, term.pk, subject.pk))
    if copied is None:
        return average, passed, False
    if subject.assessment == Subject.Assessment.RATED:
        return None, copied.passed, copied.passed is not None
    return copied.average, None, copied.average is not None


def _school_name(name: str) -> str:
    name = name.strip()
    return name if name.casefold().startswith("trường") else f"Trường {name}"


def copied_note(data: _Data, pupil_id: int, terms: dict) -> str:
    """"Kết quả học kỳ I chép từ học bạ của Trường THCS Lê Lợi." for each copied term."""
    numbers = {t.pk: n for n, t in terms.items()}
    return " ".join(
        f"Kết quả học kỳ {TERM_NAMES.get(numbers.get(term_id), '')} chép từ học bạ của "
        f"{_school_name(school)}."
        for term_id, school in data.copied_from.get(pupil_id, [])
    )


def personal_plan(
    data: _Data, pupil_id: int, grade: int, promotion: str, code: str | None, missing: list
) -> dict:
    """The card's decision fields: unchanged for most pupils; for a pupil under a personal
    education plan the principal's decision in the official words, or blank and pending
    (said in `missing`), with the computed decision kept as `promotion_proposal`."""
    if pupil_id not in data.plans:
        return {"promotion": promotion, "promotion_code": code}
    decided = rules.principal_decision(data.plans[pupil_id])
    fields = {"personal_plan": True, "promotion_proposal": promotion}
    if decided == rules.PENDING:
        missing.append(PENDING)
        return {**fields, "promotion": "", "promotion_code": None}
    promoted = decided == circular22.LEN_LOP
    if data.primary:
        code = HOAN_THANH_CHUONG_TRINH if promoted else CHUA_HOAN_THANH_CHUONG_TRINH
    else:
        code = LEN_LOP if promoted else O_LAI_LOP
    return {**fields, "promotion": decision_words(code, grade), "promotion_code": code}

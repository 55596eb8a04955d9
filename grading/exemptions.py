"""Exemption from the practical part of physical education and of defence and security
education (Circular 22/2021/TT-BGDĐT, Article 10).

What the article says, and the reading chosen:
- Clause 1: a pupil who has difficulty learning because of a chronic illness, a disability,
  an accident or an illness under treatment is exempted from the *practical part* ("miễn học
  phần thực hành") of Giáo dục thể chất and Giáo dục quốc phòng và an ninh — only these two
  subjects (`is_exemptible`).
- Clause 2: the file: the pupil's application and a hospital record (district level or
  above). The system records the decision, not the file.
- Clause 3: the principal grants it for a term or for the whole school year ("trong một học
  kì hoặc cả năm học"); an illness or accident within the year, a chronic illness or a lasting
  disability for the year (or the whole level: one decision per year here, so a level-long
  exemption is recorded each year). Reading chosen: the period is term I, term II or the
  year — the two the article names — not arbitrary dates.
- Clause 4: the practical content is *replaced by theory* so that the pupil still has the
  full number of assessments ("được thay thế bằng nội dung lí thuyết để bảo đảm đủ số lần
  kiểm tra, đánh giá theo quy định"). Reading chosen: the pupil is **not** exempt from the
  subject. The subject keeps its assessments (the same count, `required_assessments`), the
  teacher enters the theory assessments in the same columns, and the subject's result (Đ/CĐ
  for physical education, the average for defence education) is computed by the same rules
  and counts in the learning result like any other subject's. A pupil exempted with an
  assessment not yet entered is incomplete, never "Miễn" in place of a result.
- Printing: the forms keep the subject's result and mark the line; the card prints
  "Miễn thực hành" (with the period on the year card) beside the subject's name, and the
  decision's number and date under the table (`exemption_words`).

Pure functions; no Django.
"""

import unicodedata
from collections.abc import Iterable

from grading.circular22 import RATED_ASSESSMENTS, regular_assessment_count
from grading.errors import InconsistentData

WHOLE_YEAR = None  # the period of an exemption: 1 (term I), 2 (term II) or None (the year)
TERMS = (1, 2)
TERM_NAMES = {1: "học kỳ I", 2: "học kỳ II"}
MIEN_THUC_HANH = "Miễn thực hành"

# The two subjects of clause 1, folded (no tone marks, lower case), with the names and
# abbreviations schools use for them.
PHYSICAL_EDUCATION = "giao duc the chat"
DEFENCE_EDUCATION = "giao duc quoc phong va an ninh"
_NAMES = {
    PHYSICAL_EDUCATION: PHYSICAL_EDUCATION, "the duc": PHYSICAL_EDUCATION,
    "gdtc": PHYSICAL_EDUCATION,
    DEFENCE_EDUCATION: DEFENCE_EDUCATION, "giao duc quoc phong - an ninh": DEFENCE_EDUCATION,
    "giao duc quoc phong": DEFENCE_EDUCATION, "gdqp&an": DEFENCE_EDUCATION,
    "gdqp-an": DEFENCE_EDUCATION, "gdqp": DEFENCE_EDUCATION,
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def exempted_subject(name: str) -> str | None:
    """Which of the two subjects `name` is (PHYSICAL_EDUCATION / DEFENCE_EDUCATION), or None."""
    return _NAMES.get(_fold(name or ""))


def is_exemptible(name: str) -> bool:
    """True for Giáo dục thể chất and Giáo dục quốc phòng và an ninh (Art. 10.1), under the
    names schools give them ("Thể dục", "GDQP&AN"); False for every other subject."""
    return exempted_subject(name) is not None


def check_period(term: int | None) -> int | None:
    """A period is 1, 2 or None (the whole year), Art. 10.3."""
    if term is not WHOLE_YEAR and (isinstance(term, bool) or term not in TERMS):
        raise InconsistentData(
            ["term"], "Thời gian miễn là học kỳ I, học kỳ II hoặc cả năm học."
        )
    return term


def periods_overlap(a: int | None, b: int | None) -> bool:
    """The whole year overlaps every period; two terms overlap when they are the same."""
    return a is WHOLE_YEAR or b is WHOLE_YEAR or a == b


def check_exemption(subject_name: str, term: int | None, others: Iterable[int | None] = ()):
    """Refuse an exemption the article does not allow: a subject other than the two
    (clause 1), a period other than a term or the year (clause 3), or one overlapping another
    exemption of the same pupil, subject and year (`others`: their periods). Raises
    `InconsistentData` with the Vietnamese message the form shows; returns None."""
    if not is_exemptible(subject_name):
        raise InconsistentData(
            ["subject"],
            f"Chỉ được miễn phần thực hành môn Giáo dục thể chất hoặc Giáo dục quốc phòng và "
            f"an ninh, không phải môn «{subject_name}».",
        )
    check_period(term)
    if any(periods_overlap(term, other) for other in others):
        raise InconsistentData(
            ["term"],
            "Học sinh đã được miễn thực hành môn này trong thời gian trùng với "
            f"{period_words(term)}.",
        )


def period_words(term: int | None) -> str:
    return "cả năm học" if term is WHOLE_YEAR else TERM_NAMES[term]


def applies(term: int | None, card_term: int | None) -> bool:
    """Whether an exemption for `term` shows on the card of `card_term` (None: the year card,
    which shows every exemption of the year)."""
    return card_term is None or periods_overlap(term, card_term)


def required_assessments(name: str, periods_per_year: int, *, scored: bool,
                         exempted: bool) -> int:
    """The assessments a term of the subject needs, exempted or not (Art. 10.4: theory
    replaces practice "to ensure the required number"): a scored subject its regular
    assessments plus the midterm and the end of term (Art. 7), a rated one four.
    `exempted` is taken to show it changes nothing."""
    del name, exempted  # the count is the subject's, whatever the exemption
    if scored:
        return regular_assessment_count(periods_per_year) + 2
    return RATED_ASSESSMENTS


def exemption_words(terms: Iterable[int | None], card_term: int | None) -> str:
    """The mark on a subject's line: "Miễn thực hành" on a term card; on the year card with
    its period ("Miễn thực hành cả năm học", "Miễn thực hành học kỳ I")."""
    shown = [t for t in terms if applies(t, card_term)]
    if not shown:
        return ""
    if card_term is not None:
        return MIEN_THUC_HANH
    if WHOLE_YEAR in shown or set(shown) >= set(TERMS):
        return f"{MIEN_THUC_HANH} cả năm học"
    return f"{MIEN_THUC_HANH} " + ", ".join(TERM_NAMES[t] for t in sorted(set(shown)))

"""A grade book's columns by the rules (Circular 22 for grades 6–12, Circular 27 for grades
1–5), typing a cell in and reading it back, and a row's term result. No database access: this
is what reports import."""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from contactbook.models import Score
from grading import circular22, circular27
from grading.errors import InvalidScore, RuleError
from grading.makeup import missed_result
from school import names
from school.models import Subject


_PASS = {"đ": True, "d": True, "đạt": True, "dat": True}
_FAIL = {"cđ": False, "cd": False, "chưa đạt": False, "chua dat": False}
_NEGATIVE = re.compile(r"-\s*[0-9]+(?:[.,][0-9]+)?")


COMMENT_KEY = "comment"
YEAR_COMMENT_KEY = "year-comment"  # term II's grade book: the subject teacher's year comment


@dataclass(frozen=True)
class Column:
    kind: str
    index: int

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.index}"

    @property
    def is_test(self) -> bool:
        """A primary written test (a whole number 0–10), not a rating."""
        return self.kind in _TESTS

    @property
    def short_label(self) -> str:
        """The header a teacher knows: TX1…TX4, GK, CK (and KTGK, KTCK in primary)."""
        if self.kind == Score.Kind.REGULAR:
            return _("Reg. %(n)d") % {"n": self.index}
        return {
            Score.Kind.MIDTERM: _("Mid-term"),
            Score.Kind.FINAL: _("End-term"),
            Score.Kind.MIDTERM_TEST: _("Mid-term test"),
            Score.Kind.FINAL_TEST: _("End-term test"),
        }[self.kind]

    @property
    def label(self) -> str:
        if self.kind == Score.Kind.REGULAR:
            return _("regular assessment %(n)d") % {"n": self.index}
        return {
            Score.Kind.MIDTERM: _("midterm assessment"),
            Score.Kind.FINAL: _("end-of-term assessment"),
            Score.Kind.MIDTERM_TEST: _("mid-term written test"),
            Score.Kind.FINAL_TEST: _("end-of-term written test"),
        }[self.kind]


_TESTS = (Score.Kind.MIDTERM_TEST, Score.Kind.FINAL_TEST)


def columns_for(subject: Subject, grade: int | None = None) -> list[Column]:
    """Grades 6–12 (Circular 22): ĐĐGtx 1…n (n from periods per year, Art. 7), then giữa kỳ
    and cuối kỳ. Grades 1–5 (Circular 27, `grade` required): the mid-term and end-of-term
    ratings (T/H/C), then the written tests: at mid-term in Tiếng Việt and Toán of grades 4–5
    (grading.circular27), at the end of the term in the subjects the school marks as
    tested (`has_primary_test`: the circular's list, under the school's subject names)."""
    if subject.assessment == Subject.Assessment.PRIMARY:
        columns = [Column(Score.Kind.MIDTERM, 1), Column(Score.Kind.FINAL, 1)]
        if grade in circular27.GRADES and subject.name in circular27.midterm_tested_subjects(grade):
            columns.append(Column(Score.Kind.MIDTERM_TEST, 1))
        if subject.has_primary_test:
            columns.append(Column(Score.Kind.FINAL_TEST, 1))
        return columns
    regular = [
        Column(Score.Kind.REGULAR, i) for i in range(1, subject.regular_assessment_count + 1)
    ]
    return [*regular, Column(Score.Kind.MIDTERM, 1), Column(Score.Kind.FINAL, 1)]


def takes_year_comments(subject: Subject, term) -> bool:
    """Whether this subject's grade book for `term` takes the subject teacher's year comment:
    term II's, at the year's end, in grades 6–12 only (a primary subject's year is assessed in
    its term ratings and the homeroom teacher's comments, Circular 27)."""
    return term.number == 2 and subject.assessment != Subject.Assessment.PRIMARY


def column_by_key(subject: Subject, key: str, grade: int | None = None) -> Column | None:
    return next((c for c in columns_for(subject, grade) if c.key == key), None)


Cell = tuple[Decimal | None, bool | None, str | None]  # (value, passed, rating)
EMPTY: Cell = (None, None, None)


def parse_cell(raw: str, subject: Subject, column: Column | None = None) -> Cell:
    """A typed cell as (value, passed, rating). Accepts a decimal comma or point; "" empties
    the cell. In a primary subject `column` says whether the cell is a rating (T, H, C or the
    words, with or without accents) or a written test (a whole number 0–10).
    Raises ValueError with a message for the person who typed it."""
    text = unicodedata.normalize("NFC", " ".join((raw or "").split()))
    if not text:
        return EMPTY
    folded = text.lower()
    if subject.assessment == Subject.Assessment.PRIMARY:
        return _parse_primary(text, column)
    if subject.assessment == Subject.Assessment.RATED:
        if folded in _PASS:
            return None, True, None
        if folded in _FAIL:
            return None, False, None
        raise ValueError(_("This subject is rated: enter Đ (Đạt) or CĐ (Chưa đạt)."))
    if folded in _PASS or folded in _FAIL:
        raise ValueError(_("This subject is scored: enter a score from 0 to 10, not Đ/CĐ."))
    if _NEGATIVE.fullmatch(text):
        raise ValueError(_("A score is from 0 to 10."))
    try:
        return circular22.parse_score(text, "cell"), None, None
    except InvalidScore as exc:
        if exc.reason == "out_of_range":
            raise ValueError(_("A score is from 0 to 10.")) from None
        if exc.reason == "too_precise":
            raise ValueError(_("A score has at most one decimal, e.g. 7,5.")) from None
        raise ValueError(_("Not a score: enter a number from 0 to 10, e.g. 7,5.")) from None


# Circular 22 Art. 6 (kiểm tra, đánh giá bù), typed after the value so that the keyboard grid
# and a pasted spreadsheet column carry it as text: "7,5B" (or "7,5 b") is a make-up's score;
# "K" (or "0K", "CĐK") an assessment missed with its make-up, which Art. 6 scores 0 (a rated
# subject: Chưa đạt).
MAKEUP_MARK, MISSED_MARK = "B", "K"
_MARKS = {"b": Score.Makeup.TAKEN, "k": Score.Makeup.MISSED}


def parse_entry(raw: str, subject: Subject, column: Column | None = None) -> tuple[Cell, str]:
    """A typed cell as ((value, passed, rating), makeup), `makeup` one of Score.Makeup: the
    cell as `parse_cell` reads it, with a trailing B (make-up) or K (missed, no make-up: the
    value is 0 or CĐ, and "K" alone says so). Raises ValueError with a message."""
    text = unicodedata.normalize("NFC", " ".join((raw or "").split()))
    mark = _MARKS.get(text[-1:].lower()) if text else None
    if mark is None:
        return parse_cell(raw, subject, column), Score.Makeup.NONE
    if subject.assessment == Subject.Assessment.PRIMARY:
        raise ValueError(_("B and K (make-up, missed) are for grades 6–12 (Circular 22)."))
    rest = text[:-1].strip()
    rated = subject.assessment == Subject.Assessment.RATED
    if mark == Score.Makeup.MISSED:
        result = missed_result(rated)  # Art. 6: 0, or CĐ
        missed = (None, result, None) if rated else (result, None, None)
        if rest and parse_cell(rest, subject, column) != missed:
            raise ValueError(
                _("Missed without a make-up is Chưa đạt (Circular 22 Art. 6): type K.")
                if rated
                else _("Missed without a make-up scores 0 (Circular 22 Art. 6): type K.")
            )
        return missed, Score.Makeup.MISSED
    if not rest:
        raise ValueError(_("Type the make-up's result before B, e.g. 7,5B."))
    return parse_cell(rest, subject, column), Score.Makeup.TAKEN


# What primary teachers write for a rating, folded (lower case, no accents): the code, the
# record's abbreviation or the words.
_RATINGS = {
    **dict.fromkeys(("t", "htt", "hoan thanh tot"), Score.Rating.GOOD.value),
    **dict.fromkeys(("h", "ht", "hoan thanh"), Score.Rating.DONE.value),
    **dict.fromkeys(("c", "cht", "chua hoan thanh"), Score.Rating.NOT_YET.value),
}


def _parse_primary(text: str, column: Column | None) -> Cell:
    if column is not None and column.is_test:
        if _NEGATIVE.fullmatch(text):
            raise ValueError(_("A test score is a whole number from 0 to 10."))
        try:
            return Decimal(circular27.parse_test_score(text, "cell")), None, None
        except InvalidScore as exc:
            if exc.reason == "not_whole":
                raise ValueError(_("A test score is a whole number, without decimals.")) from None
            raise ValueError(_("A test score is a whole number from 0 to 10.")) from None
    folded = names.fold(text)
    if folded in _RATINGS:
        return None, None, _RATINGS[folded]
    raise ValueError(
        _("Enter T (Hoàn thành tốt), H (Hoàn thành) or C (Chưa hoàn thành).")
    )


def _key(score: Score) -> str:
    return f"{score.kind}-{score.index}"


def filled(score: Score | None) -> bool:
    return score is not None and (
        score.value is not None or score.passed is not None or score.rating is not None
    )


def term_result(
    subject: Subject, columns: list[Column], cells: list
) -> tuple[Decimal | None, bool | None]:
    """(average, rated result) from one row of cells (Score or None each); None where a cell
    is empty. The caller decides which cells count (all, or only the published ones).
    A primary subject has neither: its end-of-term rating is its result (Circular 27)."""
    if subject.assessment == Subject.Assessment.PRIMARY or any(not filled(c) for c in cells):
        return None, None
    try:
        if subject.assessment == Subject.Assessment.RATED:
            return None, circular22.term_rated_result(
                [c.passed for c in cells], required=len(columns)
            )
        values = [c.value for c in cells]
        return circular22.subject_term_average(
            values[:-2], values[-2], values[-1], expected_regular=len(columns) - 2
        ), None
    except RuleError:  # e.g. a rated cell in a subject that became scored
        return None, None


def score_text(
    value: Decimal | None, passed: bool | None, rating: str | None = None, makeup: str = ""
) -> str:
    """A cell as typed back to a teacher: "7,5", "8", "Đ", "CĐ", "T" (comma on Vietnamese
    pages); a make-up "7,5 B", a missed assessment "0 K" / "CĐ K" (`parse_entry` reads them
    back)."""
    text = _plain_text(value, passed, rating)
    if text and makeup == Score.Makeup.TAKEN:
        return f"{text} {MAKEUP_MARK}"
    if text and makeup == Score.Makeup.MISSED:
        return f"{text} {MISSED_MARK}"
    return text


def _plain_text(value: Decimal | None, passed: bool | None, rating: str | None) -> str:
    if rating:
        return rating
    if value is not None:
        whole = value == value.to_integral_value()
        return formats.number_format(value.quantize(Decimal(1)) if whole else value, use_l10n=True)
    if passed is not None:
        return "Đ" if passed else "CĐ"
    return ""


def cell_text(score: Score) -> str:
    """A filled cell as a guardian reads it: a primary rating in words ("Hoàn thành tốt"),
    anything else as the teacher typed it."""
    if score.rating:
        return Score.Rating(score.rating).label
    text = score_text(score.value, score.passed)
    if score.makeup == Score.Makeup.TAKEN:
        return f"{text} ({_('make-up')})"
    if score.makeup == Score.Makeup.MISSED:
        return f"{text} ({_('missed, no make-up')})"
    return text


def subject_sort_key(subject: Subject) -> tuple:
    """The programme's order (Subject.programme_order: the forms' order, not the alphabet),
    then the name in Vietnamese order for ties and for subjects without a place."""
    order = subject.programme_order
    return (order is None, order or 0, names.sort_key("", "", subject.name))

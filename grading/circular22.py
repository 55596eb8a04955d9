"""Assessment rules for grades 6–12: Circular 22/2021/TT-BGDĐT.

Pure functions over `Decimal`, `bool` and the level strings; no Django, no database.
Article references are to Circular 22 (the wording of DOMAIN.md, section "Grades 6–12").

Inputs and their types
- A *score* (one assessment, or a term or year average) is a `Decimal`, an `int`, or a
  `str` such as "7.5" or "7,5" (decimal comma, as teachers type it). It must lie in 0–10
  and have at most one decimal digit (Art. 5: "số nguyên hoặc số thập phân được lấy đến
  chữ số thập phân thứ nhất"); `Decimal("7.50")` is accepted as 7.5, "6,45" is refused.
  **Floats are refused with `TypeError`**: a binary float cannot hold 8.25 or 6.45
  exactly, and the errors land exactly on the thresholds (6.5, 8.0) that decide a result.
- `None` or a blank string is *missing*: `MissingData` names every missing item. It is
  never read as 0 — a pupil who skipped an assessment and its make-up gets the 0 (or CĐ)
  recorded explicitly by the teacher.
- A rated (comment-only) subject's result is a `bool`: True = Đ (Đạt), False = CĐ.
- Learning and conduct results are the strings "Tốt", "Khá", "Đạt", "Chưa đạt" (surrounding
  spaces, case and NFD input are tolerated; the canonical NFC form is returned).
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from grading.errors import (
    InconsistentData,
    InvalidRating,
    InvalidScore,
    InvalidValue,
    MissingData,
)

Score = Decimal | int | str

TOT = "Tốt"
KHA = "Khá"
DAT = "Đạt"
CHUA_DAT = "Chưa đạt"
# Lowest first, so a level's index is its rank and "two levels lower" is a difference of 2.
LEVELS = (CHUA_DAT, DAT, KHA, TOT)

HOC_SINH_XUAT_SAC = "Học sinh Xuất sắc"
HOC_SINH_GIOI = "Học sinh Giỏi"

# The promotion decisions (`Promotion.decision`): machine values, never printed as they are;
# `decision_words` gives what the forms print.
LEN_LOP = "lên lớp"
KIEM_TRA_LAI = "kiểm tra lại"
REN_LUYEN_TRONG_HE = "rèn luyện trong kì nghỉ hè"
O_LAI_LOP = "ở lại lớp"

# The official words (Art. 12–13 and the học bạ's year page).
DUOC_LEN_LOP = "Được lên lớp"
KHONG_DUOC_LEN_LOP = "Không được lên lớp"
HOAN_THANH_THCS = "Được công nhận hoàn thành chương trình THCS"
HOAN_THANH_THPT = "Được công nhận hoàn thành chương trình THPT"
KHONG_HOAN_THANH_THCS = "Không được công nhận hoàn thành chương trình THCS"
KHONG_HOAN_THANH_THPT = "Không được công nhận hoàn thành chương trình THPT"
KIEM_TRA_LAI_WORDS = "Kiểm tra lại"
REN_LUYEN_HE_WORDS = "Rèn luyện trong kì nghỉ hè"
# The last grade of each level: its pass completes the level's programme instead.
_LAST_GRADES = {9: (HOAN_THANH_THCS, KHONG_HOAN_THANH_THCS),
                12: (HOAN_THANH_THPT, KHONG_HOAN_THANH_THPT)}
SECONDARY_GRADES = range(6, 13)

TITLE_BAR = Decimal("9.0")  # Học sinh Xuất sắc: at least 6 year averages at 9.0 or more
RETAKE_BAR = Decimal("5.0")  # retake the scored subjects whose year average is below this
MAX_SESSIONS_ABSENT = 45  # "nghỉ học không quá 45 buổi": 45 still moves up, 46 does not
MIN_SUBJECTS = 6  # "ít nhất 06 môn học" in every row of the learning-result table
MIN_REGULAR, MAX_REGULAR = 2, 4  # regular assessments per term for a scored subject (Art. 6)
RATED_ASSESSMENTS = 4  # a rated subject: 2 regular + midterm + end of term, per term

ZERO, TEN = Decimal(0), Decimal(10)
ONE_DECIMAL = Decimal("0.1")

# Arithmetic runs in a fixed context, not the thread's current one, so a caller that lowered
# the precision elsewhere cannot change a pupil's average. Sums of scores are exact at this
# precision; the quotients by 7 and 9 (and 3) are never exact halves, so 28 digits are ample.
_ARITHMETIC = Context(prec=28)

# Plain ASCII digits only: `\d` would also accept "８" or Arabic-Indic digits.
_SCORE_TEXT = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


# ---------------------------------------------------------------------------------------
# Scores and averages
# ---------------------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_score(value: Score | None, what: str) -> Decimal:
    """Read one score (an assessment or an average) for the assessment named `what`.

    Returns a `Decimal` with exactly one decimal place ("7,5" → Decimal("7.5"), 8 →
    Decimal("8.0")). Raises `MissingData(what)` for None or a blank string, `InvalidScore`
    for text that is not a plain number, a value outside 0–10 or one with a second decimal
    digit that is not 0, and `TypeError` for a float, a bool or any other type.
    """
    if _is_blank(value):
        raise MissingData(what)
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(
            f"{what}: {type(value).__name__} is not accepted as a score; "
            "pass a Decimal, an int or the text as typed (floats lose exact halves)"
        )
    if isinstance(value, str):
        text = value.strip()
        if not _SCORE_TEXT.fullmatch(text):
            raise InvalidScore(what, value, "not_a_number")
        number = Decimal(text.replace(",", "."))
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidScore(what, value, "not_a_number")
        number = value
    else:
        raise TypeError(f"{what}: {type(value).__name__} is not accepted as a score")
    if not ZERO <= number <= TEN:
        raise InvalidScore(what, value, "out_of_range")
    with localcontext(_ARITHMETIC):
        one_place = number.quantize(ONE_DECIMAL)
    if one_place != number:
        raise InvalidScore(what, value, "too_precise")
    return one_place.copy_abs()  # Decimal("-0") is in range; print it as 0.0, not -0.0


def round_score(value: Decimal) -> Decimal:
    """Round to one decimal place, halves up (8.25 → 8.3, 6.45 → 6.5, 4.95 → 5.0).

    Python's `round()` rounds halves to even and binary floats are not exact: `round(8.25, 1)`
    is 8.2. Both averages of Art. 9 are rounded this way.
    """
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP, context=_ARITHMETIC)


def regular_assessment_count(periods_per_year: int) -> int:
    """Regular assessments (ĐĐGtx) per term for a scored subject, from its periods a year.

    Art. 6: 2 for a subject of 35 periods (and, by extension, fewer), 3 for more than 35 up
    to 70, 4 for more than 70. Examples from the 2018 programme: GDQP&AN 35 → 2; Lịch sử
    52 → 3; an elective 70 → 3; Ngữ văn, Toán, Ngoại ngữ 1 105 → 4.
    """
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, int):
        raise TypeError("periods_per_year must be an int")
    if periods_per_year <= 0:
        raise InvalidValue("periods_per_year", periods_per_year, "not_positive")
    if periods_per_year <= 35:
        return 2
    if periods_per_year <= 70:
        return 3
    return 4


def _regular_names(count: int) -> list[str]:
    return [f"regular_{i}" for i in range(1, count + 1)]


def _wanted_regular(given: int, expected: int | None) -> int:
    """How many regular assessments there must be; raises when more were given."""
    if expected is None:
        limit, detail = MAX_REGULAR, f"tối đa {MAX_REGULAR} lần"
        wanted = max(given, MIN_REGULAR)
    else:
        if isinstance(expected, bool) or not isinstance(expected, int):
            raise TypeError("expected_regular must be an int")
        if expected < 1:
            raise InvalidValue("expected_regular", expected, "not_positive")
        limit, detail = expected, f"quy định {expected} lần"
        wanted = expected
    if given > limit:
        raise InvalidValue("regular", given, "too_many", detail)
    return wanted


def subject_term_average(
    regular: Sequence[Score | None],
    midterm: Score | None,
    final: Score | None,
    *,
    expected_regular: int | None = None,
) -> Decimal:
    """The subject term average ĐTBmhk of a scored subject (Art. 9).

        ĐTBmhk = (sum of ĐĐGtx + 2 × ĐĐGgk + 3 × ĐĐGck) / (number of ĐĐGtx + 5)

    Each regular assessment counts once (they are not averaged first). The result is rounded
    to one decimal, halves up: regular 7, 8, 9, midterm 9, final 8 gives 66 / 8 = 8.25 → 8.3.

    `regular` lists the regular assessments in order. Pass `expected_regular` (from
    `regular_assessment_count`) to check the count exactly; without it 2 to 4 are accepted.
    Raises `MissingData` naming every missing item ("regular_2", "midterm", "final"; a
    regular assessment short of the count is missing too), `InvalidValue` (reason
    "too_many") for too many regular assessments, `InvalidScore` for a bad score, and
    `TypeError` for floats.
    """
    if isinstance(regular, (str, bytes)) or not isinstance(regular, Sequence):
        raise TypeError("regular must be a list or tuple of scores")
    wanted = _wanted_regular(len(regular), expected_regular)
    names = _regular_names(wanted)
    missing = [name for name, value in zip(names, regular) if _is_blank(value)]
    missing += names[len(regular):]
    missing += [name for name, value in (("midterm", midterm), ("final", final))
                if _is_blank(value)]
    if missing:
        raise MissingData(missing)

    tx = [parse_score(value, name) for name, value in zip(names, regular)]
    gk = parse_score(midterm, "midterm")
    ck = parse_score(final, "final")
    with localcontext(_ARITHMETIC):
        return round_score((sum(tx) + 2 * gk + 3 * ck) / (len(tx) + 5))


def subject_year_average(term1: Score | None, term2: Score | None) -> Decimal:
    """The subject year average ĐTBmcn = (ĐTBmhkI + 2 × ĐTBmhkII) / 3 (Art. 9), rounded to
    one decimal, halves up.

    Takes the two term averages *as rounded and printed* (one decimal each; an unrounded
    6.45 is refused as `InvalidScore`). This matters: term I 6.1 and a term II of 65.2 / 9 =
    7.244… printed as 7.2 give (6.1 + 14.4) / 3 = 6.83 → 6.8, where the unrounded term
    average would give 6.9.
    """
    missing = [name for name, value in (("term1", term1), ("term2", term2)) if _is_blank(value)]
    if missing:
        raise MissingData(missing)
    t1 = parse_score(term1, "term1")
    t2 = parse_score(term2, "term2")
    with localcontext(_ARITHMETIC):
        return round_score((t1 + 2 * t2) / 3)


# ---------------------------------------------------------------------------------------
# Rated (comment-only) subjects
# ---------------------------------------------------------------------------------------


def _rated_names(required: int) -> list[str]:
    return _regular_names(required - 2) + ["midterm", "final"]


def _check_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what}: a rated result is a bool (True = Đ, False = CĐ), not {value!r}")
    return value


def term_rated_result(
    assessments: Sequence[bool | None], *, required: int = RATED_ASSESSMENTS
) -> bool:
    """A rated subject's term result: True (Đ) or False (CĐ).

    Art. 9: Đ when every required assessment was done and all are Đ; CĐ otherwise.
    `assessments` lists the term's assessments in order — by default 4: two regular, the
    midterm and the end of term — each True (Đ) or False (CĐ).

    Reading chosen for a missing assessment: `None` (or a list shorter than `required`)
    means *not entered yet* and raises `MissingData` naming it ("regular_2", "midterm", …),
    rather than silently turning the subject CĐ. A pupil who really did not do an assessment
    (nor its make-up) must have CĐ recorded for it, and then the subject is CĐ as the
    circular says. This keeps an unfinished grade book from printing CĐ on a report card.
    """
    if isinstance(required, bool) or not isinstance(required, int) or required < 3:
        raise ValueError("required must be an int of at least 3 (regular + midterm + final)")
    if isinstance(assessments, (str, bytes)) or not isinstance(assessments, Sequence):
        raise TypeError("assessments must be a list or tuple of bool")
    if len(assessments) > required:
        raise InvalidValue("regular", len(assessments), "too_many", f"quy định {required} lần")
    names = _rated_names(required)
    missing = [name for name, value in zip(names, assessments) if value is None]
    missing += names[len(assessments):]
    if missing:
        raise MissingData(missing)
    return all(_check_bool(value, name) for name, value in zip(names, assessments))


def year_rated_result(term1: bool | None, term2: bool | None) -> bool:
    """A rated subject's year result: the result of term II (Art. 9).

    `term1` is accepted for symmetry with the scored subjects and checked when given, but
    it does not count, and may be None (a pupil who joined the school in term II).
    """
    if term2 is None:
        raise MissingData("term2")
    if term1 is not None:
        _check_bool(term1, "term1")
    return _check_bool(term2, "term2")


# ---------------------------------------------------------------------------------------
# Learning result (kết quả học tập)
# ---------------------------------------------------------------------------------------


_LEVEL_BY_FOLDED = {level.casefold(): level for level in LEVELS}


def parse_level(value: str | None, what: str) -> str:
    """Read a learning or conduct level ("Tốt", "Khá", "Đạt", "Chưa đạt").

    Tolerates surrounding spaces, case ("CHƯA ĐẠT") and NFD text; returns the canonical
    NFC spelling. Raises `MissingData(what)` for None or blank, `InvalidRating` for anything
    else ("Giỏi", "Trung bình" — the pre-2021 scale — are refused).
    """
    if _is_blank(value):
        raise MissingData(what)
    if not isinstance(value, str):
        raise TypeError(f"{what}: a level is a str, not {value!r}")
    folded = unicodedata.normalize("NFC", value.strip()).casefold()
    if folded not in _LEVEL_BY_FOLDED:
        raise InvalidRating(what, value, reversed(LEVELS))
    return _LEVEL_BY_FOLDED[folded]


def _read_subjects(
    scored: Mapping[str, Score | None], rated: Mapping[str, bool | None]
) -> tuple[dict[str, Decimal], dict[str, bool]]:
    """Validate the two subject dicts; returns them parsed, in the caller's order."""
    both = [name for name in scored if name in rated]
    if both:
        raise InconsistentData(
            both, "Một môn không thể vừa đánh giá bằng điểm số vừa chỉ bằng nhận xét: "
            + ", ".join(both) + "."
        )
    # An empty `scored` is a query that found nothing, not a pupil with no scored subject
    # (every grade 6–12 has several): say so instead of answering "Chưa đạt".
    missing = [] if scored else ["scored"]
    missing += [name for name, value in scored.items() if _is_blank(value)]
    missing += [name for name, value in rated.items() if value is None]
    if missing:
        raise MissingData(missing)
    averages = {name: parse_score(value, name) for name, value in scored.items()}
    passes = {name: _check_bool(value, name) for name, value in rated.items()}
    return averages, passes


# Art. 9 clause 2, one row per level, highest first: (level, most rated subjects CĐ, no
# scored average below, at least MIN_SUBJECTS scored averages reaching). "Chưa đạt" is
# every other case.
_LEARNING_TABLE = (
    (TOT, 0, Decimal("6.5"), Decimal("8.0")),
    (KHA, 0, Decimal("5.0"), Decimal("6.5")),
    (DAT, 1, Decimal("3.5"), Decimal("5.0")),
)


def _count_at_least(averages: Mapping[str, Decimal], bar: Decimal) -> int:
    return sum(1 for value in averages.values() if value >= bar)


def _table_level(averages: Mapping[str, Decimal], passes: Mapping[str, bool]) -> int:
    """The rank (index in LEVELS) given by the table of Art. 9, before any adjustment.

    "At least 6 subjects" is read literally: it counts scored subjects meeting the bar, so a
    pupil with fewer than 6 scored subjects meets no row and is "Chưa đạt", whatever the
    scores. (Every grade 6–12 of the 2018 programme has more than 6 scored subjects — grades
    10–12 about 8 or 9 — so this only bites when subjects are missing from the input.)
    """
    failed_rated = sum(1 for passed in passes.values() if not passed)
    lowest = min(averages.values())
    for level, most_failed_rated, floor, bar in _LEARNING_TABLE:
        if (
            failed_rated <= most_failed_rated
            and lowest >= floor
            and _count_at_least(averages, bar) >= MIN_SUBJECTS
        ):
            return LEVELS.index(level)
    return LEVELS.index(CHUA_DAT)


def _single_subject_dragging_down(
    averages: dict[str, Decimal], passes: dict[str, bool], table: int
) -> str | None:
    """The one subject that alone keeps the pupil two or more levels below Tốt or Khá.

    Tried subject by subject: give that one subject the best result it could have (10.0, or
    Đ) and keep every other subject as it is; if the table then gives a level at least two
    above `table` (which can only be Khá or Tốt), the fall is "chỉ do kết quả đánh giá của
    duy nhất 01 môn học" (Art. 9 clause 3). Returns the first such subject, or None.

    Reading chosen: the subject may be the one that completes a count, too. Five subjects at
    8.0 or more, the rest at 6.5 or more, and one at 4.0 give "Đạt"; with that subject at
    8.0 the pupil would be "Tốt", so the result is raised to "Khá". (Replacing it only with
    the bar of "every subject ≥ 6.5" would give "Khá", one level, and no adjustment.)
    """
    for name, value in averages.items():
        if value != TEN and _table_level({**averages, name: TEN}, passes) >= table + 2:
            return name
    for name, passed in passes.items():
        if not passed and _table_level(averages, {**passes, name: True}) >= table + 2:
            return name
    return None


@dataclass(frozen=True)
class LearningAssessment:
    """A learning result with how it was reached.

    `result` is what the report card prints; `table_result` is the level the table gave;
    `adjusted_for` names the single subject that triggered the Art. 9 clause 3 adjustment
    (None when there was none, and then `result == table_result`).
    """

    result: str
    table_result: str
    adjusted_for: str | None = None


def assess_learning(
    scored: Mapping[str, Score | None], rated: Mapping[str, bool | None]
) -> LearningAssessment:
    """The learning result of a term or of the year, with the table level and the subject
    that triggered an adjustment. See `learning_result`."""
    averages, passes = _read_subjects(scored, rated)
    table = _table_level(averages, passes)
    culprit = _single_subject_dragging_down(averages, passes, table)
    result = table + 1 if culprit is not None else table
    return LearningAssessment(LEVELS[result], LEVELS[table], culprit)


def learning_result(
    scored: Mapping[str, Score | None], rated: Mapping[str, bool | None]
) -> str:
    """The learning result (kết quả học tập) of a term or of the year (Art. 9).

    `scored` maps each scored subject to its term average (ĐTBmhk) or year average (ĐTBmcn),
    already rounded to one decimal — an unrounded 6.45 is refused (`InvalidScore`), because
    the thresholds apply to the printed average. `rated` maps each comment-only subject to
    True (Đ) or False (CĐ) for the same period. Returns "Tốt", "Khá", "Đạt" or "Chưa đạt":

    - Tốt: all rated Đ; every average ≥ 6.5 and at least 6 subjects ≥ 8.0;
    - Khá: all rated Đ; every average ≥ 5.0 and at least 6 subjects ≥ 6.5;
    - Đạt: at most one rated CĐ; at least 6 subjects ≥ 5.0 and none below 3.5;
    - Chưa đạt: otherwise.

    Then clause 3: a result two or more levels below Tốt or Khá because of one single subject
    is raised to the next level up *from the result obtained*. Reading chosen for a
    three-level fall (Tốt but for one subject, Chưa đạt by the table): "mức liền kề" is the
    level adjacent to the one obtained, so the pupil gets "Đạt", not "Khá".

    Fewer than 6 scored subjects: the "at least 6" conditions are read literally, so no row
    is met and the result is "Chưa đạt" (and no single subject can change that). An empty
    `scored` raises `MissingData("scored")`; a None average names its subject.
    """
    return assess_learning(scored, rated).result


# ---------------------------------------------------------------------------------------
# Conduct, titles, promotion
# ---------------------------------------------------------------------------------------


def _parse_levels(**named: str | None) -> dict[str, int]:
    """Parse several levels at once, naming every missing one together; returns ranks."""
    missing = [what for what, value in named.items() if _is_blank(value)]
    if missing:
        raise MissingData(missing)
    return {what: LEVELS.index(parse_level(value, what)) for what, value in named.items()}


def conduct_year(term1: str | None, term2: str | None) -> str:
    """The year's conduct result (kết quả rèn luyện cả năm) from the two terms (Art. 8).

    Row by row as the circular writes them:
    - Tốt: II Tốt and I at least Khá;
    - Khá: II Khá and I at least Đạt; or II Đạt and I Tốt; or II Tốt and I Đạt or Chưa đạt;
    - Đạt: II Đạt and I Khá, Đạt or Chưa đạt; or II Khá and I Chưa đạt;
    - Chưa đạt: otherwise (i.e. whenever term II is Chưa đạt).
    """
    ranks = _parse_levels(term1=term1, term2=term2)
    one, two = ranks["term1"], ranks["term2"]
    tot, kha, dat, chua_dat = (LEVELS.index(level) for level in (TOT, KHA, DAT, CHUA_DAT))
    if two == tot and one >= kha:
        return TOT
    if (two == kha and one >= dat) or (two == dat and one == tot) or (two == tot and one <= dat):
        return KHA
    if (two == dat and one <= kha) or (two == kha and one == chua_dat):
        return DAT
    return CHUA_DAT


def title(
    learning: str | None, conduct: str | None, year_averages: Mapping[str, Score | None]
) -> str | None:
    """The year-end title (Art. 15), or None.

    "Học sinh Xuất sắc": year learning and conduct both Tốt, and at least 6 scored subjects
    with a year average ≥ 9.0. "Học sinh Giỏi": learning and conduct both Tốt.
    `year_averages` maps the scored subjects to their year averages (ĐTBmcn); they are
    validated like every other average even when the levels already rule a title out.
    """
    ranks = _parse_levels(learning=learning, conduct=conduct)
    averages, _ = _read_subjects(year_averages, {})
    if ranks["learning"] != LEVELS.index(TOT) or ranks["conduct"] != LEVELS.index(TOT):
        return None
    if _count_at_least(averages, TITLE_BAR) >= MIN_SUBJECTS:
        return HOC_SINH_XUAT_SAC
    return HOC_SINH_GIOI


@dataclass(frozen=True)
class Promotion:
    """The promotion decision at year end.

    `decision` is one of "lên lớp", "kiểm tra lại", "rèn luyện trong kì nghỉ hè", "ở lại
    lớp" (machine values: `decision_words` gives the printed words). "kiểm tra lại" lists the
    subjects in `retake_subjects`. "rèn luyện trong kì nghỉ hè" comes first whenever conduct
    is Chưa đạt (Art. 13–14): a pupil whose learning is Chưa đạt too has no re-test yet, only
    `failed_subjects` (set with that decision alone) — the subjects to re-take *if* the
    conduct re-assessed after the summer is Đạt or above (`promotion_after_training`). Both summer actions are never given side by
    side. "kiểm tra lại" and "rèn luyện trong kì nghỉ hè" are provisional.
    """

    decision: str
    retake_subjects: tuple[str, ...] = ()
    summer_conduct_training: bool = False
    failed_subjects: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The combinations that can occur; anything else is a bug in the caller.
        plain = not self.retake_subjects and not self.summer_conduct_training
        valid = {
            LEN_LOP: plain and not self.failed_subjects,
            O_LAI_LOP: plain and not self.failed_subjects,
            KIEM_TRA_LAI: bool(self.retake_subjects) and not self.summer_conduct_training
            and not self.failed_subjects,
            REN_LUYEN_TRONG_HE: not self.retake_subjects and self.summer_conduct_training,
        }
        if not valid.get(self.decision, False):
            raise ValueError(f"inconsistent Promotion: {self!r}")

    @property
    def summer_actions(self) -> tuple[str, ...]:
        """What the pupil does over the summer now: (), ("kiểm tra lại",) or ("rèn luyện
        trong kì nghỉ hè",) — never both (re-tests wait for the conduct re-assessment)."""
        if self.retake_subjects:
            return (KIEM_TRA_LAI,)
        return (REN_LUYEN_TRONG_HE,) if self.summer_conduct_training else ()

    @property
    def is_final(self) -> bool:
        """True for "lên lớp" and "ở lại lớp"; False while a summer action is pending."""
        return self.decision in (LEN_LOP, O_LAI_LOP)


def decision_words(decision: str, grade: int) -> str:
    """The decision as the forms print it, for a pupil of `grade` (6–12).

    - "lên lớp": "Được lên lớp"; in grade 9 "Được công nhận hoàn thành chương trình THCS",
      in grade 12 "… THPT" (Art. 12: the last grade of a level completes its programme);
    - "ở lại lớp": "Không được lên lớp"; in grades 9 and 12 "Không được công nhận hoàn
      thành chương trình THCS / THPT" (reading chosen: the negative of the same sentence);
    - "kiểm tra lại": "Kiểm tra lại"; "rèn luyện trong kì nghỉ hè": "Rèn luyện trong kì
      nghỉ hè" (Art. 13–14's words), in every grade.

    Never "Lên lớp" / "Ở lại lớp": the circular does not use them. Raises `InvalidValue`
    for a grade outside 6–12 or an unknown decision.
    """
    if isinstance(grade, bool) or not isinstance(grade, int):
        raise TypeError("grade must be an int")
    if grade not in SECONDARY_GRADES:
        raise InvalidValue("grade", grade, "unknown_grade", "6–12")
    passed, failed = _LAST_GRADES.get(grade, (DUOC_LEN_LOP, KHONG_DUOC_LEN_LOP))
    words = {
        LEN_LOP: passed,
        O_LAI_LOP: failed,
        KIEM_TRA_LAI: KIEM_TRA_LAI_WORDS,
        REN_LUYEN_TRONG_HE: REN_LUYEN_HE_WORDS,
    }
    if decision not in words:
        raise InvalidRating("decision", decision, words)
    return words[decision]


def _sessions(value: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("sessions_absent must be an int")
    if value < 0:
        raise InvalidValue("sessions_absent", value, "negative")
    return value


def _failed_subjects(averages: Mapping[str, Decimal], passes: Mapping[str, bool]) -> tuple:
    """The subjects a re-test covers: scored below 5.0, then rated CĐ, in the caller's
    order. Raises `InconsistentData` when there is none (learning Chưa đạt with fewer than
    6 scored subjects), since a re-test list cannot be empty."""
    failed = tuple(name for name, value in averages.items() if value < RETAKE_BAR)
    failed += tuple(name for name, passed in passes.items() if not passed)
    if not failed:
        raise InconsistentData(
            ["learning"],
            "Kết quả học tập Chưa đạt nhưng không có môn nào dưới 5,0 hoặc Chưa đạt "
            "để kiểm tra lại.",
        )
    return failed


def promotion(
    learning: str | None,
    conduct: str | None,
    sessions_absent: int | None,
    scored_year: Mapping[str, Score | None],
    rated_year: Mapping[str, bool | None],
) -> Promotion:
    """The promotion decision (Art. 12–14) from the year's results.

    - More than 45 sessions absent (with or without leave, continuous or added up, counted
      on the one-session plan: `grading.absences`) → "ở lại lớp", whatever the results;
      exactly 45 is still allowed.
    - Learning and conduct both at least Đạt → "lên lớp".
    - Conduct Chưa đạt → summer conduct training ("rèn luyện trong kì nghỉ hè"), whatever the
      learning result: Art. 13–14 put the training first, and only a pupil whose conduct is
      re-assessed at Đạt or above re-takes tests. With learning Chưa đạt too, the subjects to
      re-take then are kept in `failed_subjects`, not offered now.
    - Learning Chưa đạt, conduct at least Đạt → "kiểm tra lại" in the failed subjects: scored
      subjects with a year average below 5.0, then rated subjects CĐ, in the caller's order.

    `learning` is the year's learning result as `learning_result` returns it (after any
    adjustment). Raises `MissingData` for missing inputs and `InconsistentData` when learning
    is Chưa đạt yet no subject is below 5.0 or CĐ (only possible with fewer than 6 scored
    subjects), since the retake list would then be empty.
    """
    missing = [what for what, value in (("learning", learning), ("conduct", conduct))
               if _is_blank(value)]
    missing += ["sessions_absent"] if sessions_absent is None else []
    if missing:
        raise MissingData(missing)
    ranks = _parse_levels(learning=learning, conduct=conduct)
    absent = _sessions(sessions_absent)
    averages, passes = _read_subjects(scored_year, rated_year)

    if absent > MAX_SESSIONS_ABSENT:
        return Promotion(O_LAI_LOP)
    chua_dat = LEVELS.index(CHUA_DAT)
    failed = _failed_subjects(averages, passes) if ranks["learning"] == chua_dat else ()
    if ranks["conduct"] == chua_dat:
        return Promotion(REN_LUYEN_TRONG_HE, summer_conduct_training=True, failed_subjects=failed)
    if failed:
        return Promotion(KIEM_TRA_LAI, failed)
    return Promotion(LEN_LOP)


def promotion_after_training(
    learning: str | None,
    reassessed_conduct: str | None,
    sessions_absent: int | None,
    scored_year: Mapping[str, Score | None],
    rated_year: Mapping[str, bool | None],
) -> Promotion:
    """The decision once the conduct of a pupil sent to summer conduct training has been
    re-assessed (Art. 13–14): re-assessed Chưa đạt → "ở lại lớp" (no second summer); Đạt or
    above → "lên lớp" when learning is at least Đạt, else "kiểm tra lại" in the failed
    subjects (only now). The absences still decide first."""
    decision = promotion(learning, reassessed_conduct, sessions_absent, scored_year, rated_year)
    if decision.decision == REN_LUYEN_TRONG_HE:
        return Promotion(O_LAI_LOP)
    return decision

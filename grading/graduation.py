"""The graduating years (grades 10–12): the averages the graduation rules take from the học bạ.

Circular 24/2024/TT-BGDĐT ("Quy chế thi tốt nghiệp trung học phổ thông", Article 41 on
recognising graduation) computes the graduation score (điểm xét tốt nghiệp) from the exam
marks and from the average of the upper-secondary years, in which grade 10 counts once,
grade 11 twice and grade 12 three times:

    ĐTB các năm học = (ĐTBcn lớp 10 × 1 + ĐTBcn lớp 11 × 2 + ĐTBcn lớp 12 × 3) / 6

and each year's figure (ĐTBcn, "điểm trung bình cả năm") is, for a pupil assessed under
Circular 22/2021, the arithmetic mean of the year averages (ĐTBmcn) of the subjects assessed
by comment together with a score, the scored subjects; the rated (Đ/CĐ) subjects do not
enter it.

Readings chosen (documented in the README, "The graduating years"):
- Rounding: every figure to two decimals, halves up (Decimal, ROUND_HALF_UP), as the
  graduation rules give the graduation score "lấy đến hai chữ số thập phân". The year figure
  is the mean of the subjects' year averages *as printed* (one decimal each, Circular 22
  Art. 9); the three-year figure is computed from the three year figures *as printed* (two
  decimals), not from unrounded means: the học bạ and the registration form carry the
  rounded figures, and a Sở checking the registration recomputes from them.
- A year the school does not hold (a pupil who transferred in from another school, whose
  grade-10 or grade-11 record is on the other school's học bạ) is never read as 0 and never
  left out of the weights: the three-year figure stays blank (`MissingData` names the years)
  until the figure is entered from the other school's record.
- A repeated grade: the figure of the latest year spent in that grade (the one that ended in
  promotion) counts, as the học bạ's last page for the grade does.

Pure functions over `Decimal`; no Django. Floats are refused (`TypeError`), like everywhere in
the rules package.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from grading.circular22 import Score, parse_score
from grading.errors import InvalidScore, MissingData

GRADUATING_GRADES = (10, 11, 12)
WEIGHTS = {10: 1, 11: 2, 12: 3}  # Circular 24/2024, Art. 41
TWO_DECIMALS = Decimal("0.01")
ZERO, TEN = Decimal(0), Decimal(10)
_ARITHMETIC = Context(prec=28)


def year_label(grade: int) -> str:
    """How a year's figure is named in messages: "điểm trung bình cả năm lớp 10"."""
    return f"điểm trung bình cả năm lớp {grade}"


def round_hundredth(value: Decimal) -> Decimal:
    """Two decimals, halves up: 7.525 → 7.53, 7.005 → 7.01 (`round(7.005, 2)` on a float is
    7.0: the binary float is 7.00499…, and Python rounds halves to even anyway)."""
    return value.quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP, context=_ARITHMETIC)


def year_overall_average(year_averages: Mapping[str, Score | None]) -> Decimal:
    """A year's overall average (ĐTBcn of the year) from the scored subjects' year averages
    (ĐTBmcn, one decimal each as printed): their arithmetic mean, to two decimals, halves up.

    `year_averages` maps every scored subject of the year to its year average; the rated
    subjects (Đ/CĐ) are not in it. Raises `MissingData("scored")` for an empty mapping (a
    query that found nothing, not a pupil with no subject), `MissingData` naming the subjects
    whose average is None or blank, and `InvalidScore` for an average outside 0–10 or with
    two decimals (an unrounded 6.45 is refused: the mean is of the printed averages).
    """
    if not year_averages:
        raise MissingData("scored")
    missing = [name for name, value in year_averages.items()
               if value is None or (isinstance(value, str) and not value.strip())]
    if missing:
        raise MissingData(missing)
    values = [parse_score(value, name) for name, value in year_averages.items()]
    with localcontext(_ARITHMETIC):
        return round_hundredth(sum(values) / len(values))


def parse_year_figure(value: Decimal | int | str | None, what: str) -> Decimal:
    """One year's overall average as printed: 0–10, at most two decimals ("7,53" or
    Decimal("7.53")); returns it with two decimals. `MissingData(what)` for None or blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MissingData(what)
    if isinstance(value, (bool, float)):
        raise TypeError(f"{what}: {type(value).__name__} is not accepted; pass a Decimal")
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            number = Decimal(text)
        except ArithmeticError:
            raise InvalidScore(what, value, "not_a_number") from None
    elif isinstance(value, (int, Decimal)):
        number = Decimal(value)
    else:
        raise TypeError(f"{what}: {type(value).__name__} is not accepted")
    if not number.is_finite():
        raise InvalidScore(what, value, "not_a_number")
    if not ZERO <= number <= TEN:
        raise InvalidScore(what, value, "out_of_range")
    two = number.quantize(TWO_DECIMALS, context=_ARITHMETIC)
    if two != number:
        raise InvalidScore(what, value, "too_precise", "tối đa hai chữ số thập phân")
    return two.copy_abs()


def three_year_average(
    grade10: Decimal | str | None, grade11: Decimal | str | None, grade12: Decimal | str | None
) -> Decimal:
    """The average of the upper-secondary years weighted 1 : 2 : 3 (Circular 24/2024,
    Art. 41): (grade 10 + 2 × grade 11 + 3 × grade 12) / 6, to two decimals, halves up.

    Takes each year's overall average as printed (two decimals, `year_overall_average`).
    Raises `MissingData` naming every missing year ("điểm trung bình cả năm lớp 10"): a year
    the school does not hold leaves the figure blank, never counted as 0 or re-weighted.
    """
    given = {10: grade10, 11: grade11, 12: grade12}
    missing = [year_label(g) for g, v in given.items()
               if v is None or (isinstance(v, str) and not v.strip())]
    if missing:
        raise MissingData(missing)
    figures = {g: parse_year_figure(v, year_label(g)) for g, v in given.items()}
    with localcontext(_ARITHMETIC):
        total = sum(WEIGHTS[g] * figures[g] for g in GRADUATING_GRADES)
        return round_hundredth(total / sum(WEIGHTS.values()))

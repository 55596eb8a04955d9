"""Class summaries (bảng tổng hợp kết quả đánh giá) and school statistics (thống kê kết quả
đánh giá), built from the report cards' own data (`reports.cards.selectors.cards_for`).

Why from the cards: a summary that recomputed results from the grade book could disagree with
the card a parent holds (a rounding, an unpublished score). Reading the cards makes the class
summary and the cards agree by construction: the rows print what the cards print, and the
counts classify each card by the codes it carries beside its printed results, never by
parsing the printed Vietnamese back.

Counting rules:
- Every pupil on a card is counted once in every measure. A pupil whose result is not yet
  complete (a blank learning or conduct result, no promotion decision yet) is counted under
  "Chưa có kết quả", never dropped, so the counts of a measure always add up to the pupils.
- Percentages are of the pupils of the row (class, grade or school), one decimal, halves up.
- Award, promotion and the awards for achievements exist for the whole year only; the
  achievements are counted as pupils with at least one, beside the titles.

`school_statistics` runs a fixed number of queries per class (one list of classes, then
`cards_for` once per class); nothing is per pupil. Both read from the replica where it holds
what the reader has seen (`core.replica.reads_from_replica`; the primary otherwise), after the
views have checked access on the primary. The printed forms and the API read the
dataclasses below; nothing here formats HTML or cells.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from core.replica import reads_from_replica
from reports import primary_summary
from reports.cards import model as card_codes
from reports.cards.selectors import cards_for
from school.exceptions import DomainError, NotFound
from school.models import ClassGroup, School, SchoolYear, Term, TermQuerySet, is_primary_grade

LEARNING, CONDUCT, AWARD, PROMOTION = "learning", "conduct", "award", "promotion"
ACHIEVEMENT = "achievement"
TERM_MEASURES = (LEARNING, CONDUCT)
YEAR_MEASURES = (LEARNING, CONDUCT, AWARD, PROMOTION, ACHIEVEMENT)

INCOMPLETE = "incomplete"
NO_AWARD = "none"
ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Category:
    """One column of a measure: a stable code for programs, the Vietnamese label for print.
    Two categories are the same when their codes are: a promotion's label depends on the
    grades a table shows (`decision_words`), its code never does."""

    code: str
    label: str = field(compare=False)


# The categories of the cards' codes (reports/cards/model.py), labelled as the statistics print
# them. Circular 22 for grades 6–12, Circular 27 for grades 1–5; a school with both levels
# shows both sets.
SECONDARY_LEVELS = (
    Category(card_codes.TOT, "Tốt"),
    Category(card_codes.KHA, "Khá"),
    Category(card_codes.DAT, "Đạt"),
    Category(card_codes.CHUA_DAT, "Chưa đạt"),
)
PRIMARY_LEVELS = (
    Category(card_codes.HOAN_THANH_XUAT_SAC, "Hoàn thành xuất sắc"),
    Category(card_codes.HOAN_THANH_TOT, "Hoàn thành tốt"),
    Category(card_codes.HOAN_THANH, "Hoàn thành"),
    Category(card_codes.CHUA_HOAN_THANH, "Chưa hoàn thành"),
)
AWARDS = (
    Category(card_codes.XUAT_SAC, "Học sinh Xuất sắc"),
    Category(card_codes.GIOI, "Học sinh Giỏi"),
    Category(card_codes.TIEU_BIEU, "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện"),
    Category(NO_AWARD, "Không"),
)
# Each level's titles: Circular 22 Art. 15.1.a (grades 6–12), Circular 27 Art. 13.1.a (1–5).
SECONDARY_AWARDS = (card_codes.XUAT_SAC, card_codes.GIOI)
PRIMARY_AWARDS = (card_codes.XUAT_SAC, card_codes.TIEU_BIEU)
# Pupils with at least one award for an outstanding achievement (Khen thưởng đột xuất), beside
# the titles: a pupil may have both, so they are a measure of their own.
ACHIEVEMENTS = (
    Category("co", "Có khen thưởng đột xuất"),
    Category(NO_AWARD, "Không"),
)
# The promotion codes in print order; their labels are the official words for the grades a
# table shows (`promotion_categories`). The labels here are grades 6–8's and 1–4's.
PROMOTION_CODES = (
    card_codes.LEN_LOP, card_codes.KIEM_TRA_LAI, card_codes.REN_LUYEN_HE, card_codes.O_LAI_LOP
)
# Circular 27: a primary pupil completes the grade's programme or does not.
PRIMARY_PROMOTION_CODES = (
    card_codes.HOAN_THANH_CHUONG_TRINH, card_codes.CHUA_HOAN_THANH_CHUONG_TRINH
)


def promotion_label(code: str, grades: Iterable[int]) -> str:
    """The official words of `code` (`decision_words`) for each grade shown, once each, in
    grade order: "Được lên lớp" for grades 10–11, "Được lên lớp / Được công nhận hoàn thành
    chương trình THPT" for a table of grades 10–12."""
    primary = code in PRIMARY_PROMOTION_CODES  # a code of one level: only its grades
    words: list[str] = []
    for grade in sorted(g for g in set(grades) if is_primary_grade(g) == primary):
        text = card_codes.decision_words(code, grade)
        if text not in words:
            words.append(text)
    return " / ".join(words)


def promotion_categories(codes: Sequence[str], grades: Iterable[int]) -> tuple[Category, ...]:
    grades = set(grades)
    return tuple(Category(code, promotion_label(code, grades)) for code in codes)


PROMOTIONS = promotion_categories(PROMOTION_CODES, [6])
PRIMARY_PROMOTIONS = promotion_categories(PRIMARY_PROMOTION_CODES, [1])
NOT_YET = Category(INCOMPLETE, "Chưa có kết quả")

PRIMARY_PROMOTION_TITLE = "Hoàn thành chương trình lớp học"
MEASURE_TITLES = {
    LEARNING: "Kết quả học tập",
    CONDUCT: "Kết quả rèn luyện",
    AWARD: "Danh hiệu",
    PROMOTION: "Kết quả xét lên lớp",
    ACHIEVEMENT: "Khen thưởng đột xuất",
}


_ALL_KNOWN = {
    LEARNING: SECONDARY_LEVELS + PRIMARY_LEVELS,
    CONDUCT: SECONDARY_LEVELS + PRIMARY_LEVELS,
    AWARD: AWARDS,
    PROMOTION: PROMOTIONS + PRIMARY_PROMOTIONS,
    ACHIEVEMENT: ACHIEVEMENTS,
}


def _levels(grades: Iterable[int]) -> tuple[bool, bool]:
    """(any primary grade, any secondary grade) among `grades`."""
    primary = {is_primary_grade(grade) for grade in grades}
    return True in primary, False in primary


def measures_for(is_year: bool, grades: Iterable[int]) -> tuple[str, ...]:
    """The measures a table shows. Circular 22 (any grade 6–12 in it): learning and conduct,
    and for the year the title, promotion and the awards for achievements. Primary only
    (Circular 27): no conduct result, and a result only at the end of the year — the learning
    result, Art. 13's title, the completion of the grade's programme and the awards."""
    if _levels(grades)[1]:
        return YEAR_MEASURES if is_year else TERM_MEASURES
    return (LEARNING, AWARD, PROMOTION, ACHIEVEMENT) if is_year else (LEARNING,)


def category_of(measure: str, code: str, printed: str) -> Category:
    """The category of a card's code for `measure`. A code nobody foresaw becomes a category of
    its own, labelled with the card's printed words, rather than vanishing from the counts."""
    for category in _ALL_KNOWN[measure]:
        if category.code == code:
            return category
    return Category(code, printed.strip())


def value_of(card, measure: str, grade: int) -> Category | None:
    """The category `card` falls in for `measure`, by its codes, or None while it is not
    complete."""
    if measure == ACHIEVEMENT:  # recorded or not: never "not decided yet"
        return ACHIEVEMENTS[0] if card.awards else ACHIEVEMENTS[-1]
    if measure == AWARD:
        # No title is not "not decided yet": a title is decided once learning (and, from grade
        # 6, conduct) are, and no title then counts under "Không".
        if card.learning_code is None or (
            not is_primary_grade(grade) and card.conduct_code is None
        ):
            return None
        if card.award_code is None:
            return AWARDS[-1]
    code, printed = {
        LEARNING: (card.learning_code, card.learning),
        CONDUCT: (card.conduct_code, card.conduct),
        AWARD: (card.award_code, card.award),
        PROMOTION: (card.promotion_code, card.promotion),
    }[measure]
    return None if code is None else category_of(measure, code, printed)


def percent(count: int, total: int) -> Decimal:
    """count / total as a percentage with one decimal, halves rounded up; 0 of 0 is 0.0."""
    if not total:
        return Decimal("0.0")
    return (Decimal(count) * HUNDRED / Decimal(total)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def decimal_comma(value: Decimal | int) -> str:
    """7.5 -> "7,5": numbers on Vietnamese documents use a decimal comma."""
    return str(value).replace(".", ",")


@dataclass(frozen=True)
class Count:
    category: Category
    count: int
    percent: Decimal

    @property
    def percent_text(self) -> str:
        return decimal_comma(self.percent)


@dataclass(frozen=True)
class Tally:
    """Counts of one group of pupils (a class, a grade, the school) per measure."""

    pupils: int
    measures: tuple[tuple[str, tuple[Count, ...]], ...]  # (measure, counts in column order)

    def counts(self, measure: str) -> tuple[Count, ...]:
        return dict(self.measures).get(measure, ())

    def count(self, measure: str, code: str) -> int:
        return next((c.count for c in self.counts(measure) if c.category.code == code), 0)


@dataclass(frozen=True)
class Columns:
    """The categories of each measure, in print order, shared by every row of one table so
    rows line up and add up."""

    measures: tuple[tuple[str, tuple[Category, ...]], ...]
    primary_only: bool = False  # grades 1–5 only: Circular 27's headings

    def of(self, measure: str) -> tuple[Category, ...]:
        return dict(self.measures)[measure]

    def title(self, measure: str) -> str:
        """The measure's printed heading."""
        if self.primary_only and measure == PROMOTION:
            return PRIMARY_PROMOTION_TITLE
        return MEASURE_TITLES[measure]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.measures)


def _known_categories(measure: str, grades: set[int]) -> tuple[Category, ...]:
    primary, secondary = _levels(grades)
    if measure == ACHIEVEMENT:
        return ACHIEVEMENTS
    if measure == AWARD:
        wanted = set(SECONDARY_AWARDS if secondary else ()) | set(
            PRIMARY_AWARDS if primary else ()
        )
        return tuple(c for c in AWARDS if c.code in wanted or c.code == NO_AWARD)
    if measure == PROMOTION:
        return promotion_categories(
            (PROMOTION_CODES if secondary else ()) + (PRIMARY_PROMOTION_CODES if primary else ()),
            grades,
        )
    # Primary pupils have no conduct result (Circular 27 rates qualities instead): whatever
    # their cards print still gets a column of its own.
    return (SECONDARY_LEVELS if secondary else ()) + (
        PRIMARY_LEVELS if measure == LEARNING and primary else ()
    )


def columns_for(measures: Sequence[str], grades: Iterable[int], observed: dict) -> Columns:
    """The known categories of the grades shown, then any label seen on a card that is not a
    known one (in the order first seen), then "Chưa có kết quả" last."""
    grades = set(grades)
    result = []
    for measure in measures:
        wanted = list(_known_categories(measure, grades))
        for category in observed.get(measure, ()):
            if category not in wanted and category != NOT_YET:
                wanted.append(category)
        wanted.append(NOT_YET)
        result.append((measure, tuple(wanted)))
    return Columns(tuple(result), primary_only=_levels(grades) == (True, False))


def _categorised(cards, grade: int, measures: Sequence[str]) -> list[dict[str, Category]]:
    rows = []
    for card in cards:
        row = {}
        for measure in measures:
            row[measure] = value_of(card, measure, grade) or NOT_YET
        rows.append(row)
    return rows


def _observed(categorised: Iterable[dict[str, Category]]) -> dict[str, list[Category]]:
    seen: dict[str, list[Category]] = {}
    for row in categorised:
        for measure, category in row.items():
            if category not in seen.setdefault(measure, []):
                seen[measure].append(category)
    return seen


def tally(categorised: Sequence[dict[str, Category]], columns: Columns) -> Tally:
    pupils = len(categorised)
    measures = []
    for measure in columns.names:
        counted = {c: 0 for c in columns.of(measure)}
        for row in categorised:
            counted[row[measure]] += 1
        measures.append(
            (measure, tuple(Count(c, n, percent(n, pupils)) for c, n in counted.items()))
        )
    return Tally(pupils, tuple(measures))


def add_tallies(tallies: Sequence[Tally], columns: Columns) -> Tally:
    """The sum of several groups' counts (grade and school totals), percentages recomputed
    from the sums, not averaged."""
    pupils = sum(t.pupils for t in tallies)
    measures = []
    for measure in columns.names:
        counts = tuple(
            Count(c, n, percent(n, pupils))
            for c in columns.of(measure)
            for n in [sum(t.count(measure, c.code) for t in tallies)]
        )
        measures.append((measure, counts))
    return Tally(pupils, tuple(measures))


# ---------------------------------------------------------------------------------------
# Headings shared by both documents
# ---------------------------------------------------------------------------------------


def term_code(term: Term | None) -> str:
    return "ca-nam" if term is None else str(term.number)


def term_heading(term: Term | None) -> str:
    """"HỌC KỲ I", "HỌC KỲ II" or "CẢ NĂM", as printed in a title."""
    return period_heading(term_code(term))


def period_heading(code: str) -> str:
    """term_heading by the period's code ("1", "2", "ca-nam")."""
    if code == WHOLE_YEAR:
        return "CẢ NĂM"
    return "HỌC KỲ " + {"1": "I", "2": "II"}.get(code, code)


def _authority(school: School) -> str:
    return (school.authority_name or "").upper()


def _school_name(school: School) -> str:
    return school.name.upper()


# ---------------------------------------------------------------------------------------
# The class summary
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    number: int
    full_name: str
    marks: tuple[str, ...]  # per subject column: "7,8", "Đ", "CĐ" or "" while incomplete
    averages: tuple[Decimal | None, ...]  # the same columns as numbers (None: no number)
    learning: str
    conduct: str
    absent_with_leave: int
    absent_without_leave: int
    award: str = ""
    promotion: str = ""
    khen_thuong: str = ""  # the year's Card.khen_thuong: the title, then the awards
    # After the summer (Circular 22 Art. 12–14): learning and conduct as re-assessed, and the
    # final decision; "" for a pupil without a summer or while it is undecided.
    summer_learning: str = ""
    summer_conduct: str = ""
    summer_promotion: str = ""
    # The Sổ theo dõi's year sheet (grades 6–12). `summer_step`: the decision that sends the
    # pupil to the summer, in its words ("Kiểm tra lại: Toán", "Rèn luyện trong kì nghỉ hè"),
    # "" otherwise; `retests`: the re-test results, "Toán: 6,0; Vật lí: 5,5"; `moved_up`: the
    # final decision (after the summer when there was one), None while it is not taken.
    summer_step: str = ""
    retests: str = ""
    moved_up: bool | None = None
    # The codes the "Tổng hợp chung" box counts from the rows, beside the printed words.
    promotion_code: str | None = None  # the decision before the summer (None: blank)
    retested: bool = False  # re-tests were (or are) part of the pupil's summer

    @property
    def promoted_mark(self) -> str:
        """The "Được lên lớp" column's mark."""
        return "x" if self.moved_up is True else ""

    @property
    def not_promoted_mark(self) -> str:
        """The "Không được lên lớp" column's mark."""
        return "x" if self.moved_up is False else ""

    @property
    def absent(self) -> int:
        return self.absent_with_leave + self.absent_without_leave


@dataclass(frozen=True)
class ClassSummary:
    authority: str
    school: str
    class_name: str
    grade: int
    school_year: str  # "Năm học 2026–2027"
    term: str  # "HỌC KỲ I" / "HỌC KỲ II" / "CẢ NĂM"
    term_code: str  # "1" / "2" / "ca-nam"
    is_year: bool
    subjects: tuple[str, ...]
    rows: tuple[SummaryRow, ...]
    columns: Columns
    tally: Tally
    homeroom_teacher: str
    principal: str
    principal_signs_as: str
    dated: str
    # "trong đó … được lên lớp sau khi kiểm tra lại / rèn luyện trong kì nghỉ hè": (label,
    # count) pairs, empty for a class where nobody had a summer.
    after_summer: tuple[tuple[str, int], ...] = ()
    # The subject columns are grouped as the Sổ theo dõi prints them: the scored subjects,
    # then the last `rated_count` ones, rated Đ/CĐ.
    rated_count: int = 0
    # Grades 1–5: Circular 27's Bảng tổng hợp (reports.primary_summary), None for grades 6–12.
    primary_sheet: primary_summary.PrimarySheet | None = None

    @property
    def scored_subjects(self) -> tuple[str, ...]:
        return self.subjects[: len(self.subjects) - self.rated_count]

    @property
    def rated_subjects(self) -> tuple[str, ...]:
        return self.subjects[len(self.subjects) - self.rated_count:]

    @property
    def promoted_heading(self) -> str:
        """"Được lên lớp", in grades 9 and 12 "Được công nhận hoàn thành chương trình …"."""
        return card_codes.decision_words(card_codes.LEN_LOP, self.grade)

    @property
    def not_promoted_heading(self) -> str:
        return card_codes.decision_words(card_codes.O_LAI_LOP, self.grade)

    @property
    def completion_heading(self) -> str:
        """Grades 1–5's year column: "Hoàn thành chương trình lớp học", in grade 5 "…
        tiểu học" (Circular 27 Art. 11)."""
        return card_codes.decision_words(card_codes.HOAN_THANH_CHUONG_TRINH, self.grade)

    @property
    def general(self) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
        """The "Tổng hợp chung" box under the sheet (grades 6–12), read from the class's tally,
        its rows and `after_summer`, so it agrees with what the page prints: (heading,
        ((label, pupils), …)), …"""
        return general_box(self.rows, self.tally, self.grade, self.is_year, self.after_summer)

    @property
    def title(self) -> str:
        if self.primary_sheet is not None:
            return self.primary_sheet.title
        return f"BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ {self.term}"

    @property
    def sections(self) -> list[tuple[str, tuple[Count, ...]]]:
        """(measure's printed title, its counts) in print order."""
        return [(self.columns.title(m), counts) for m, counts in self.tally.measures]

    @property
    def primary(self) -> bool:
        """Grades 1–5 (Circular 27): no conduct result and no titles on the pupils' rows."""
        return is_primary_grade(self.grade)


def _subject_columns(cards) -> tuple[tuple[str, ...], int]:
    """Every subject on any card (an elective taken by some pupils of the class only still
    gets its column): the scored ones, then the rated ones (Đ/CĐ), each group in the cards'
    order, which is the programme's (`Subject.sort_order`); and how many are rated."""
    names: dict[str, bool] = {}
    for card in cards:
        for line in card.subjects:
            names.setdefault(line.subject, line.rated)
    scored = [name for name, rated in names.items() if not rated]
    rated = [name for name, rated in names.items() if rated]
    return tuple(scored + rated), len(rated)


def _final_decision(card) -> bool | None:
    """Moved up (True), not (False) or not decided yet (None): the summer's decision once the
    pupil had a summer, else the year's."""
    code = card.final_promotion_code
    if code in (card_codes.LEN_LOP, card_codes.HOAN_THANH_CHUONG_TRINH):
        return True
    if code in (card_codes.O_LAI_LOP, card_codes.CHUA_HOAN_THANH_CHUONG_TRINH):
        return False
    return None


def _retest_list(card) -> str:
    return "; ".join(f"{line.subject}: {line.retest}" for line in card.subjects if line.retest)


def _year_sheet_fields(card) -> dict:
    """A year row's Sổ theo dõi columns (grades 6–12)."""
    to_summer = card.promotion_code in (card_codes.KIEM_TRA_LAI, card_codes.REN_LUYEN_HE)
    return {
        "summer_step": card.promotion if to_summer else "",
        "retests": _retest_list(card),
        "moved_up": _final_decision(card),
        "promotion_code": card.promotion_code,
        "retested": bool(card.retake_subject_ids) or any(line.retest for line in card.subjects),
        **_summer_marks(card),
    }


def summarise_class(cards: Sequence, class_group: ClassGroup, school_year: SchoolYear,
                    term: Term | None, *, midterm: bool = False,
                    midterm_ratings: dict | None = None) -> ClassSummary:
    """The class summary of `cards` (one per pupil, in class-list order). `class_group` and
    `school_year` give the headings when the class has no pupil (and so no card). A primary
    class also gets Circular 27's sheet (`primary_sheet`): `midterm` for the term's mid-term
    one, whose quality ratings are `midterm_ratings`."""
    is_year = term is None
    primary_sheet = None
    if class_group.is_primary:
        primary_sheet = primary_summary.build_sheet(
            cards, term, midterm=midterm, midterm_ratings=midterm_ratings
        )
    subjects, rated_count = _subject_columns(cards)
    rows = []
    for number, card in enumerate(cards, start=1):
        by_subject = {
            line.subject: (line.year, line.year_value) if is_year
            else (line.average, line.average_value)
            for line in card.subjects
        }
        blank = ("", None)
        rows.append(
            SummaryRow(
                number=number,
                full_name=card.full_name,
                marks=tuple(by_subject.get(s, blank)[0] for s in subjects),
                averages=tuple(by_subject.get(s, blank)[1] for s in subjects),
                learning=card.learning,
                conduct=card.conduct,
                absent_with_leave=card.absent_with_leave,
                absent_without_leave=card.absent_without_leave,
                award=card.award if is_year else "",
                promotion=card.promotion if is_year else "",
                khen_thuong=card.khen_thuong if is_year else "",
                **(_year_sheet_fields(card) if is_year else {}),
            )
        )
    measures = measures_for(is_year, [class_group.grade])
    categorised = _categorised(cards, class_group.grade, measures)
    columns = columns_for(measures, [class_group.grade], _observed(categorised))
    first = cards[0] if cards else None
    school = class_group.school
    return ClassSummary(
        authority=first.authority if first else _authority(school),
        school=first.school if first else _school_name(school),
        class_name=class_group.name,
        grade=class_group.grade,
        school_year=first.school_year if first else f"Năm học {school_year.name}",
        term=term_heading(term),
        term_code=term_code(term),
        is_year=is_year,
        subjects=subjects,
        rows=tuple(rows),
        columns=columns,
        tally=tally(categorised, columns),
        homeroom_teacher=first.homeroom_teacher if first else _homeroom_name(class_group),
        principal=first.principal if first else "",
        principal_signs_as=first.principal_signs_as if first else "HIỆU TRƯỞNG",
        dated=first.dated if first else "",
        after_summer=_after_summer(cards) if is_year else (),
        rated_count=rated_count,
        primary_sheet=primary_sheet,
    )


def general_box(rows: Sequence[SummaryRow], class_tally: Tally, grade: int, is_year: bool,
                after_summer: tuple[tuple[str, int], ...]):
    """The Sổ theo dõi's "Tổng hợp chung" (grades 6–12): pupils per level of learning and of
    conduct (the year's results, before any summer: the rows' columns), "Chưa có kết quả"
    for the rest when some are not complete, and for the year the titles, all read from the
    class's `class_tally`; for the year also the final decisions, counted from `rows` (the
    marks in the two columns, so those promoted after the summer are among the promoted),
    those sent to re-tests and to summer training, and "trong đó" those promoted after
    either (`after_summer`'s first two counts: the school's statistics print the same)."""

    def levels(measure: str) -> tuple[tuple[str, int], ...]:
        counts = [(level.label, class_tally.count(measure, level.code))
                  for level in SECONDARY_LEVELS]
        pending = class_tally.pupils - sum(n for _label, n in counts)
        return tuple(counts + ([(NOT_YET.label, pending)] if pending else []))

    box = [(MEASURE_TITLES[LEARNING], levels(LEARNING)), (MEASURE_TITLES[CONDUCT], levels(CONDUCT))]
    if not is_year:
        return tuple(box)
    passed = card_codes.decision_words(card_codes.LEN_LOP, grade)
    failed = card_codes.decision_words(card_codes.O_LAI_LOP, grade)
    # `_after_summer`'s counts: after re-tests, after training alone, …; () without a summer.
    after_retests, after_training = [n for _label, n in after_summer[:2]] or [0, 0]
    box += [
        (MEASURE_TITLES[PROMOTION], (
            (passed, sum(1 for row in rows if row.moved_up is True)),
            (failed, sum(1 for row in rows if row.moved_up is False)),
            ("Kiểm tra lại", sum(1 for row in rows if row.retested)),
            ("Rèn luyện trong kì nghỉ hè",
             sum(1 for row in rows if row.promotion_code == card_codes.REN_LUYEN_HE)),
        )),
        ("Trong đó", (
            (f"{passed} sau khi kiểm tra lại", after_retests),
            (f"{passed} sau khi rèn luyện trong kì nghỉ hè", after_training),
        )),
        (MEASURE_TITLES[AWARD], tuple(
            (category.label, class_tally.count(AWARD, category.code))
            for category in AWARDS if category.code in SECONDARY_AWARDS
        )),
    ]
    return tuple(box)


def _summer_marks(card) -> dict:
    return {
        "summer_learning": card.summer_learning,
        "summer_conduct": card.summer_conduct,
        "summer_promotion": card.summer_promotion,
    }


def _after_summer(cards) -> tuple[tuple[str, int], ...]:
    """How many moved up after the summer, by the summer's last step: after re-tests (a pupil
    who trained and then re-took tests counts here: the re-tests decided), after summer
    conduct training alone. Empty when no pupil of the class had a summer."""
    summered = [c for c in cards if c.had_summer]
    if not summered:
        return ()
    up = [c for c in summered if c.summer_promotion_code == card_codes.LEN_LOP]
    retested = sum(1 for c in up if c.retake_subject_ids)
    return (
        ("Được lên lớp sau khi kiểm tra lại", retested),
        ("Được lên lớp sau khi rèn luyện trong kì nghỉ hè", len(up) - retested),
        ("Không được lên lớp sau kì nghỉ hè",
         sum(1 for c in summered if c.summer_promotion_code == card_codes.O_LAI_LOP)),
    )


def _homeroom_name(class_group: ClassGroup) -> str:
    teacher = class_group.homeroom_teacher
    return getattr(teacher, "full_name", "") if teacher else ""


@reads_from_replica()
def class_summary(class_group: ClassGroup, school_year: SchoolYear,
                  term: Term | None = None, *, midterm: bool = False) -> ClassSummary:
    """Bảng tổng hợp kết quả đánh giá of one class for a term (or the year when `term` is None):
    one row per pupil as their card prints it, then the counts per level. The queries are
    those of one `cards_for` call, and for a primary class's mid-term sheet (`midterm`, with
    a term) one more for the mid-term quality ratings."""
    cards = cards_for(class_group, school_year, term)
    ratings = None
    if midterm and term is not None and class_group.is_primary and cards:
        ratings = primary_summary.midterm_qualities([c.student_id for c in cards], term)
    return summarise_class(cards, class_group, school_year, term, midterm=midterm,
                           midterm_ratings=ratings)


# ---------------------------------------------------------------------------------------
# School statistics
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassStatistics:
    class_id: int
    name: str
    grade: int
    tally: Tally


@dataclass(frozen=True)
class GradeStatistics:
    grade: int
    classes: tuple[ClassStatistics, ...]
    tally: Tally


@dataclass(frozen=True)
class SchoolStatistics:
    authority: str
    school: str
    school_code: str
    school_year: str  # "Năm học 2026–2027"
    school_year_name: str  # "2026–2027"
    term: str  # "HỌC KỲ I" / "HỌC KỲ II" / "CẢ NĂM"
    term_code: str
    is_year: bool
    columns: Columns
    grades: tuple[GradeStatistics, ...]
    total: Tally
    principal: str
    principal_signs_as: str
    dated: str
    # The school's "trong đó … được lên lớp sau khi kiểm tra lại / rèn luyện trong kì nghỉ
    # hè" (as the class summary's, over every class); empty when nobody had a summer.
    after_summer: tuple[tuple[str, int], ...] = ()

    @property
    def title(self) -> str:
        return f"THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ {self.term}"

    def rows(self) -> list[tuple[str, str, Tally]]:
        """(kind, label, tally) in print order: each grade's classes ("class"), the grade
        ("total"), and last the school ("school")."""
        rows = []
        for grade in self.grades:
            rows += [("class", c.name, c.tally) for c in grade.classes]
            rows.append(("total", f"Khối {grade.grade}", grade.tally))
        rows.append(("school", "Toàn trường", self.total))
        return rows

    @property
    def sections(self) -> list[dict]:
        """One printed table per measure: its title, categories and rows."""
        return [
            {
                "measure": measure,
                "title": self.columns.title(measure),
                "categories": self.columns.of(measure),
                "rows": [
                    {"kind": kind, "label": label, "pupils": t.pupils, "counts": t.counts(measure)}
                    for kind, label, t in self.rows()
                ],
            }
            for measure in self.columns.names
        ]


def summarise_school(school: School, school_year: SchoolYear, term: Term | None,
                     cards_by_class: Sequence[tuple[ClassGroup, Sequence]]) -> SchoolStatistics:
    """The statistics of `cards_by_class` ((class, its cards), classes by grade then name)."""
    measures = measures_for(term is None, [cg.grade for cg, _cards in cards_by_class])
    categorised = [
        (cg, _categorised(cards, cg.grade, measures)) for cg, cards in cards_by_class
    ]
    observed = _observed(row for _, rows in categorised for row in rows)
    columns = columns_for(measures, [cg.grade for cg, _ in cards_by_class], observed)
    grades: dict[int, list[ClassStatistics]] = {}
    for cg, rows in categorised:
        grades.setdefault(cg.grade, []).append(
            ClassStatistics(cg.pk, cg.name, cg.grade, tally(rows, columns))
        )
    grade_stats = tuple(
        GradeStatistics(grade, tuple(classes), add_tallies([c.tally for c in classes], columns))
        for grade, classes in sorted(grades.items())
    )
    first = next((cards[0] for _, cards in cards_by_class if cards), None)
    return SchoolStatistics(
        authority=first.authority if first else _authority(school),
        school=first.school if first else _school_name(school),
        school_code=school.code,
        school_year=first.school_year if first else f"Năm học {school_year.name}",
        school_year_name=school_year.name,
        term=term_heading(term),
        term_code=term_code(term),
        is_year=term is None,
        columns=columns,
        grades=grade_stats,
        total=add_tallies([g.tally for g in grade_stats], columns),
        principal=first.principal if first else "",
        principal_signs_as=first.principal_signs_as if first else "HIỆU TRƯỞNG",
        dated=first.dated if first else "",
        after_summer=(
            _after_summer([c for _cg, cards in cards_by_class for c in cards])
            if term is None else ()
        ),
    )


@reads_from_replica()
def school_statistics(school: School, school_year: SchoolYear,
                      term: Term | None = None) -> SchoolStatistics:
    """Per grade and class: pupils and counts with percentages per learning result and conduct
    rating (and, for the year, per award and promotion decision), plus the school's totals.
    One query for the classes, then one `cards_for` per class: the count grows with classes,
    never with pupils."""
    classes = list(
        ClassGroup.objects.filter(school=school, school_year=school_year)
        .select_related("school", "school_year", "homeroom_teacher")
        .order_by("sort_key")
    )
    cards_by_class = [(cg, cards_for(cg, school_year, term)) for cg in classes]
    return summarise_school(school, school_year, term, cards_by_class)


# ---------------------------------------------------------------------------------------
# Which year and term a request names (pages and API alike)
# ---------------------------------------------------------------------------------------

WHOLE_YEAR = "ca-nam"  # the web's word for the whole year (reports.views.runs uses it too)
_DASHES = re.compile(r"\s*[-‐‑‒–—]\s*")


class InvalidChoice(DomainError):
    status = 422
    code = "invalid_choice"
    message = _("This value is not one of the allowed values.")


def year_key(name: str) -> str:
    """A school year's name with any dash as "-": "2026–2027" and "2026-2027" are one year."""
    return _DASHES.sub("-", (name or "").strip())


def pick_school_year(years: Sequence[SchoolYear], value: str | None, *, field: str) -> SchoolYear:
    """The year named `value` ("2026-2027" finds "2026–2027": any dash) among `years`, or,
    without a value, the current one (else the latest). NotFound naming `field`."""
    if value is None or not value.strip():
        year = next((y for y in years if y.is_current), None)
        year = year or max(years, key=lambda y: y.start_date, default=None)
    else:
        year = next((y for y in years if year_key(y.name) == year_key(value)), None)
    if year is None:
        raise NotFound(_("This school has no such school year."), field=field)
    return year


def resolve_school_year(school: School, value: str | None, *, field: str) -> SchoolYear:
    """pick_school_year over the school's years (one query)."""
    return pick_school_year(list(school.years.all()), value, field=field)


def period_code(value: str, *, field: str, whole_year: Iterable[str] = (WHOLE_YEAR,)) -> str:
    """`value` stripped when it names a period ("1", "2" or a whole-year word); InvalidChoice
    naming `field` otherwise."""
    value = value.strip()
    if value not in ("1", "2", *whole_year):
        allowed = ", ".join(("1", "2", *whole_year))
        raise InvalidChoice(_("Choose one of: %(allowed)s.") % {"allowed": allowed}, field=field)
    return value


def pick_term(terms: TermQuerySet, value: str | None, *, field: str,
              whole_year: Iterable[str] = (WHOLE_YEAR,)) -> Term | None:
    """The term `value` names: "1" or "2", a whole-year word (None: the year), or, without a
    value, the term today falls in (the year before any term exists). InvalidChoice for any
    other value, NotFound when the term is not set up for that year."""
    whole_year = tuple(whole_year)
    if value is None or not value.strip():
        return terms.current()
    value = period_code(value, field=field, whole_year=whole_year)
    if value in whole_year:
        return None
    term = next((t for t in terms if t.number == int(value)), None)
    if term is None:
        raise NotFound(_("This term is not set up for that school year yet."), field=field)
    return term


# ---------------------------------------------------------------------------------------
# A department's statistics (reports/dashboard.py): per school and per grade
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentStatistics:
    """Counts of a department's schools for one period, on columns shared by every row: each
    school's total, each grade's over all the schools, and the department's."""

    is_year: bool
    columns: Columns
    schools: tuple[tuple[School, Tally], ...]  # in the order given
    grades: tuple[tuple[int, Tally], ...]  # by grade
    total: Tally


@dataclass(frozen=True)
class ClassCounts:
    """One class's pupils counted for one period, as the dashboard stores them
    (reports.models.ClassCounts): each measure of the period's every grade (TERM_MEASURES or
    YEAR_MEASURES) with its categories in the order first seen on the cards, and how many
    pupils fall in each. Enough to rebuild the class's Tally on any table's columns."""

    pupils: int
    measures: tuple[tuple[str, tuple[tuple[Category, int], ...]], ...]

    def as_json(self) -> dict:
        return {m: [[c.code, c.label, n] for c, n in counted] for m, counted in self.measures}

    @classmethod
    def from_json(cls, pupils: int, data: dict) -> "ClassCounts":
        return cls(pupils, tuple(
            (m, tuple((Category(code, label), n) for code, label, n in counted))
            for m, counted in data.items()
        ))


def count_class(cards, grade: int, is_year: bool) -> ClassCounts:
    """A class's cards counted once for the dashboard, classified as a school's statistics
    classify them (`value_of` on the cards' codes)."""
    measures = YEAR_MEASURES if is_year else TERM_MEASURES
    counted: dict[str, dict[Category, int]] = {m: {} for m in measures}
    for row in _categorised(cards, grade, measures):
        for measure, category in row.items():
            counted[measure][category] = counted[measure].get(category, 0) + 1
    return ClassCounts(len(cards), tuple((m, tuple(c.items())) for m, c in counted.items()))


def summarise_department(
    is_year: bool,
    counts_by_school: Sequence[tuple[School, Sequence[tuple[ClassGroup, ClassCounts]]]],
) -> DepartmentStatistics:
    """The counts of `counts_by_school` ((school, its (class, counts)), one period) on shared
    columns: the same columns and sums a school's statistics make of the same cards."""
    classes = [(cg, counts) for _school, by_class in counts_by_school for cg, counts in by_class]
    grades = [cg.grade for cg, _counts in classes]
    measures = measures_for(is_year, grades)
    observed: dict[str, list[Category]] = {}
    for _cg, counts in classes:
        for measure, counted in counts.measures:
            seen = observed.setdefault(measure, [])
            seen.extend(c for c, _n in counted if c not in seen)
    columns = columns_for(measures, grades, observed)
    by_class = {cg.pk: _class_tally(counts, columns) for cg, counts in classes}
    schools = tuple(
        (school, add_tallies([by_class[cg.pk] for cg, _c in by_class_counts], columns))
        for school, by_class_counts in counts_by_school
    )
    by_grade: dict[int, list[Tally]] = {}
    for cg, _counts in classes:
        by_grade.setdefault(cg.grade, []).append(by_class[cg.pk])
    return DepartmentStatistics(
        is_year=is_year,
        columns=columns,
        schools=schools,
        grades=tuple((g, add_tallies(t, columns)) for g, t in sorted(by_grade.items())),
        total=add_tallies([t for _s, t in schools], columns),
    )


def _class_tally(counts: ClassCounts, columns: Columns) -> Tally:
    counted = dict(counts.measures)
    measures = []
    for measure in columns.names:
        numbers = dict(counted.get(measure, ()))
        measures.append((measure, tuple(
            Count(c, numbers.get(c, 0), percent(numbers.get(c, 0), counts.pupils))
            for c in columns.of(measure)
        )))
    return Tally(counts.pupils, tuple(measures))

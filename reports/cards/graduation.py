"""The graduating years on the cards: a grade-10–12 year's overall average, and for grade 12
the figures of the pupil's grade 10 and grade 11 in this school and the 1 : 2 : 3 three-year
average (Circular 24/2024 Art. 41; the rules in grading/graduation.py).

The earlier years are read for the whole class in a fixed number of queries (four, or one when
no pupil of the class has an earlier year here), never per pupil:
1. the pupils' enrolments in this school's grade-10 and grade-11 classes of earlier years;
2. their published scores in those years (with each term's year and number);
3. the scored subjects taught to those classes; 4. those subjects and the scored subjects the
   scores are in.
Each year's subject averages follow the cards' rules (published cells only; term averages and
the year average of Circular 22 Art. 9), so an earlier figure is what that year's card printed.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from contactbook.gradebook.columns import columns_for, term_result
from contactbook.models import Score
from grading import circular22, graduation
from grading.errors import RuleError
from reports.cards.model import YearFigure
from school.models import ClassGroup, Enrolment, Subject, TeachingAssignment

EARLIER_GRADES = (10, 11)
AVERAGE = "Điểm trung bình cả năm"
THREE_YEARS = "Điểm trung bình các năm học"


@dataclass(frozen=True)
class EarlierYear:
    """One earlier year's figure for a pupil: `average` None with `reason` when it cannot be
    given (a subject without a complete year)."""

    grade: int
    school_year: str  # "2024–2025"
    average: Decimal | None
    reason: str = ""


def figure_text(value: Decimal | None) -> str:
    """A two-decimal figure as the forms print it: "7,53"."""
    return "" if value is None else format(value, "f").replace(".", ",")


def year_name(name: str) -> str:
    return name.strip().replace("-", "–")


def overall_average(scored: dict, missing_scored: bool) -> Decimal | None:
    """The year's overall average from the card's scored year averages; None while any scored
    subject has none (the card's `missing` already names it)."""
    if missing_scored or not scored:
        return None
    try:
        return graduation.year_overall_average(scored)
    except RuleError:
        return None


def earlier_years(class_group: ClassGroup, pupil_ids: list[int]) -> dict:
    """(student_id, grade) -> EarlierYear for the grade-10 and grade-11 years the pupils spent
    in this school before the class's year; a year spent twice (repeated) counts its latest."""
    rows = Enrolment.objects.filter(
        student__in=pupil_ids,
        class_group__school_id=class_group.school_id,
        class_group__grade__in=EARLIER_GRADES,
        school_year__start_date__lt=class_group.school_year.start_date,
    ).values_list(
        "student_id", "class_group_id", "class_group__grade", "school_year_id",
        "school_year__name", "school_year__start_date",
    )
    latest = {}  # (student, grade) -> (start, year id, name)
    classes = defaultdict(set)  # (student, year id) -> class ids that year
    for student, class_id, grade, year_id, name, start in rows:
        classes[(student, year_id)].add(class_id)
        if (student, grade) not in latest or start > latest[(student, grade)][0]:
            latest[(student, grade)] = (start, year_id, name)
    if not latest:
        return {}
    year_ids = {year_id for _start, year_id, _name in latest.values()}
    class_ids = {c for (s, y), ids in classes.items() if y in year_ids for c in ids}
    cells = {}
    scored_by_pupil_year = defaultdict(set)
    for student, year, number, subject, kind, index, value, passed, rating in (
        Score.objects.published()
        .filter(student__in=pupil_ids, term__school_year__in=year_ids,
                subject__assessment=Subject.Assessment.SCORED)
        .values_list("student_id", "term__school_year_id", "term__number", "subject_id",
                     "kind", "index", "value", "passed", "rating")
    ):
        cells[(student, year, number, subject, f"{kind}-{index}")] = _Cell(value, passed, rating)
        scored_by_pupil_year[(student, year)].add(subject)
    assigned = defaultdict(set)
    for class_id, subject in TeachingAssignment.objects.filter(
        class_group__in=class_ids, subject__assessment=Subject.Assessment.SCORED
    ).values_list("class_group_id", "subject_id"):
        assigned[class_id].add(subject)
    wanted = {s for ids in assigned.values() for s in ids}
    wanted |= {s for ids in scored_by_pupil_year.values() for s in ids}
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=wanted)}

    result = {}
    for (student, grade), (_start, year_id, name) in latest.items():
        ids = set(scored_by_pupil_year.get((student, year_id), ()))
        for class_id in classes[(student, year_id)]:
            ids |= assigned.get(class_id, set())
        pupil_subjects = sorted((subjects[i] for i in ids if i in subjects),
                                key=lambda s: (s.programme_order or 10_000, s.name, s.pk))
        result[(student, grade)] = _year_figure(
            grade, year_name(name), pupil_subjects,
            lambda subject, number, s=student, y=year_id: [
                cells.get((s, y, number, subject.pk, c.key)) for c in columns_for(subject)
            ],
        )
    return result


def _year_figure(grade, name, subjects, row) -> EarlierYear:
    averages, lacking = {}, []
    for subject in subjects:
        columns = columns_for(subject)
        terms = [term_result(subject, columns, row(subject, n))[0] for n in (1, 2)]
        if None in terms:
            lacking.append(subject.name)
            continue
        try:
            averages[f"{subject.name} ({subject.pk})"] = circular22.subject_year_average(*terms)
        except RuleError:
            lacking.append(subject.name)
    if lacking or not averages:
        what = ", ".join(lacking) if lacking else "các môn đánh giá bằng điểm số"
        return EarlierYear(grade, name, None, f"chưa đủ điểm cả năm môn {what}")
    return EarlierYear(grade, name, graduation.year_overall_average(averages))


@dataclass(frozen=True, slots=True)
class _Cell:
    value: Decimal | None
    passed: bool | None
    rating: str | None = None


# ---------------------------------------------------------------------------------------
# On the year card
# ---------------------------------------------------------------------------------------


def year_card_fields(class_group: ClassGroup, pupil_id: int, scored: dict, lacking: bool,
                     data, missing: list) -> dict:
    """The Card fields of the graduating years for a year card: {} below grade 10; the year's
    overall average in grades 10–12 once every scored subject has its year average (`lacking`
    says one has not: the card's `missing` already names it); in grade 12 also the three
    years' figures and their 1 : 2 : 3 average, a year the school does not hold or an
    incomplete one leaving it blank with the reason in `missing`."""
    if class_group.grade not in graduation.GRADUATING_GRADES:
        return {}
    value = overall_average(scored, lacking)
    fields = {"year_average": figure_text(value), "year_average_value": value}
    if class_group.grade != 12 or value is None:
        return fields
    figures, values = [], {12: value}
    for grade in EARLIER_GRADES:
        earlier = data.earlier.get((pupil_id, grade))
        if earlier is None:
            missing.append(f"{THREE_YEARS}: trường không có kết quả năm học lớp {grade} "
                           "(học sinh học lớp này ở trường khác)")
            figures.append(YearFigure(grade, "", ""))
            continue
        if earlier.average is None:
            missing.append(f"{AVERAGE} lớp {grade} ({earlier.school_year}): {earlier.reason}")
        values[grade] = earlier.average
        figures.append(YearFigure(grade, earlier.school_year, figure_text(earlier.average),
                                  earlier.average))
    figures.append(YearFigure(12, year_name(class_group.school_year.name), figure_text(value),
                              value))
    three = None
    if all(values.get(g) is not None for g in graduation.GRADUATING_GRADES):
        three = graduation.three_year_average(values[10], values[11], values[12])
    return {**fields, "graduation_years": tuple(figures),
            "three_year_average": figure_text(three), "three_year_average_value": three}

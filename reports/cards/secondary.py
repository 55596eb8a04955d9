"""A term card and a year card of grades 6–12 (Circular 22)."""

from contactbook.gradebook.columns import columns_for, term_result
from contactbook.models import AttendanceMark
from grading import circular22
from reports.cards.exemptions import with_exemptions
from reports.cards.graduation import year_card_fields
from reports.cards.loading import _Data
from reports.cards.model import (
    AWARD_CODES,
    LEVEL_CODES,
    PROMOTION_CODES,
    Card,
    SubjectLine,
    code_of,
    decision_words,
)
from reports.cards.printing import (
    CONDUCT,
    TERM_NAMES,
    TITLE,
    _assessed_learning,
    _average_text,
    _average_value,
    _cell_text,
    _dated,
    _header,
    _incomplete,
    _learning,
    _result_text,
    _rule,
    _rule_names,
)
from reports.cards.summer import summer_columns
from reports.cards.transfers import copied_note, copied_result, personal_plan
from school.models import ClassGroup, Student, Subject, Term

# ---------------------------------------------------------------------------------------
# A term card
# ---------------------------------------------------------------------------------------


def _term_card(class_group: ClassGroup, term: Term, pupil: Student, data: _Data) -> Card:
    subjects = data.subjects_of(pupil.pk)
    names = _rule_names(subjects)
    lines, results, cells_of = [], {}, {}
    for number, subject in enumerate(subjects, start=1):
        columns = columns_for(subject)
        cells = cells_of[subject.pk] = data.row(pupil.pk, term, subject)
        average, passed = term_result(subject, columns, cells)
        printed = [_cell_text(subject, c) for c in cells]
        is_rated = subject.assessment == Subject.Assessment.RATED
        lines.append(
            SubjectLine(
                number=number,
                subject=subject.name,
                rated=is_rated,
                regular=tuple(printed[:-2]),
                midterm=printed[-2],
                final=printed[-1],
                average=_result_text(passed) if is_rated else _average_text(average),
                comment=data.comments.get((pupil.pk, term.pk, subject.pk), ""),
                average_value=None if is_rated else _average_value(average),
            )
        )
        results[subject.pk] = passed if is_rated else average
    scored, rated, lacking = _split(results, subjects, names)
    missing = [_incomplete(subject, cells_of[subject.pk]) for subject in lacking]
    learning = _learning(scored, rated, missing)
    conduct = data.conduct.get((pupil.pk, term.pk), "")
    if not conduct:
        missing.append(f"{CONDUCT}: chưa đánh giá")
    lines, exemption_notes = with_exemptions(lines, subjects, data, pupil.pk, term.number)
    return Card(
        **_header(class_group, pupil, data),
        term_id=term.pk,
        title=f"{TITLE} HỌC KỲ {TERM_NAMES.get(term.number, term.number)}",
        subjects=tuple(lines),
        regular_columns=max((s.regular_assessment_count for s in subjects), default=0),
        learning=learning,
        conduct=conduct,
        absent_with_leave=data.absences.get((pupil.pk, AttendanceMark.Status.EXCUSED), 0),
        absent_without_leave=data.absences.get((pupil.pk, AttendanceMark.Status.UNEXCUSED), 0),
        homeroom_comment=data.comments.get((pupil.pk, term.pk, None), ""),
        dated=_dated(class_group.school.place_name, term.end_date),
        missing=tuple(missing),
        learning_code=code_of(learning, LEVEL_CODES),
        conduct_code=code_of(conduct, LEVEL_CODES),
        exemption_notes=exemption_notes,
    )


# ---------------------------------------------------------------------------------------
# A year card
# ---------------------------------------------------------------------------------------


def _year_line(number, subject, pupil_id, terms, data, missing) -> tuple[SubjectLine, object, dict]:
    """A subject's term I, term II and year results; returns the line, the year result
    (a Decimal average, a bool for a rated subject, or None while incomplete) and each term's
    result the same way ({1: …, 2: …})."""
    columns = columns_for(subject)
    rows = {n: data.row(pupil_id, terms.get(n), subject) for n in (1, 2)}
    (a1, r1), (a2, r2) = (term_result(subject, columns, rows[n]) for n in (1, 2))
    a1, r1, copied = copied_result(data, pupil_id, terms.get(1), subject, a1, r1)
    year, values = None, (None, None, None)
    if subject.assessment == Subject.Assessment.RATED:
        # The year result is term II's; term I may be missing (a pupil who joined in term II).
        if r2 is None:
            missing.append(_incomplete(subject, rows[2], " học kỳ II"))
        else:
            year = _rule(circular22.year_rated_result, (r1, r2), subject.name, missing)
        texts = (_result_text(r1), _result_text(r2), _result_text(year))
    else:
        for n, average in ((1, a1), (2, a2)):
            if average is None:
                missing.append(_incomplete(subject, rows[n], f" học kỳ {TERM_NAMES[n]}"))
        if a1 is not None and a2 is not None:
            year = _rule(circular22.subject_year_average, (a1, a2), subject.name, missing)
        texts = (_average_text(a1), _average_text(a2), _average_text(year))
        values = (_average_value(a1), _average_value(a2), _average_value(year))
    # The học bạ's "nhận xét" per subject is the teacher's year comment, not term II's.
    comment = data.year_comments.get((pupil_id, subject.pk), "")
    line = SubjectLine(
        number=number,
        subject=subject.name,
        rated=subject.assessment == Subject.Assessment.RATED,
        comment=comment,
        term1=texts[0],
        term2=texts[1],
        year=texts[2],
        term1_value=values[0],
        term2_value=values[1],
        year_value=values[2],
        term1_copied=copied,
    )
    rated = subject.assessment == Subject.Assessment.RATED
    return line, year, {1: r1 if rated else a1, 2: r2 if rated else a2}


def _promotion_text(decision: circular22.Promotion, grade: int) -> str:
    """The decision in the official words (`decision_words`): "Được lên lớp", "Không được lên
    lớp", "Rèn luyện trong kì nghỉ hè", or "Kiểm tra lại: Toán, Vật lí". A pupil with conduct
    and learning both Chưa đạt is sent to the summer training alone (Art. 13–14): the re-tests
    wait for the conduct re-assessment, so they are not printed beside it."""
    text = decision_words(code_of(decision.decision, PROMOTION_CODES), grade)
    if decision.retake_subjects:
        text += ": " + ", ".join(decision.retake_subjects)
    return text


def _split(results: dict, subjects: list, names: dict) -> tuple[dict, dict, list]:
    """Subject results ({subject id: a Decimal average, a bool for a rated subject, None while
    incomplete}) as the rules take them: (scored {rule name: average}, rated {rule name:
    passed}, the subjects without a result, in `subjects`' order)."""
    scored, rated, lacking = {}, {}, []
    for subject in subjects:
        result = results[subject.pk]
        if result is None:
            lacking.append(subject)
        elif isinstance(result, bool):
            rated[names[subject.pk]] = result
        else:
            scored[names[subject.pk]] = result
    return scored, rated, lacking


def _year_conduct(pupil_id: int, terms: dict, data: _Data, missing: list) -> tuple[str, dict]:
    """The year's conduct (Art. 8, from term I's and term II's; "" while either is missing)
    and the terms' ratings it read ({1: …, 2: …}, None for one not rated)."""
    ratings = {}
    for n in (1, 2):
        term = terms.get(n)
        ratings[n] = data.conduct.get((pupil_id, term.pk)) if term else None
        if not ratings[n]:
            missing.append(f"{CONDUCT}: chưa đánh giá học kỳ {TERM_NAMES[n]}")
    if not (ratings[1] and ratings[2]):
        return "", ratings
    return _rule(circular22.conduct_year, (ratings[1], ratings[2]), CONDUCT, missing) or "", ratings


def _term_results(results: dict, subjects: list, names: dict, terms: dict,
                  conducts: dict, learning: str, conduct: str) -> dict:
    """The học bạ's small table: term I's and term II's learning (Art. 9, from the terms'
    subject results on this card) and conduct (`conducts`, the ratings _year_conduct read),
    each filled only once the year's own result is (`learning`, `conduct`): a year card
    printed earlier keeps what it printed."""
    fields = {}
    for n in (1, 2):
        if learning:
            scored, rated, lacking = _split(
                {pk: by_term[n] for pk, by_term in results.items()}, subjects, names
            )
            fields[f"term{n}_learning"] = _learning(scored, rated, [s.name for s in lacking])
        if conduct and terms.get(n):
            fields[f"term{n}_conduct"] = conducts[n] or ""
    return fields


def _adjustment(assessed: circular22.LearningAssessment | None) -> dict:
    """Art. 9.3 on the card: the table's level and the subject that alone pulled it down."""
    if assessed is None or assessed.adjusted_for is None:
        return {}
    return {
        "learning_table_result": assessed.table_result,
        "learning_adjusted_for": assessed.adjusted_for,
    }


def _year_card(class_group: ClassGroup, terms: dict, pupil: Student, data: _Data) -> Card:
    subjects = data.subjects_of(pupil.pk)
    names = _rule_names(subjects)
    lines, missing, years, results = [], [], {}, {}
    for number, subject in enumerate(subjects, start=1):
        line, years[subject.pk], results[subject.pk] = _year_line(
            number, subject, pupil.pk, terms, data, missing
        )
        lines.append(line)
    # A subject without a year result is already in `missing` (_year_line says which term).
    scored, rated, _lacking = _split(years, subjects, names)
    assessed = _assessed_learning(scored, rated, missing)
    learning = assessed.result if assessed else ""
    conduct, conducts = _year_conduct(pupil.pk, terms, data, missing)
    with_leave = data.absences.get((pupil.pk, AttendanceMark.Status.EXCUSED), 0)
    without_leave = data.absences.get((pupil.pk, AttendanceMark.Status.UNEXCUSED), 0)
    award = promotion = ""
    promotion_code = decision = None
    if learning and conduct:  # otherwise `missing` already says what is lacking
        award = _rule(circular22.title, (learning, conduct, scored), "Danh hiệu", missing) or ""
        decision = _rule(
            circular22.promotion,
            (learning, conduct, with_leave + without_leave, scored, rated),
            "Xét lên lớp",
            missing,
        )
        promotion = _promotion_text(decision, class_group.grade) if decision else ""
        promotion_code = code_of(decision.decision, PROMOTION_CODES) if decision else None
    lines, summer = summer_columns(
        pupil.pk, subjects, names, lines, learning, conduct, with_leave + without_leave, scored,
        rated,
        decision, data.summer, class_group.grade, missing,
    )
    lacking = any(s.assessment == Subject.Assessment.SCORED and names[s.pk] not in scored
                  for s in subjects)
    graduating = year_card_fields(class_group, pupil.pk, scored, lacking, data, missing)
    lines, exemption_notes = with_exemptions(lines, subjects, data, pupil.pk, None)
    decided = personal_plan(data, pupil.pk, class_group.grade, promotion, promotion_code, missing)
    term2 = terms.get(2)
    return Card(
        **_header(class_group, pupil, data),
        term_id=None,
        title=f"{TITLE} CẢ NĂM",
        subjects=tuple(lines),
        regular_columns=0,
        learning=learning,
        conduct=conduct,
        absent_with_leave=with_leave,
        absent_without_leave=without_leave,
        homeroom_comment=data.comments.get((pupil.pk, term2.pk, None), "") if term2 else "",
        dated=_dated(
            class_group.school.place_name,
            term2.end_date if term2 else class_group.school_year.end_date,
        ),
        award=award,
        missing=tuple(missing),
        learning_code=code_of(learning, LEVEL_CODES),
        conduct_code=code_of(conduct, LEVEL_CODES),
        award_code=code_of(award, AWARD_CODES),
        awards=data.achievements(pupil.pk),  # Khen thưởng: thành tích đột xuất
        exemption_notes=exemption_notes,
        **graduating,
        copied_note=copied_note(data, pupil.pk, terms),
        **decided,
        **summer,
        **_term_results(results, subjects, names, terms, conducts, learning, conduct),
        **_adjustment(assessed),
    )

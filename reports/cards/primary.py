"""Grades 1–5 (Circular 27): the term and year cards of a primary class."""

import functools

from contactbook import qualities as quality_sheet
from contactbook.gradebook.columns import columns_for
from contactbook.models import AttendanceMark, QualityRating, Score
from grading import circular27
from reports.cards.loading import Cell, _Data
from reports.cards.model import (
    AWARD_CODES,
    CHUA_HOAN_THANH_CHUONG_TRINH,
    HOAN_THANH_CHUONG_TRINH,
    LEVEL_CODES,
    Card,
    QualityGroup,
    QualityLine,
    SubjectLine,
    code_of,
    decision_words,
)
from reports.cards.printing import (
    TERM_NAMES,
    TITLE,
    _dated,
    _header,
    _rule,
    _rule_names,
    _score_text,
)
from reports.cards.transfers import copied_note, personal_plan
from school import programme
from school.models import ClassGroup, Student, Term

EDUCATION_RESULT = "Kết quả giáo dục"  # how `missing` names the year result
QUALITIES = "Phẩm chất, năng lực"
# The record's three groups (học bạ), in Vietnamese whatever language the worker runs in;
# their items come from contactbook.qualities so the card and the class teacher's sheet agree.
QUALITY_GROUPS = ("Phẩm chất chủ yếu", "Năng lực chung", "Năng lực đặc thù")
_ITEM_NAMES = dict(QualityRating.Item.choices)


def _period_end(term: Term | None) -> str:
    """The assessment at a term's end as the circular names it: "cuối học kỳ I", and for
    term II (or a year whose term II is not set up) "cuối năm"."""
    if term is None or term.number == 2:
        return "cuối năm"
    return f"cuối học kỳ {TERM_NAMES.get(term.number, term.number)}"


def _rating_words(cell: Cell | None) -> str:
    return circular27.SUBJECT_RATINGS.get(cell.rating, "") if cell and cell.rating else ""


def _test_text(cell: Cell | None) -> str:
    return "" if cell is None or cell.value is None else _score_text(cell.value)


def _optional(subject, grade: int) -> bool:
    """An optional subject of the grade (Tiếng Anh in grades 1–2): its test, if the school
    gives one, is printed but neither asked for nor counted (Art. 7.1.b)."""
    return any(
        programme.same_subject(subject.name, name) for name in circular27.optional_subjects(grade)
    )


def _primary_lines(
    pupil_id: int, term: Term | None, data: _Data, missing: list, *, year: bool
) -> tuple[list[SubjectLine], dict, dict, set]:
    """The pupil's subject lines for `term` (None: not set up yet, every cell blank), and the
    rules' inputs: {subject: end-of-term rating code}, {subject: test score as printed} and
    the names of the optional subjects. A missing end-of-term rating or test (of a compulsory
    subject) goes to `missing`; mid-term cells are shown only."""
    subjects = data.subjects_of(pupil_id)
    names = _rule_names(subjects)
    when = _period_end(term)
    lines, ratings, tests = [], {}, {}
    optional = {names[s.pk] for s in subjects if _optional(s, data.grade)}
    for number, subject in enumerate(subjects, start=1):
        # The grade's columns only: a cell left from a column the subject no longer has (its
        # test unmarked) is not printed.
        kinds = [c.kind for c in columns_for(subject, data.grade)]
        row = {
            kind: data.cells.get((pupil_id, term.pk, subject.pk, f"{kind}-1")) if term else None
            for kind in kinds
        }
        final, test = row.get(Score.Kind.FINAL), row.get(Score.Kind.FINAL_TEST)
        if final is not None and final.rating:
            ratings[names[subject.pk]] = final.rating
        else:
            missing.append(f"{subject.name}: chưa đánh giá {when}")
        if Score.Kind.FINAL_TEST in row:
            if test is not None and test.value is not None:
                tests[names[subject.pk]] = _test_text(test)
            elif names[subject.pk] not in optional:
                missing.append(f"{subject.name}: chưa có điểm kiểm tra {when}")
        words = _rating_words(final)
        common = {
            "number": number,
            "subject": subject.name,
            "rated": False,
            "comment": data.comments.get((pupil_id, term.pk, subject.pk), "") if term else "",
            "primary": True,
            "final_test": _test_text(test),
        }
        if year:  # the end-of-year rating is the year's (Circular 27)
            lines.append(SubjectLine(**common, year=words))
        else:
            lines.append(
                SubjectLine(
                    **common,
                    midterm=_rating_words(row.get(Score.Kind.MIDTERM)),
                    final=words,
                    average=words,  # the term's result, as a rated subject's Đ/CĐ
                    midterm_test=_test_text(row.get(Score.Kind.MIDTERM_TEST)),
                )
            )
    return lines, ratings, tests, optional


def _quality_groups(
    pupil_id: int, term: Term | None, data: _Data, missing: list
) -> tuple[tuple[QualityGroup, ...], dict]:
    """The fifteen qualities and competencies with the pupil's end-of-term ratings in words,
    grouped as in the record, and {name: code} of those rated. Unrated ones go to `missing`
    in one entry."""
    groups, given, unrated = [], {}, []
    for name, (_label, items) in zip(QUALITY_GROUPS, quality_sheet.GROUPS, strict=True):
        lines = []
        for item in items:
            code = data.qualities.get((pupil_id, term.pk, item)) if term else None
            label = _ITEM_NAMES[item]
            words = circular27.QUALITY_RATINGS.get(code, "") if code else ""
            lines.append(QualityLine(label, words))
            if code:
                given[label] = code
            else:
                unrated.append(label)
        groups.append(QualityGroup(name, tuple(lines)))
    when = _period_end(term)
    if unrated and not given:
        missing.append(f"{QUALITIES}: chưa đánh giá {when}")
    elif unrated:
        missing.append(f"{QUALITIES}: chưa đánh giá {when} ({', '.join(unrated)})")
    return tuple(groups), given


def _primary_card(
    class_group: ClassGroup, pupil: Student, data: _Data, term: Term | None, **fields
) -> Card:
    """What every primary card has; `term` gives the qualities, comments and date."""
    return Card(
        **_header(class_group, pupil, data),
        regular_columns=0,
        conduct="",  # grades 1–5 are not rated for conduct (Circular 27)
        absent_with_leave=data.absences.get((pupil.pk, AttendanceMark.Status.EXCUSED), 0),
        absent_without_leave=data.absences.get((pupil.pk, AttendanceMark.Status.UNEXCUSED), 0),
        homeroom_comment=data.comments.get((pupil.pk, term.pk, None), "") if term else "",
        dated=_dated(
            class_group.school.place_name,
            term.end_date if term else class_group.school_year.end_date,
        ),
        primary=True,
        **fields,
    )


def _primary_term_card(class_group: ClassGroup, term: Term, pupil: Student, data: _Data) -> Card:
    """A term card of grades 1–5: ratings in words, written tests, comments, qualities and
    competencies. No result for the term: Circular 27 sums up at the end of the year only."""
    missing = []
    lines, _ratings, _tests, _optional_names = _primary_lines(
        pupil.pk, term, data, missing, year=False
    )
    groups, _given = _quality_groups(pupil.pk, term, data, missing)
    return _primary_card(
        class_group, pupil, data, term,
        term_id=term.pk,
        title=f"{TITLE} HỌC KỲ {TERM_NAMES.get(term.number, term.number)}",
        subjects=tuple(lines),
        learning="",
        missing=tuple(missing),
        qualities=groups,
    )


def _primary_year_card(class_group: ClassGroup, terms: dict, pupil: Student, data: _Data) -> Card:
    """The year card of grades 1–5: the end-of-year (term II) ratings and tests, the year
    result once every subject, quality and test is in, and whether the grade is completed.

    The tests asked for are the subjects the school marks as tested (`has_primary_test`, the
    grade book's column), so the rules are not handed the circular's subject names
    (`grade=`): a school's "Tiếng Anh" is the circular's "Ngoại ngữ 1"."""
    term2, missing = terms.get(2), []
    lines, ratings, tests, optional = _primary_lines(pupil.pk, term2, data, missing, year=True)
    groups, given = _quality_groups(pupil.pk, term2, data, missing)
    result = promotion = ""
    promotion_code = None
    if not missing:  # otherwise `missing` already says what is lacking
        result = _rule(
            functools.partial(circular27.year_result, optional=optional),
            (ratings, given, tests), EDUCATION_RESULT, missing,
        )
        result = result or ""
    award = circular27.primary_title(result, recognised=data.tieu_bieu(pupil.pk))
    if result:
        completes = circular27.completes_grade(result)
        promotion_code = HOAN_THANH_CHUONG_TRINH if completes else CHUA_HOAN_THANH_CHUONG_TRINH
        promotion = decision_words(promotion_code, class_group.grade)
    decided = personal_plan(data, pupil.pk, class_group.grade, promotion, promotion_code, missing)
    return _primary_card(
        class_group, pupil, data, term2,
        term_id=None,
        title=f"{TITLE} CẢ NĂM",
        subjects=tuple(lines),
        learning=result,
        learning_code=code_of(result, LEVEL_CODES),
        missing=tuple(missing),
        qualities=groups,
        award=award,  # Art. 13.1.a
        award_code=code_of(award, AWARD_CODES),
        awards=data.achievements(pupil.pk),
        copied_note=copied_note(data, pupil.pk, terms),
        **decided,
    )

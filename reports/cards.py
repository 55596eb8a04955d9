"""What a report card shows (phiếu báo kết quả học tập), as plain data.

`Card` is everything printed on one pupil's card, already formatted the Vietnamese way
(decimal comma, dd/mm/yyyy), so the PDF template only lays it out and the content hash covers
exactly what is printed. Only PUBLISHED scores count: an unpublished score, and any average
computed from it, never reaches a card.
"""

import datetime
import hashlib
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from contactbook.gradebook import columns_for, filled, subject_sort_key, term_result, terms_of
from contactbook.models import AttendanceMark, ConductRating, Score, TermComment
from reports.rules import circular22
from reports.rules.errors import RuleError
from school.models import (
    ClassGroup, SchoolYear, StaffMembership, Student, Subject, TeachingAssignment, Term,
)


@dataclass(frozen=True)
class SubjectLine:
    number: int
    subject: str
    rated: bool  # Đ/CĐ instead of scores
    regular: tuple[str, ...] = ()  # term cards: each regular assessment as printed ("7,5", "Đ")
    midterm: str = ""
    final: str = ""
    average: str = ""  # term average ("7,8") or result ("Đ"/"CĐ"); "" until complete
    comment: str = ""  # the subject teacher's term comment
    term1: str = ""  # year cards: term I, term II and year averages (or results)
    term2: str = ""
    year: str = ""


@dataclass(frozen=True)
class Card:
    student_id: int
    class_group_id: int
    school_year_id: int
    term_id: int | None  # None: the whole-year card (CẢ NĂM)
    authority: str  # "SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NINH" (upper case, as printed)
    school: str  # "TRƯỜNG THPT HẠ LONG"
    title: str  # "PHIẾU BÁO KẾT QUẢ HỌC TẬP HỌC KỲ I"
    school_year: str  # "Năm học 2026–2027"
    full_name: str
    class_name: str
    date_of_birth: str  # "05/03/2010"
    sex: str  # "Nam" / "Nữ"
    student_code: str
    subjects: tuple[SubjectLine, ...]
    regular_columns: int  # how many regular-assessment columns the table has (term cards)
    learning: str  # "Tốt" / "Khá" / "Đạt" / "Chưa đạt"; "" while incomplete
    conduct: str  # the same levels; "" while not rated
    absent_with_leave: int  # sessions (buổi)
    absent_without_leave: int
    homeroom_comment: str
    homeroom_teacher: str
    principal: str
    principal_signs_as: str  # "HIỆU TRƯỞNG"
    dated: str  # "Hạ Long, ngày 16 tháng 01 năm 2027"
    award: str = ""  # year cards: "Học sinh Xuất sắc" / "Học sinh Giỏi" / ""
    promotion: str = ""  # year cards: "Lên lớp", "Kiểm tra lại", …; "" while incomplete
    missing: tuple[str, ...] = ()  # what keeps a result blank, in Vietnamese

    def content_hash(self) -> str:
        """SHA-256 of everything printed: equal hashes, equal cards."""
        canonical = json.dumps(_plain(self), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(value):
    """A dataclass as nested lists of its fields in declaration order (a schema change
    changes the hash, as it should); ~5× quicker than asdict, which deep-copies."""
    if hasattr(value, "__dataclass_fields__"):
        return [_plain(getattr(value, name)) for name in value.__dataclass_fields__]
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value




# ---------------------------------------------------------------------------------------
# Selectors: a class's cards in a fixed number of queries (term: 8, year: 9)
# ---------------------------------------------------------------------------------------

TITLE = "PHIẾU BÁO KẾT QUẢ HỌC TẬP"
TERM_NAMES = {1: "I", 2: "II"}
PRINCIPAL_SIGNS_AS = "HIỆU TRƯỞNG"
SEX = {Student.Sex.MALE: "Nam", Student.Sex.FEMALE: "Nữ"}
LEARNING = "Kết quả học tập"
CONDUCT = "Kết quả rèn luyện"


def cards_for(
    class_group: ClassGroup,
    school_year: SchoolYear,
    term: Term | None = None,
    student_ids=None,
) -> list[Card]:
    """The term cards of `term`, or the year cards (CẢ NĂM) when `term` is None."""
    if term is not None:
        if term.school_year_id != school_year.pk:
            raise ValueError("the term must belong to the school year")
        return term_cards(class_group, term, student_ids)
    return year_cards(class_group, school_year, student_ids)


def term_cards(class_group: ClassGroup, term: Term, student_ids=None) -> list[Card]:
    """One card per pupil now in the class (Vietnamese order; only `student_ids` when given)
    for one term, from PUBLISHED scores only. Eight queries whatever the class size.

    A subject line's average, and the learning result, stay "" until every cell they need is
    published, and `missing` says why in Vietnamese: nothing raises for missing or odd data.
    A pupil's card is the same whichever other pupils are asked for, so its hash is stable.
    """
    class_group = _load_class(class_group)
    if term.school_year_id != class_group.school_year_id:
        raise ValueError("the term must belong to the class's school year")
    pupils = _pupils(class_group, student_ids)
    if not pupils:
        return []
    data = _Data.load(class_group, pupils, [term], term.start_date, term.end_date)
    return [_term_card(class_group, term, pupil, data) for pupil in pupils]


def year_cards(class_group: ClassGroup, school_year: SchoolYear, student_ids=None) -> list[Card]:
    """One whole-year card (CẢ NĂM) per pupil now in the class, from PUBLISHED scores of both
    terms: term I, term II and year results per subject, the year's learning and conduct
    results, the title and the promotion decision. Nine queries whatever the class size."""
    class_group = _load_class(class_group)
    if class_group.school_year_id != school_year.pk:
        raise ValueError("the class must belong to the school year")
    terms = {t.number: t for t in terms_of(class_group)}
    pupils = _pupils(class_group, student_ids)
    if not pupils:
        return []
    # The year's absences are its terms' (so they add up to the two term cards'), or the
    # school year's dates while its terms are not set up.
    spans = [(t.start_date, t.end_date) for t in terms.values()]
    spans = spans or [(class_group.school_year.start_date, class_group.school_year.end_date)]
    start, end = min(a for a, _b in spans), max(b for _a, b in spans)
    data = _Data.load(class_group, pupils, list(terms.values()), start, end)
    return [_year_card(class_group, terms, pupil, data) for pupil in pupils]


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def _load_class(class_group: ClassGroup) -> ClassGroup:
    """The class with its school, year and homeroom teacher (one query, whatever the caller
    had already loaded, so the count stays fixed)."""
    return ClassGroup.objects.select_related("school", "school_year", "homeroom_teacher").get(
        pk=class_group.pk
    )


def _pupils(class_group: ClassGroup, student_ids) -> list[Student]:
    pupils = Student.objects.in_class(class_group)
    if student_ids is not None:
        pupils = pupils.filter(pk__in=list(student_ids))
    return list(pupils)


@dataclass
class _Data:
    """Everything a class's cards read, keyed for lookups: six queries."""

    class_subjects: list[Subject]
    cells: dict  # (student_id, term_id, subject_id, column key) -> published Cell
    pupil_subjects: dict  # student_id -> {subject_id: Subject} with published scores
    comments: dict  # (student_id, term_id, subject_id or None) -> text
    conduct: dict  # (student_id, term_id) -> rating
    absences: dict  # (student_id, status) -> sessions
    principal: str
    subject_keys: dict = field(default_factory=dict)

    @classmethod
    def load(cls, class_group, pupils, terms, start: datetime.date, end: datetime.date):
        ids = [p.pk for p in pupils]
        # Only published cells are read at all: an unpublished score cannot leak into a card.
        # Plain tuples, not Score instances: a school run reads ~70,000 cells.
        published = Score.objects.filter(student__in=ids, term__in=terms, published_at__isnull=False)
        subjects = {
            s.pk: s
            for s in Subject.objects.filter(
                Q(assignments__class_group=class_group) | Q(pk__in=published.values("subject_id"))
            )
            .annotate(assigned=Exists(TeachingAssignment.objects.filter(class_group=class_group, subject=OuterRef("pk"))))
            .distinct()
        }
        cells, pupil_subjects = {}, defaultdict(dict)
        for student, term, subject, kind, index, value, passed in published.values_list(
            "student_id", "term_id", "subject_id", "kind", "index", "value", "passed"
        ):
            cells[(student, term, subject, f"{kind}-{index}")] = Cell(value, passed)
            pupil_subjects[student][subject] = subjects[subject]
        comments = TermComment.objects.filter(student__in=ids, term__in=terms)
        ratings = ConductRating.objects.filter(student__in=ids, term__in=terms)
        absences = (
            AttendanceMark.objects.filter(
                student__in=ids,
                date__range=(start, end),
                status__in=[AttendanceMark.Status.EXCUSED, AttendanceMark.Status.UNEXCUSED],
            )
            .values("student_id", "status")
            .annotate(sessions=Count("pk"))
            .order_by()
        )
        principal = (
            StaffMembership.objects.filter(
                school_id=class_group.school_id,
                role=StaffMembership.Role.PRINCIPAL,
                is_active=True,
            )
            .select_related("user")
            .order_by("pk")
            .first()
        )
        return cls(
            class_subjects=[s for s in subjects.values() if s.assigned],
            cells=cells,
            pupil_subjects=pupil_subjects,
            comments={
                (student, term, subject): text
                for student, term, subject, text in comments.values_list(
                    "student_id", "term_id", "subject_id", "text"
                )
            },
            conduct={
                (student, term): rating
                for student, term, rating in ratings.values_list("student_id", "term_id", "rating")
            },
            absences={(a["student_id"], a["status"]): a["sessions"] for a in absences},
            principal=principal.user.full_name if principal else "",
        )

    def subjects_of(self, student_id: int) -> list[Subject]:
        """The class's subjects plus any the pupil has published scores in, in the grade
        book's order; primary subjects (Circular 27) have no such card and are left out."""
        subjects = {s.pk: s for s in self.class_subjects}
        subjects.update(self.pupil_subjects.get(student_id, {}))
        return sorted(
            (s for s in subjects.values() if s.assessment != Subject.Assessment.PRIMARY),
            key=self._subject_order,
        )

    def _subject_order(self, subject: Subject) -> tuple:
        # Computed once per subject, not once per pupil and subject.
        if subject.pk not in self.subject_keys:
            self.subject_keys[subject.pk] = (subject_sort_key(subject), subject.pk)
        return self.subject_keys[subject.pk]

    def row(self, student_id: int, term: Term | None, subject: Subject) -> list:
        """The subject's published cells for the term, one Score or None per column."""
        if term is None:
            return [None for _c in columns_for(subject)]
        return [
            self.cells.get((student_id, term.pk, subject.pk, c.key)) for c in columns_for(subject)
        ]


@dataclass(frozen=True, slots=True)
class Cell:
    """A published grade-book cell, as much of a Score as a card needs."""

    value: Decimal | None
    passed: bool | None


# ---------------------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------------------


def _score_text(value: Decimal) -> str:
    """One assessment as a teacher wrote it: "8", "7,5" (never the locale's "7.5": a card is
    a Vietnamese document whatever language the worker runs in)."""
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return format(value, "f").replace(".", ",")


def _average_text(value: Decimal | None) -> str:
    """An average always with its one decimal: "8,0", "7,5"."""
    return "" if value is None else format(value.quantize(Decimal("0.1")), "f").replace(".", ",")


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
        "principal": data.principal,
        "principal_signs_as": PRINCIPAL_SIGNS_AS,
    }


def _learning(scored: dict, rated: dict, missing: list) -> str:
    """The learning result once every subject has one; a rule that cannot decide (e.g. no
    scored subject at all) leaves it blank and says why instead of failing the batch."""
    if missing:
        return ""
    try:
        return circular22.learning_result(scored, rated)
    except RuleError as exc:
        missing.append(f"{LEARNING}: {exc.message.rstrip('.')}")
        return ""


# ---------------------------------------------------------------------------------------
# A term card
# ---------------------------------------------------------------------------------------


def _term_card(class_group: ClassGroup, term: Term, pupil: Student, data: _Data) -> Card:
    subjects = data.subjects_of(pupil.pk)
    names = _rule_names(subjects)
    lines, scored, rated, missing = [], {}, {}, []
    for number, subject in enumerate(subjects, start=1):
        columns = columns_for(subject)
        cells = data.row(pupil.pk, term, subject)
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
            )
        )
        if is_rated and passed is not None:
            rated[names[subject.pk]] = passed
        elif not is_rated and average is not None:
            scored[names[subject.pk]] = average
        else:
            missing.append(_incomplete(subject, cells))
    learning = _learning(scored, rated, missing)
    conduct = data.conduct.get((pupil.pk, term.pk), "")
    if not conduct:
        missing.append(f"{CONDUCT}: chưa đánh giá")
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
    )


# ---------------------------------------------------------------------------------------
# A year card
# ---------------------------------------------------------------------------------------


def _year_line(number, subject, pupil_id, terms, data, missing) -> tuple[SubjectLine, object]:
    """A subject's term I, term II and year results; returns the line and the year result
    (a Decimal average, a bool for a rated subject, or None while incomplete)."""
    columns = columns_for(subject)
    rows = {n: data.row(pupil_id, terms.get(n), subject) for n in (1, 2)}
    (a1, r1), (a2, r2) = (term_result(subject, columns, rows[n]) for n in (1, 2))
    year = None
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
    term2 = terms.get(2)
    comment = data.comments.get((pupil_id, term2.pk, subject.pk), "") if term2 else ""
    line = SubjectLine(
        number=number,
        subject=subject.name,
        rated=subject.assessment == Subject.Assessment.RATED,
        comment=comment,
        term1=texts[0],
        term2=texts[1],
        year=texts[2],
    )
    return line, year


def _rule(function, args, what: str, missing: list):
    """Call a rule; a RuleError becomes a `missing` entry and a blank result, not a 500."""
    try:
        return function(*args)
    except RuleError as exc:
        missing.append(f"{what}: {exc.message.rstrip('.')}")  # the card adds its own "."
        return None


def _promotion_text(decision: circular22.Promotion) -> str:
    """The decision as printed: "Lên lớp", "Ở lại lớp", "Rèn luyện trong hè" or "Kiểm tra
    lại: Toán, Vật lí" (then "; rèn luyện trong hè" when conduct needs the summer too)."""
    text = decision.decision[:1].upper() + decision.decision[1:]
    if decision.retake_subjects:
        text += ": " + ", ".join(decision.retake_subjects)
        if decision.summer_conduct_training:
            text += "; " + circular22.REN_LUYEN_TRONG_HE
    return text


def _year_conduct(pupil_id: int, terms: dict, data: _Data, missing: list) -> str:
    ratings = {}
    for n in (1, 2):
        term = terms.get(n)
        ratings[n] = data.conduct.get((pupil_id, term.pk)) if term else None
        if not ratings[n]:
            missing.append(f"{CONDUCT}: chưa đánh giá học kỳ {TERM_NAMES[n]}")
    if not (ratings[1] and ratings[2]):
        return ""
    return _rule(circular22.conduct_year, (ratings[1], ratings[2]), CONDUCT, missing) or ""


def _year_card(class_group: ClassGroup, terms: dict, pupil: Student, data: _Data) -> Card:
    subjects = data.subjects_of(pupil.pk)
    names = _rule_names(subjects)
    lines, scored, rated, missing = [], {}, {}, []
    for number, subject in enumerate(subjects, start=1):
        line, year = _year_line(number, subject, pupil.pk, terms, data, missing)
        lines.append(line)
        if isinstance(year, bool):
            rated[names[subject.pk]] = year
        elif year is not None:
            scored[names[subject.pk]] = year
    learning = _learning(scored, rated, missing)
    conduct = _year_conduct(pupil.pk, terms, data, missing)
    with_leave = data.absences.get((pupil.pk, AttendanceMark.Status.EXCUSED), 0)
    without_leave = data.absences.get((pupil.pk, AttendanceMark.Status.UNEXCUSED), 0)
    award = promotion = ""
    if learning and conduct:  # otherwise `missing` already says what is lacking
        award = _rule(circular22.title, (learning, conduct, scored), "Danh hiệu", missing) or ""
        decision = _rule(
            circular22.promotion,
            (learning, conduct, with_leave + without_leave, scored, rated),
            "Xét lên lớp",
            missing,
        )
        promotion = _promotion_text(decision) if decision else ""
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
        promotion=promotion,
        missing=tuple(missing),
    )

"""What a report card shows (phiếu báo kết quả học tập), as plain data.

`Card` is everything printed on one pupil's card, already formatted the Vietnamese way
(decimal comma, dd/mm/yyyy), so the PDF template only lays it out and the content hash covers
exactly what is printed. Only PUBLISHED scores count: an unpublished score, and any average
computed from it, never reaches a card.

Grades 6–12 follow Circular 22 (scores, averages, learning and conduct results, titles,
promotion). Grades 1–5 follow Circular 27 (`Card.primary`): each subject's rating in words and
its written tests, the qualities and competencies, and on the year card the year result
(Hoàn thành xuất sắc … Chưa hoàn thành) and whether the pupil completes the grade. No average,
no conduct, no title and no ranking on a primary card: the circular forbids comparing pupils.
"""

import datetime
import hashlib
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from contactbook import qualities as quality_sheet
from contactbook.gradebook.columns import columns_for, filled, subject_sort_key, term_result
from contactbook.models import AttendanceMark, ConductRating, QualityRating, Score, TermComment
from grading import circular22, circular27
from grading.errors import RuleError
from school.models import (
    ClassGroup,
    SchoolYear,
    StaffMembership,
    Student,
    Subject,
    TeachingAssignment,
    Term,
    is_primary_grade,
)

# Fields added after cards were first issued: left out of the content hash while they hold
# their default, so a card that does not use them keeps the hash (and the rendered PDF and
# verification code) it had before they existed.
_NEW = {"hashed_when_default": False}


@dataclass(frozen=True)
class QualityLine:
    """A quality or competency and its rating in words (Tốt / Đạt / Cần cố gắng)."""

    name: str  # "Trung thực"
    rating: str  # "" while not rated


@dataclass(frozen=True)
class QualityGroup:
    name: str  # "Phẩm chất chủ yếu", "Năng lực chung", "Năng lực đặc thù"
    lines: tuple[QualityLine, ...]


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
    # Grades 1–5 (Circular 27). `midterm`, `final` and `average` (the term's result) then hold
    # ratings in words ("Hoàn thành tốt"), and a year card's `year` the end-of-year rating.
    primary: bool = field(default=False, metadata=_NEW)
    midterm_test: str = field(default="", metadata=_NEW)  # written tests, whole numbers ("8")
    final_test: str = field(default="", metadata=_NEW)  # end of term (year card: of the year)


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
    # Grades 1–5 (Circular 27): `learning` holds the year result ("Hoàn thành tốt"; "" on term
    # cards, which have none), `promotion` "Hoàn thành chương trình lớp học" or not; `conduct`
    # and `award` stay "" and `regular_columns` 0.
    primary: bool = field(default=False, metadata=_NEW)
    qualities: tuple[QualityGroup, ...] = field(default=(), metadata=_NEW)  # end-of-term ratings

    def content_hash(self) -> str:
        """SHA-256 of everything printed: equal hashes, equal cards."""
        canonical = json.dumps(_plain(self), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(value):
    """A dataclass as nested lists of its fields in declaration order (a schema change
    changes the hash, as it should, except a `_NEW` field still at its default); ~5× quicker
    than asdict, which deep-copies."""
    if hasattr(value, "__dataclass_fields__"):
        plain = []
        for name, spec in value.__dataclass_fields__.items():
            item = getattr(value, name)
            if spec.metadata.get("hashed_when_default", True):
                plain.append(_plain(item))
            elif item != spec.default:
                plain.append([name, _plain(item)])  # named: two optional fields never collide
        return plain
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


# ---------------------------------------------------------------------------------------
# Selectors: a class's cards in a fixed number of queries (term: 8, year: 9; the same for a
# primary class, whose quality ratings are read instead of conduct)
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
    for one term, from PUBLISHED scores only. Eight queries whatever the class size. A class
    of grades 1–5 gets Circular 27's card (`Card.primary`).

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
    if data.primary:
        return [_primary_term_card(class_group, term, pupil, data) for pupil in pupils]
    return [_term_card(class_group, term, pupil, data) for pupil in pupils]


def year_cards(class_group: ClassGroup, school_year: SchoolYear, student_ids=None) -> list[Card]:
    """One whole-year card (CẢ NĂM) per pupil now in the class, from PUBLISHED scores of both
    terms: term I, term II and year results per subject, the year's learning and conduct
    results, the title and the promotion decision. Nine queries whatever the class size.
    A class of grades 1–5 gets Circular 27's year card: the end-of-year ratings and tests,
    the year result and whether the pupil completes the grade."""
    class_group = _load_class(class_group)
    if class_group.school_year_id != school_year.pk:
        raise ValueError("the class must belong to the school year")
    terms = {t.number: t for t in Term.objects.of_year(class_group.school_year_id)}
    pupils = _pupils(class_group, student_ids)
    if not pupils:
        return []
    # The year's absences are its terms' (so they add up to the two term cards'), or the
    # school year's dates while its terms are not set up.
    spans = [(t.start_date, t.end_date) for t in terms.values()]
    spans = spans or [(class_group.school_year.start_date, class_group.school_year.end_date)]
    start, end = min(a for a, _b in spans), max(b for _a, b in spans)
    data = _Data.load(class_group, pupils, list(terms.values()), start, end)
    if data.primary:
        return [_primary_year_card(class_group, terms, pupil, data) for pupil in pupils]
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
    """Everything a class's cards read, keyed for lookups: six queries. A primary class
    (grades 1–5) reads its quality ratings where a secondary one reads conduct."""

    class_subjects: list[Subject]
    cells: dict  # (student_id, term_id, subject_id, column key) -> published Cell
    pupil_subjects: dict  # student_id -> {subject_id: Subject} with published scores
    comments: dict  # (student_id, term_id, subject_id or None) -> text
    conduct: dict  # (student_id, term_id) -> rating
    absences: dict  # (student_id, status) -> sessions
    principal: str
    subject_keys: dict = field(default_factory=dict)
    grade: int = 0
    qualities: dict = field(default_factory=dict)  # (student_id, term_id, item) -> "T"/"Đ"/"C"

    @property
    def primary(self) -> bool:  # grades 1–5: Circular 27
        return is_primary_grade(self.grade)

    @classmethod
    def load(cls, class_group, pupils, terms, start: datetime.date, end: datetime.date):
        ids = [p.pk for p in pupils]
        primary = class_group.is_primary
        # Only published cells are read at all: an unpublished score cannot leak into a card.
        # Plain tuples, not Score instances: a school run reads ~70,000 cells.
        published = Score.objects.filter(student__in=ids, term__in=terms, published_at__isnull=False)
        subjects = {
            s.pk: s
            for s in Subject.objects.filter(
                Q(assignments__class_group=class_group) | Q(pk__in=published.values("subject_id"))
            )
            .annotate(
                assigned=Exists(
                    TeachingAssignment.objects.filter(
                        class_group=class_group, subject=OuterRef("pk")
                    )
                )
            )
            .distinct()
        }
        cells, pupil_subjects = {}, defaultdict(dict)
        for student, term, subject, kind, index, value, passed, rating in published.values_list(
            "student_id", "term_id", "subject_id", "kind", "index", "value", "passed", "rating"
        ):
            cells[(student, term, subject, f"{kind}-{index}")] = Cell(value, passed, rating)
            pupil_subjects[student][subject] = subjects[subject]
        comments = TermComment.objects.filter(student__in=ids, term__in=terms)
        # Grades 1–5 have no conduct result (Circular 27): the class teacher's current
        # end-of-term ratings of qualities and competencies instead, in the same one query.
        if primary:
            ratings = QualityRating.objects.filter(
                student__in=ids, term__in=terms, period=QualityRating.Period.FINAL
            ).values_list("student_id", "term_id", "item", "rating")
        else:
            ratings = ConductRating.objects.filter(student__in=ids, term__in=terms).values_list(
                "student_id", "term_id", "rating"
            )
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
            conduct={} if primary else {(s, t): rating for s, t, rating in ratings},
            absences={(a["student_id"], a["status"]): a["sessions"] for a in absences},
            principal=principal.user.full_name if principal else "",
            grade=class_group.grade,
            qualities={(s, t, item): rating for s, t, item, rating in ratings} if primary else {},
        )

    def subjects_of(self, student_id: int) -> list[Subject]:
        """The class's subjects plus any the pupil has published scores in, in the grade
        book's order: a primary class's primary subjects (Circular 27), a secondary class's
        others (Circular 22) — a subject of the other kind has no line on the card."""
        subjects = {s.pk: s for s in self.class_subjects}
        subjects.update(self.pupil_subjects.get(student_id, {}))
        return sorted(
            (
                s for s in subjects.values()
                if (s.assessment == Subject.Assessment.PRIMARY) == self.primary
            ),
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
    rating: str | None = None  # primary ratings: "T", "H", "C"


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


# ---------------------------------------------------------------------------------------
# Grades 1–5 (Circular 27)
# ---------------------------------------------------------------------------------------

EDUCATION_RESULT = "Kết quả giáo dục"  # how `missing` names the year result
QUALITIES = "Phẩm chất, năng lực"
# The record's three groups (học bạ), in Vietnamese whatever language the worker runs in;
# their items come from contactbook.qualities so the card and the class teacher's sheet agree.
QUALITY_GROUPS = ("Phẩm chất chủ yếu", "Năng lực chung", "Năng lực đặc thù")
COMPLETES = "Hoàn thành chương trình lớp học"
DOES_NOT_COMPLETE = "Chưa hoàn thành chương trình lớp học"
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


def _primary_lines(
    pupil_id: int, term: Term | None, data: _Data, missing: list, *, year: bool
) -> tuple[list[SubjectLine], dict, dict]:
    """The pupil's subject lines for `term` (None: not set up yet, every cell blank), and the
    rules' inputs: {subject: end-of-term rating code} and {subject: test score as printed}.
    A missing end-of-term rating or test goes to `missing`; mid-term cells are shown only."""
    subjects = data.subjects_of(pupil_id)
    names = _rule_names(subjects)
    when = _period_end(term)
    lines, ratings, tests = [], {}, {}
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
            else:
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
    return lines, ratings, tests


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
    lines, _ratings, _tests = _primary_lines(pupil.pk, term, data, missing, year=False)
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
    lines, ratings, tests = _primary_lines(pupil.pk, term2, data, missing, year=True)
    groups, given = _quality_groups(pupil.pk, term2, data, missing)
    result = promotion = ""
    if not missing:  # otherwise `missing` already says what is lacking
        result = _rule(circular27.year_result, (ratings, given, tests), EDUCATION_RESULT, missing)
        result = result or ""
    if result:
        promotion = COMPLETES if circular27.completes_grade(result) else DOES_NOT_COMPLETE
    return _primary_card(
        class_group, pupil, data, term2,
        term_id=None,
        title=f"{TITLE} CẢ NĂM",
        subjects=tuple(lines),
        learning=result,
        promotion=promotion,
        missing=tuple(missing),
        qualities=groups,
    )

"""Loading: everything a class's cards read, in a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from contactbook.gradebook.columns import columns_for, subject_sort_key
from contactbook.models import (
    AttendanceMark,
    ConductRating,
    CopiedTerm,
    PersonalPlan,
    QualityRating,
    Score,
    TermComment,
)
from grading.absences import count_absences, plan_for_grade
from reports.cards.graduation import earlier_years
from reports.models import Award
from school.models import (
    ClassGroup,
    PracticalExemption,
    StaffMembership,
    Student,
    Subject,
    TeachingAssignment,
    Term,
    is_primary_grade,
)


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


def _one_plan_absences(marks, plan: str) -> dict:
    """{(student_id, EXCUSED | UNEXCUSED): count} on the one-session plan, from the absent
    marks (student_id, date, session, status)."""
    by_pupil = defaultdict(list)
    for student_id, day, session, status in marks:
        by_pupil[student_id].append((day, session, status == AttendanceMark.Status.EXCUSED))
    counts = {}
    for student_id, sessions in by_pupil.items():
        counted = count_absences(sessions, plan)
        counts[(student_id, AttendanceMark.Status.EXCUSED)] = counted.with_leave
        counts[(student_id, AttendanceMark.Status.UNEXCUSED)] = counted.without_leave
    return counts


@dataclass
class _Data:
    """Everything a class's cards read, keyed for lookups: seven queries (six for grades 1–5,
    which have no exemptions; four more for a grade-12 year card's earlier years). A primary class
    (grades 1–5) reads its quality ratings where a secondary one reads conduct."""

    class_subjects: list[Subject]
    cells: dict  # (student_id, term_id, subject_id, column key) -> published Cell
    pupil_subjects: dict  # student_id -> {subject_id: Subject} with published scores
    comments: dict  # (student_id, term_id, subject_id or None) -> text
    conduct: dict  # (student_id, term_id) -> rating
    absences: dict  # (student_id, status) -> sessions on the one-session plan (or days, 1–5)
    principal: str
    subject_keys: dict = field(default_factory=dict)
    grade: int = 0
    qualities: dict = field(default_factory=dict)  # (student_id, term_id, item) -> "T"/"Đ"/"C"
    # Grades 6–12: (student_id, subject_id) -> [(term number or None, decision no., date)],
    # the principal's exemptions from practical work this year (one query; none for 1–5).
    exemptions: dict = field(default_factory=dict)
    # Grade 12: (student_id, 10 or 11) -> graduation.EarlierYear (four queries, or one).
    earlier: dict = field(default_factory=dict)
    # Year cards only (`load(year=True)`, two more queries): terms copied from the previous
    # school's record (contactbook.models.CopiedTerm) and personal education plans.
    copied: dict = field(default_factory=dict)  # (student_id, term_id, subject_id) -> Copied
    copied_from: dict = field(default_factory=dict)  # student_id -> [(term_id, previous school)]
    plans: dict = field(default_factory=dict)  # student_id -> PersonalPlan.promoted (None: pending)
    # Year cards: student_id -> [(Award.kind, text)] of the confirmed awards (`load_awards`).
    awards: dict = field(default_factory=dict)
    summer: object = None  # year cards of grades 6–12: reports.cards.summer.SummerRows
    # The subject teachers' year comments (TermComment.whole_year): (student_id, subject_id)
    # -> text, read in the comments' one query.
    year_comments: dict = field(default_factory=dict)
    # The vice-principal who signs for the principal ("KT. HIỆU TRƯỞNG"), a run's setting
    # (ReportRun.deputy); "" when the principal signs.
    deputy: str = ""

    @property
    def primary(self) -> bool:  # grades 1–5: Circular 27
        return is_primary_grade(self.grade)

    @classmethod
    def load(cls, class_group, pupils, terms, start: datetime.date, end: datetime.date,
             *, year: bool = False):
        """`year`: also what only year cards read: the grade-12 pupils' grade-10 and grade-11
        years, the terms copied from a previous school and the personal education plans."""
        ids = [p.pk for p in pupils]
        primary = class_group.is_primary
        # Only published cells are read at all: an unpublished score cannot leak into a card.
        # Plain tuples, not Score instances: a school run reads ~70,000 cells.
        published = Score.objects.published().filter(student__in=ids, term__in=terms)
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
        comment_rows = list(
            TermComment.objects.filter(student__in=ids, term__in=terms).values_list(
                "student_id", "term_id", "subject_id", "text", "whole_year"
            )
        )
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
        # The absent sessions themselves, not a count per status: Art. 12.1.c counts them on
        # the one-session plan (grading.absences), which needs their days. Still one query.
        absent = AttendanceMark.objects.filter(
            student__in=ids,
            date__range=(start, end),
            status__in=[AttendanceMark.Status.EXCUSED, AttendanceMark.Status.UNEXCUSED],
        ).values_list("student_id", "date", "session", "status")
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
        exemptions = defaultdict(list)
        if not primary:
            for student, subject, term, number, day in PracticalExemption.objects.filter(
                student__in=ids, school_year_id=class_group.school_year_id
            ).values_list("student_id", "subject_id", "term__number", "decision_number",
                          "decision_date"):
                exemptions[(student, subject)].append((term, number, day))
        data = cls(
            class_subjects=[s for s in subjects.values() if s.assigned],
            cells=cells,
            pupil_subjects=pupil_subjects,
            comments={
                (student, term, subject): text
                for student, term, subject, text, whole_year in comment_rows
                if not whole_year
            },
            year_comments={
                (student, subject): text
                for student, _term, subject, text, whole_year in comment_rows
                if whole_year
            },
            conduct={} if primary else {(s, t): rating for s, t, rating in ratings},
            absences=_one_plan_absences(
                absent, plan_for_grade(class_group.school.absence_plan, class_group.grade)
            ),
            principal=principal.user.full_name if principal else "",
            grade=class_group.grade,
            qualities={(s, t, item): rating for s, t, item, rating in ratings} if primary else {},
            exemptions=dict(exemptions),
            earlier=earlier_years(class_group, ids) if year and class_group.grade == 12 else {},
        )
        if year:
            data._load_year_records(ids, terms, class_group.school_year_id)
        return data

    def _load_year_records(self, ids, terms, school_year_id) -> None:
        """Two queries: the terms copied from a previous school, with their results (one row
        per result, or one bare row for a term copied without any), and the year's personal
        education plans. A copied term's conduct and absences count where this school has
        none of its own for that term; its results are read by `reports.cards.transfers`."""
        rows = CopiedTerm.objects.filter(student__in=ids, term__in=terms).values_list(
            "student_id", "term_id", "previous_school", "conduct", "absent_with_leave",
            "absent_without_leave", "results__subject_id", "results__average",
            "results__passed", "results__rating", "results__test_score",
        ).order_by("term__number", "pk")
        seen = set()
        for student, term, school, conduct, excused, unexcused, subject, *values in rows:
            if (student, term) not in seen:
                seen.add((student, term))
                self.copied_from.setdefault(student, []).append((term, school))
                if conduct:
                    self.conduct.setdefault((student, term), conduct)
                for status, count in ((AttendanceMark.Status.EXCUSED, excused),
                                      (AttendanceMark.Status.UNEXCUSED, unexcused)):
                    self.absences[(student, status)] = self.absences.get((student, status), 0) + count
            if subject is not None:
                self.copied[(student, term, subject)] = Copied(*values)
        self.plans = dict(
            PersonalPlan.objects.filter(student__in=ids, school_year_id=school_year_id)
            .values_list("student_id", "promoted")
        )

    def load_awards(self, pupils, school_year_id: int) -> None:
        """The year's confirmed awards of `pupils` (Khen thưởng): one query, year cards only."""
        awards = defaultdict(list)
        for student, kind, text in (
            Award.objects.filter(
                student__in=[p.pk for p in pupils], school_year_id=school_year_id,
                confirmed_at__isnull=False,
            )
            .order_by("recorded_at", "pk")
            .values_list("student_id", "kind", "text")
        ):
            awards[student].append((kind, text))
        self.awards = dict(awards)

    def tieu_bieu(self, student_id: int) -> bool:
        """Whether the principal confirmed the class's Tiêu biểu proposal (Circular 27)."""
        return any(kind == Award.Kind.TIEU_BIEU for kind, _t in self.awards.get(student_id, ()))

    def achievements(self, student_id: int) -> tuple[str, ...]:
        """The pupil's awards for outstanding achievements, as recorded, oldest first."""
        return tuple(
            text for kind, text in self.awards.get(student_id, ())
            if kind == Award.Kind.ACHIEVEMENT
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


@dataclass(frozen=True, slots=True)
class Copied:
    """A subject's result copied from the previous school's record (CopiedResult)."""

    average: Decimal | None
    passed: bool | None
    rating: str = ""
    test_score: int | None = None

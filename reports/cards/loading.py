"""Loading: everything a class's cards read, in a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from contactbook.gradebook.columns import columns_for, subject_sort_key
from contactbook.models import AttendanceMark, ConductRating, QualityRating, Score, TermComment
from school.models import (
    ClassGroup,
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
    summer: object = None  # year cards of grades 6–12: reports.cards.summer.SummerRows

    @property
    def primary(self) -> bool:  # grades 1–5: Circular 27
        return is_primary_grade(self.grade)

    @classmethod
    def load(cls, class_group, pupils, terms, start: datetime.date, end: datetime.date):
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

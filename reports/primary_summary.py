"""Grades 1–5: the Bảng tổng hợp kết quả đánh giá giáo dục of a class (Circular 27/2020), at
the mid-term and the end of each term, built from the pupils' cards like the secondary sheet.

Per pupil: each subject's level (T / H / C) and, where it has one, the written test's mark;
the fifteen qualities and competencies (T / Đ / C) in the record's three groups
(contactbook.qualities); at the end of the year also "Đánh giá kết quả giáo dục" (the year
result), Khen thưởng (Art. 13's title and the awards) and whether the pupil completes the
grade's programme.

The cards hold the end-of-term quality ratings only; the mid-term sheet reads the mid-term
ones in one more query (`midterm_qualities`), whatever the class size.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contactbook import qualities as quality_sheet
from contactbook.models import QualityRating
from grading import circular27
from reports.cards.primary import QUALITY_GROUPS
from reports.cards.printing import TERM_NAMES
from school.models import Term

_SUBJECT_CODES = {words: code for code, words in circular27.SUBJECT_RATINGS.items()}
_QUALITY_CODES = {words: code for code, words in circular27.QUALITY_RATINGS.items()}
_ITEM_NAMES = dict(QualityRating.Item.choices)


@dataclass(frozen=True)
class PrimarySubject:
    name: str
    has_test: bool  # a test column: some pupil has a mark in it for this period


@dataclass(frozen=True)
class PrimaryRow:
    number: int
    full_name: str
    # The subject columns in print order (PrimarySheet.subject_columns): each subject's level
    # ("T" / "H" / "C", "" while not rated), then its test's mark as printed ("8", "" without
    # one) where the sheet has a test column for it.
    cells: tuple[str, ...]
    qualities: tuple[str, ...]  # the fifteen items in the record's order: "T" / "Đ" / "C" / ""
    result: str = ""  # year: "Hoàn thành tốt" …
    khen_thuong: str = ""  # year: the title, then the awards
    completion: str = ""  # year: "Hoàn thành chương trình lớp học" (grade 5: "… tiểu học") or not


@dataclass(frozen=True)
class PrimarySheet:
    period: str  # "GIỮA HỌC KỲ I", "CUỐI HỌC KỲ I", "GIỮA HỌC KỲ II", "CUỐI HỌC KỲ II", "CUỐI NĂM HỌC"
    is_year: bool
    subjects: tuple[PrimarySubject, ...]
    quality_groups: tuple[tuple[str, tuple[str, ...]], ...]  # (group, its items' names)
    rows: tuple[PrimaryRow, ...]

    @property
    def title(self) -> str:
        return f"BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC {self.period}"

    @property
    def subject_columns(self) -> list[tuple[str, str]]:
        """(subject name, "level" or "test") per printed subject column."""
        columns = []
        for subject in self.subjects:
            columns.append((subject.name, "level"))
            if subject.has_test:
                columns.append((subject.name, "test"))
        return columns

    @property
    def lines(self) -> list[dict]:
        """The rows with their subject cells in column order (for the templates)."""
        return [{"row": row, "cells": list(row.cells)} for row in self.rows]


def period_heading(term: Term | None, midterm: bool) -> str:
    if term is None:
        return "CUỐI NĂM HỌC"
    number = TERM_NAMES.get(term.number, str(term.number))
    return f"{'GIỮA' if midterm else 'CUỐI'} HỌC KỲ {number}"


def midterm_qualities(student_ids: Iterable[int], term: Term) -> dict[tuple[int, str], str]:
    """{(student_id, item): "T"/"Đ"/"C"} of the term's mid-term ratings: one query."""
    return {
        (student, item): rating
        for student, item, rating in QualityRating.objects.filter(
            student__in=list(student_ids), term=term, period=QualityRating.Period.MIDTERM
        ).values_list("student_id", "item", "rating")
    }


def _subjects(cards: Sequence, midterm: bool) -> tuple[PrimarySubject, ...]:
    """Every subject on any card in the cards' (programme) order, with a test column when
    some pupil has a mark for this period."""
    found: dict[str, bool] = {}
    for card in cards:
        for line in card.subjects:
            test = line.midterm_test if midterm else line.final_test
            found[line.subject] = found.get(line.subject, False) or bool(test)
    return tuple(PrimarySubject(name, has_test) for name, has_test in found.items())


def _card_qualities(card) -> dict[str, str]:
    """{item name: code} of a card's end-of-term quality ratings."""
    return {
        line.name: _QUALITY_CODES.get(line.rating, line.rating)
        for group in card.qualities
        for line in group.lines
        if line.rating
    }


def build_sheet(cards: Sequence, term: Term | None, *, midterm: bool = False,
                midterm_ratings: dict | None = None) -> PrimarySheet:
    """The sheet of `cards` (a primary class's term cards, or year cards when `term` is
    None). `midterm`: the mid-term sheet, whose quality ratings are `midterm_ratings`
    (`midterm_qualities`)."""
    is_year = term is None
    subjects = _subjects(cards, midterm)
    items = list(quality_sheet.ITEMS)
    rows = []
    for number, card in enumerate(cards, start=1):
        by_name = {line.subject: line for line in card.subjects}
        cells = []
        for subject in subjects:
            line = by_name.get(subject.name)
            if line is None:
                level = test = ""
            else:
                words = line.midterm if midterm else (line.year if is_year else line.final)
                level = _SUBJECT_CODES.get(words, words)
                test = line.midterm_test if midterm else line.final_test
            cells += [level, test] if subject.has_test else [level]
        if midterm:
            given = midterm_ratings or {}
            marks = tuple(given.get((card.student_id, item), "") for item in items)
        else:
            by_item = _card_qualities(card)
            marks = tuple(by_item.get(_ITEM_NAMES[item], "") for item in items)
        year = {}
        if is_year:
            year = {
                "result": card.learning,
                "khen_thuong": card.khen_thuong,
                "completion": card.promotion,
            }
        rows.append(PrimaryRow(number, card.full_name, tuple(cells), marks, **year))
    groups = tuple(
        (name, tuple(_ITEM_NAMES[item] for item in group_items))
        for name, (_label, group_items) in zip(QUALITY_GROUPS, quality_sheet.GROUPS, strict=True)
    )
    return PrimarySheet(
        period=period_heading(term, midterm),
        is_year=is_year,
        subjects=subjects,
        quality_groups=groups,
        rows=tuple(rows),
    )

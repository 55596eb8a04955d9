"""The principal's exemptions from practical work on a card (Circular 22/2021 Art. 10; the
rules in grading/exemptions.py): the subject's line keeps its result and is marked "Miễn thực
hành", and a sentence under the table gives the decision."""

import dataclasses

from grading import exemptions as rules
from reports.cards.model import SubjectLine
from school.models import Subject


def with_exemptions(lines: list[SubjectLine], subjects: list[Subject], data, pupil_id: int,
                    card_term: int | None) -> tuple[list[SubjectLine], tuple[str, ...]]:
    """The lines with their exemption marks for the card of `card_term` (None: the year card),
    and the decisions as sentences: "Giáo dục thể chất: miễn thực hành cả năm học (Quyết định
    số 12/QĐ-THPT ngày 05/09/2026)". Lines and notes are unchanged without an exemption."""
    if not data.exemptions:
        return lines, ()
    notes, marked = [], []
    for line, subject in zip(lines, subjects, strict=True):
        decisions = [d for d in data.exemptions.get((pupil_id, subject.pk), ())
                     if rules.applies(d[0], card_term)]
        words = rules.exemption_words([d[0] for d in decisions], card_term)
        marked.append(dataclasses.replace(line, exemption=words) if words else line)
        for term, number, day in sorted(decisions, key=lambda d: (d[0] or 0, d[2])):
            notes.append(
                f"{subject.name}: miễn thực hành {rules.period_words(term)} "
                f"(Quyết định số {number} ngày {day:%d/%m/%Y})"
            )
    return marked, tuple(notes)

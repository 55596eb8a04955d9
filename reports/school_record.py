"""The học bạ (school record) of a class: for each pupil the particulars page and one page per
school year this school holds for them, each year's page printing that year's card (the same
data and code as the year card, reports.cards.year_cards), grades 1–5 with the height and
weight of the year (contactbook.BodyMeasurement). Rendered as one PDF for the class.

The particulars are what the models hold (name, sex, date of birth, the Ministry's student
code, the parents and guardians with their relationship); the record's other lines (place of
birth, ethnicity, address) are printed blank for the school to fill in by hand: nothing is
invented.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from contactbook.models import BodyMeasurement
from reports import pdf
from reports.cards.model import Card
from reports.cards.printing import _average_text
from reports.cards.selectors import year_cards
from school.models import ClassGroup, Enrolment, Guardianship, Student, is_primary_grade

_PARENTS = (Guardianship.Relationship.FATHER, Guardianship.Relationship.MOTHER)
LEVELS = {"primary": "TIỂU HỌC", "lower": "TRUNG HỌC CƠ SỞ", "upper": "TRUNG HỌC PHỔ THÔNG"}


def _level_words(grade: int) -> str:
    if is_primary_grade(grade):
        return LEVELS["primary"]
    return LEVELS["lower"] if grade <= 9 else LEVELS["upper"]


@dataclass(frozen=True)
class RecordYear:
    """One school year of the record: the row of "Quá trình học tập" and the year's page."""

    school_year: str  # "2025–2026"
    class_name: str
    school: str  # "Trường Tiểu học Hồng Hà", as the school names itself
    card: Card  # the year card (CẢ NĂM) of that year, from year_cards
    height: str = ""  # grades 1–5: "125,5" (cm); "" when not recorded
    weight: str = ""  # kg

    @property
    def primary(self) -> bool:
        return self.card.primary


@dataclass(frozen=True)
class PupilRecord:
    """A pupil's học bạ: the particulars and the years, oldest first."""

    student_id: int
    full_name: str
    sex: str
    date_of_birth: str
    student_code: str
    authority: str  # the body the school answers to, as the card prints it (upper case)
    school: str  # the school, upper case
    level: str  # "TIỂU HỌC", "TRUNG HỌC CƠ SỞ", "TRUNG HỌC PHỔ THÔNG"
    # The parents and guardians the school holds: names, "" when none is recorded.
    father: str = ""
    mother: str = ""
    guardians: tuple[str, ...] = ()
    years: tuple[RecordYear, ...] = field(default=())


def school_record_for(class_group: ClassGroup, student_ids=None) -> list[PupilRecord]:
    """The học bạ of every pupil now in `class_group` (class-list order; only `student_ids`
    when given, as a run's chunk asks), with each year this
    school holds for them up to the class's year: the years of an active enrolment (a year the
    pupil left the school in has no card, as on the family's list of cards).

    Queries: four (the class, its pupils, their enrolments, their guardians; a fifth, the
    heights and weights, when a year is of grades 1–5), then one year_cards per class the pupils were in (its
    own fixed count: 12 for grades 1–5, 15 for 6–11, 19 for 12). So the count grows with the
    number of earlier classes the pupils come from, never with the number of pupils."""
    class_group = ClassGroup.objects.select_related("school", "school_year").get(pk=class_group.pk)
    pupils = Student.objects.in_class(class_group)
    if student_ids is not None:
        pupils = pupils.filter(pk__in=list(student_ids))
    pupils = list(pupils)
    if not pupils:
        return []
    ids = [p.pk for p in pupils]
    enrolments = list(
        Enrolment.objects.active()
        .filter(
            student__in=ids,
            class_group__school_id=class_group.school_id,
            class_group__school_year__start_date__lte=class_group.school_year.start_date,
        )
        .select_related("class_group__school", "class_group__school_year")
        .order_by("class_group__school_year__start_date", "pk")
    )
    by_class = defaultdict(list)
    for enrolment in enrolments:
        by_class[enrolment.class_group].append(enrolment.student_id)
    cards = {}  # (student_id, school_year_id) -> Card
    for earlier, student_ids in by_class.items():
        for card in year_cards(earlier, earlier.school_year, student_ids):
            cards[(card.student_id, card.school_year_id)] = card
    measures = _measurements(ids, enrolments)
    relatives = _relatives(ids)
    records = []
    for pupil in pupils:
        years = tuple(
            _record_year(e, cards[(pupil.pk, e.school_year_id)], measures)
            for e in enrolments
            if e.student_id == pupil.pk and (pupil.pk, e.school_year_id) in cards
        )
        current = cards[(pupil.pk, class_group.school_year_id)]
        father, mother, guardians = relatives.get(pupil.pk, ("", "", ()))
        records.append(PupilRecord(
            student_id=pupil.pk,
            full_name=current.full_name,
            sex=current.sex,
            date_of_birth=current.date_of_birth,
            student_code=current.student_code,
            authority=current.authority,
            school=current.school,
            level=_level_words(class_group.grade),
            father=father,
            mother=mother,
            guardians=guardians,
            years=years,
        ))
    return records


def _record_year(enrolment: Enrolment, card: Card, measures: dict) -> RecordYear:
    height, weight = measures.get((enrolment.student_id, enrolment.school_year_id), ("", ""))
    return RecordYear(
        school_year=enrolment.class_group.school_year.name.strip().replace("-", "–"),
        class_name=enrolment.class_group.name,
        school=enrolment.class_group.school.name,
        card=card,
        height=height,
        weight=weight,
    )


def _measurements(ids: list[int], enrolments: list[Enrolment]) -> dict:
    """{(student_id, school_year_id): ("125,5", "24,0")} of the primary years: one query, none
    when no year of the record is of grades 1–5."""
    if not any(e.class_group.is_primary for e in enrolments):
        return {}
    return {
        (student, year): (_average_text(height), _average_text(weight))
        for student, year, height, weight in BodyMeasurement.objects.filter(
            student__in=ids
        ).values_list("student_id", "school_year_id", "height_cm", "weight_kg")
    }


def _relatives(ids: list[int]) -> dict:
    """{student_id: (father, mother, (guardians…))}: the names of the accounts linked to each
    pupil, by relationship (a guardian or another relative both print as a guardian). One
    query."""
    found = defaultdict(lambda: {"father": [], "mother": [], "guardians": []})
    rows = (
        Guardianship.objects.filter(student__in=ids)
        .order_by("pk")
        .values_list("student_id", "relationship", "guardian__user__full_name")
    )
    for student, relationship, name in rows:
        if not name:
            continue
        key = relationship if relationship in _PARENTS else "guardians"
        found[student][key].append(name)
    return {
        student: (", ".join(r["father"]), ", ".join(r["mother"]), tuple(r["guardians"]))
        for student, r in found.items()
    }


# --- PDF ------------------------------------------------------------------------------------


def record_html(record: PupilRecord) -> str:
    """One pupil's học bạ as HTML: the particulars page, then a page per year."""
    years = [{"year": y, "v": pdf.card_body_view(y.card), "card": y.card} for y in record.years]
    return render_to_string(
        "reports/school_record.html", {"record": record, "years": years}
    )


def render_school_record(class_group: ClassGroup, records: list[PupilRecord]) -> bytes:
    """The class's học bạ as one PDF: each pupil's record laid out as its own document (its
    pages numbered on their own, memory bounded by one pupil), then joined in class order. A
    class without pupils gets one page saying so, not an empty file."""
    if not records:
        html = render_to_string("reports/school_record.html", {"empty_class": class_group})
        return pdf.html_to_pdf(html)
    return pdf.merge_pdfs([pdf.html_to_pdf(record_html(record)) for record in records])

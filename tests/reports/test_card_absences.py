"""Absences on the cards, counted on the one-session plan (Circular 22 Article 12.1.c:
"tính theo kế hoạch giáo dục 01 buổi/ngày"; grading.absences), printed in the forms' unit:
sessions for grades 6–12, days ("Số ngày nghỉ") for grades 1–5."""

import datetime
import io

import pytest
from pypdf import PdfReader

from contactbook.models import AttendanceMark
from reports import pdf, statistics
from reports.cards.selectors import term_cards, year_cards
from school.models import School
from tests import factories as f
from tests.reports import test_cards

# The term cards' fixtures and helpers (tests/reports/test_cards.py), reused.
subjects, term1, term2 = test_cards.subjects, test_cards.term1, test_cards.term2
_pass_the_year, card_of = test_cards._pass_the_year, test_cards.card_of

pytestmark = pytest.mark.django_db

BOTH = ("morning", "afternoon")


def miss(pupil, class_group, by, first: datetime.date, days: int, sessions=BOTH,
         status=AttendanceMark.Status.EXCUSED):
    """`days` consecutive days from `first` missed, each in `sessions`."""
    AttendanceMark.objects.bulk_create(
        AttendanceMark(
            student=pupil, class_group=class_group, date=first + datetime.timedelta(days=n),
            session=session, status=status, recorded_by=by,
        )
        for n in range(days)
        for session in sessions
    )


def year_card(cast, pupil=None):
    pupil = pupil or cast.pupil_a1
    return card_of(year_cards(cast.class_a1, cast.class_a1.school_year), pupil)


def test_a_two_session_pupil_who_missed_23_whole_days_moves_up(cast, subjects, term1, term2):
    """The issue's case: 46 sessions in the register, 23 on the one-session plan (≤ 45)."""
    _pass_the_year(cast, cast.pupil_a1, subjects, term1, term2)
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term1.start_date, 20)
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term2.start_date, 3,
         status=AttendanceMark.Status.UNEXCUSED)
    assert AttendanceMark.objects.filter(student=cast.pupil_a1).count() == 46

    card = year_card(cast)

    assert (card.absent_with_leave, card.absent_without_leave) == (20, 3)
    assert card.promotion == "Được lên lớp"
    assert card.promotion_code == "len_lop"


@pytest.mark.parametrize(("days", "words"), [(45, "Được lên lớp"), (46, "Không được lên lớp")])
def test_the_limit_is_45_days_on_the_plan(cast, subjects, term1, term2, days, words):
    _pass_the_year(cast, cast.pupil_a1, subjects, term1, term2)
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term1.start_date, days)

    card = year_card(cast)

    assert card.absent_with_leave == days
    assert card.promotion == words


def test_a_one_session_school_counts_every_absent_session_as_before(cast, subjects, term1, term2):
    """Mornings only: each absent session is its own day, so 46 of them still hold back."""
    _pass_the_year(cast, cast.pupil_a1, subjects, term1, term2)
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term1.start_date, 46, ("morning",))

    card = year_card(cast)

    assert card.absent_with_leave == 46
    assert card.promotion == "Không được lên lớp"


def test_a_school_whose_mornings_carry_the_plan_counts_only_mornings(cast, subjects, term1, term2):
    School.objects.filter(pk=cast.school_a.pk).update(absence_plan=School.AbsencePlan.MORNING)
    _pass_the_year(cast, cast.pupil_a1, subjects, term1, term2)
    # 50 afternoons (the extra session) and 10 mornings, the mornings without leave.
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term1.start_date, 50, ("afternoon",))
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term2.start_date, 10, ("morning",),
         status=AttendanceMark.Status.UNEXCUSED)

    card = year_card(cast)
    term_card = card_of(term_cards(cast.class_a1, term1), cast.pupil_a1)

    assert (card.absent_with_leave, card.absent_without_leave) == (0, 10)
    assert (term_card.absent_with_leave, term_card.absent_without_leave) == (0, 0)
    assert card.promotion == "Được lên lớp"


def test_a_half_excused_day_counts_once_without_leave(cast, subjects, term1):
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term1.start_date, 1, ("morning",))
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term1.start_date, 1, ("afternoon",),
         status=AttendanceMark.Status.UNEXCUSED)

    card = card_of(term_cards(cast.class_a1, term1), cast.pupil_a1)

    assert (card.absent_with_leave, card.absent_without_leave) == (0, 1)


def test_the_class_summary_prints_sessions_on_the_plan(cast, subjects, term1, term2):
    miss(cast.pupil_a1, cast.class_a1, cast.homeroom_a1, term1.start_date, 23)

    summary = statistics.class_summary(cast.class_a1, cast.class_a1.school_year, None)

    row = next(r for r in summary.rows if r.full_name == cast.pupil_a1.full_name)
    assert (row.absent_with_leave, row.absent) == (23, 23)


def test_a_primary_card_prints_days_absent(cast):
    """Grades 1–5: "Số ngày nghỉ", days whatever the school's setting (Circular 27's record)."""
    School.objects.filter(pk=cast.school_b.pk).update(absence_plan=School.AbsencePlan.MORNING)
    term = f.TermFactory(
        school_year=cast.class_b.school_year, number=1,
        start_date=datetime.date(2026, 9, 5), end_date=datetime.date(2027, 1, 15),
    )
    pupil = cast.sibling_b
    miss(pupil, cast.class_b, f.UserFactory(), term.start_date, 2)  # two whole days
    miss(pupil, cast.class_b, f.UserFactory(), term.start_date + datetime.timedelta(days=5), 1,
         ("afternoon",), status=AttendanceMark.Status.UNEXCUSED)  # and an afternoon

    card = card_of(term_cards(cast.class_b, term), pupil)
    [rendered] = pdf.render_cards([(card, "DAYS2345AB")])
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)

    assert (card.absent_with_leave, card.absent_without_leave) == (2, 1)
    assert "Số ngày nghỉ" in text and "Số buổi nghỉ" not in text


def test_a_secondary_card_prints_sessions_absent(cast, subjects, term1):
    card = card_of(term_cards(cast.class_a1, term1), cast.pupil_a1)
    [rendered] = pdf.render_cards([(card, "SESS2345AB")])
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)

    assert "Số buổi nghỉ học" in text and "Số ngày nghỉ" not in text

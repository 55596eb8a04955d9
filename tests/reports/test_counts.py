"""The department dashboard's stored counts (reports/counts.py): what a round counts is what the
school statistics count from the same cards; a round counts what can have changed and leaves
what cannot; the dashboard shows the counts of the last round and says when it was; beat's
task and the command make the rounds.

The data is test_statistics' `results`: school A's 10A1 and 10A2 with term I and term II
graded, in the current year 2026–2027 (term I from 5 September, term II from 18 January).
"""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reports import counts, statistics
from reports import dashboard as board
from reports import tasks
from reports.cards import model as card_codes
from reports.models import ClassCounts
from school.models import School, SchoolYear
from tests import factories as f
from tests.conftest import as_user
from tests.reports.test_statistics import build_results, grade_pupil, new_pupil, rate

pytestmark = pytest.mark.django_db

IN_TERM_1 = datetime.date(2026, 12, 1)
IN_TERM_2 = datetime.date(2027, 2, 1)


@pytest.fixture
def results(cast):
    return build_results(cast)


def by_code(tally: statistics.Tally, measures) -> dict:
    return {
        (m, c.category.code): c.count for m in measures for c in tally.counts(m) if c.count
    } | {"pupils": tally.pupils}


def school_a_row(cast, **filters):
    dashboard, _c = board.department_dashboard(cast.school_a.department, **filters)
    return dashboard


@pytest.mark.parametrize("term", ["1", statistics.WHOLE_YEAR])
def test_a_rounds_counts_are_the_school_statistics_of_the_same_cards(cast, results, term):
    counts.refresh_school(cast.school_a, today=IN_TERM_2)
    is_year = term == statistics.WHOLE_YEAR
    year = cast.class_a1.school_year
    live = statistics.school_statistics(cast.school_a, year, None if is_year else results.term1)
    stats = statistics.summarise_department(is_year, [(cast.school_a, [
        (cg, counts.stored_counts([cg], None if is_year else {year.pk: results.term1}).by_class[cg.pk])
        for cg in (cast.class_a1, cast.class_a2)
    ])])
    measures = statistics.measures_for(is_year, [10])
    assert by_code(stats.total, measures) == by_code(live.total, measures)
    assert stats.total.pupils == 5 and stats.total.count(statistics.LEARNING, card_codes.TOT) == 1
    assert stats.columns == live.columns


def test_the_dashboard_shows_the_last_rounds_counts_and_when(cast, results):
    counts.refresh_school(cast.school_a, today=IN_TERM_1)
    before = school_a_row(cast, term="1")
    assert before.uncounted == 0 and before.pupils.count == 5
    oldest = min(ClassCounts.objects.values_list("computed_at", flat=True))
    assert before.counted_at == timezone.localtime(oldest).strftime("%H:%M %d/%m/%Y")
    # A pupil graded after the round is not in the counts until the next round.
    for given in ("Giang", "Hà"):
        pupil = new_pupil(cast, cast.class_a1, "Lương", "Thị", given)
        grade_pupil(cast, pupil, cast.class_a1, results.term1, "9")
        rate(cast, pupil, results.term1, "Tốt")
    assert school_a_row(cast, term="1").pupils.count == 5
    counts.refresh_school(cast.school_a, today=IN_TERM_1)
    after = school_a_row(cast, term="1")
    learning = next(t for t in after.tables if t.measure == statistics.LEARNING)
    assert after.pupils.count == 7 and learning.rows[0].cells[0].text == "<5"  # An, Giang, Hà


def test_the_page_says_when_it_was_counted_and_what_is_not_yet(client, cast, results):
    counts.refresh_school(cast.school_a, today=IN_TERM_1)
    ClassCounts.objects.filter(class_group=cast.class_a2).delete()
    url = f"/so/{cast.school_a.department.code}/?ky=1"
    body = as_user(client, cast.officer).get(url).content.decode()
    at = timezone.localtime(ClassCounts.objects.get().computed_at).strftime("%H:%M %d/%m/%Y")
    assert f"Số liệu tính lúc {at}; được tính lại sau mỗi 30 phút." in body
    assert "1 lớp chưa được tính." in body


def test_a_round_counts_the_begun_terms_of_the_current_year_and_the_year_from_term_2(cast, results):
    classes = {cast.class_a1.pk, cast.class_a2.pk}
    assert counts.refresh_school(cast.school_a, today=IN_TERM_1) == 2
    assert set(ClassCounts.objects.values_list("class_group_id", "term_id")) == {
        (pk, results.term1.pk) for pk in classes
    }
    assert counts.refresh_school(cast.school_a, today=IN_TERM_2) == 6  # term I, term II, year
    assert set(ClassCounts.objects.values_list("class_group_id", "term_id")) == {
        (pk, term) for pk in classes for term in (results.term1.pk, results.term2.pk, None)
    }


def test_a_closed_term_counted_since_is_left_and_a_reopened_one_counted(cast, results):
    counts.refresh_school(cast.school_a, today=IN_TERM_2)
    results.term1.closed_at = timezone.now()
    results.term1.save(update_fields=["closed_at"])
    assert counts.refresh_school(cast.school_a, today=IN_TERM_2) == 6  # counted before the close
    made = set(ClassCounts.objects.filter(term=results.term1).values_list("computed_at", flat=True))
    assert counts.refresh_school(cast.school_a, today=IN_TERM_2) == 4  # term II and the year
    assert set(ClassCounts.objects.filter(term=results.term1)
               .values_list("computed_at", flat=True)) == made
    results.term1.closed_at = None
    results.term1.save(update_fields=["closed_at"])
    assert counts.refresh_school(cast.school_a, today=IN_TERM_2) == 6


def test_a_past_year_is_counted_once(cast, results):
    year = cast.class_a1.school_year
    SchoolYear.objects.filter(pk=year.pk).update(is_current=False)
    assert counts.refresh_school(cast.school_a, today=IN_TERM_1) == 6  # every period, once
    assert counts.refresh_school(cast.school_a, today=IN_TERM_1) == 0
    f.ClassGroupFactory(school_year=year, name="10A3")  # a class added to the past year
    assert counts.refresh_school(cast.school_a, today=IN_TERM_1) == 9


def test_beats_task_counts_every_school(cast, results, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert tasks.refresh_counts.delay().get() == School.objects.count()
    assert ClassCounts.objects.filter(class_group=cast.class_a1).exists()
    entry = settings.CELERY_BEAT_SCHEDULE["count-dashboard-classes"]
    assert entry["task"] == "reports.tasks.refresh_counts" and entry["schedule"] == 30 * 60


def test_the_command_counts_the_schools_named_and_refuses_an_unknown_code(cast, results, capsys):
    call_command("count_classes", cast.school_a.code)
    assert ClassCounts.objects.filter(class_group=cast.class_a1).exists()
    assert not ClassCounts.objects.filter(class_group__school=cast.school_b).exists()
    assert "Đã đếm" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Không có trường mang mã: khong-co"):
        call_command("count_classes", cast.school_a.code, "khong-co")

"""The weekly summary: what goes in (published grades, attendance, comments, lessons), one row
per pupil and week however often the task runs, guardians notified once, the "đã xem"
acknowledgement, and the homeroom teacher's sheet of who has not acknowledged."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contactbook import summaries, tasks
from contactbook.models import DailyComment, Notification, SummaryAcknowledgement, WeeklySummary
from school.models import Guardianship
from tests import factories as f
from tests.conftest import assert_cast
from tests.lms.conftest import LESSON_DAY, library  # noqa: F401  (the lms library fixture)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
FRIDAY = datetime.date(2026, 11, 27)


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def term(cast):
    return f.TermFactory(school_year=cast.class_a1.school_year)


def run_week(cast, day=FRIDAY) -> int:
    """What the Friday beat does, eagerly: every school's chunks."""
    return tasks.send_weekly_summaries(day.isoformat())


def summary_of(student, week=MONDAY) -> WeeklySummary:
    return WeeklySummary.objects.get(student=student, week_start=week)


# --------------------------------------------------------------------------------- content


def test_the_summary_holds_the_weeks_published_scores_attendance_and_comments(cast, term):
    pupil = cast.pupil_a1
    f.score(pupil, cast.math, term, value="7.5", published=moment(MONDAY + datetime.timedelta(days=2)))
    f.score(pupil, cast.math, term, value="9", index=2, published=False)  # a draft: never sent
    f.score(pupil, cast.math, term, value="4", index=3, published=moment(MONDAY - datetime.timedelta(days=3)))
    f.attendance_mark(pupil, MONDAY, status="present")
    f.attendance_mark(pupil, MONDAY + datetime.timedelta(days=1), status="unexcused", session="afternoon")
    f.attendance_mark(pupil, MONDAY + datetime.timedelta(days=9), status="unexcused")  # next week
    DailyComment.objects.create(student=pupil, class_group=cast.class_a1, author=cast.teacher_a1,
                                date=FRIDAY, kind="praise", text="Phát biểu xây dựng bài tốt")

    run_week(cast)

    data = summary_of(pupil).data
    assert [(s["subject"], s["value"]) for s in data["scores"]] == [("Toán", "7.5")]
    assert data["attendance"]["present"] == 1 and data["attendance"]["unexcused"] == 1
    assert data["attendance"]["marks"] == [
        {"date": "2026-11-24", "session": "afternoon", "status": "unexcused"}
    ]
    assert [c["text"] for c in data["comments"]] == ["Phát biểu xây dựng bài tốt"]
    assert data["has_comments"] is True
    assert summary_of(pupil).class_group == cast.class_a1


def test_every_pupil_now_in_a_class_gets_one_summary(cast):
    run_week(cast)
    assert set(WeeklySummary.objects.values_list("student_id", flat=True)) == {
        cast.pupil_a1.pk, cast.pupil_a2.pk, cast.sibling_a1.pk, cast.sibling_b.pk
    }
    assert set(WeeklySummary.objects.values_list("week_start", flat=True)) == {MONDAY}


def test_running_the_week_twice_creates_nothing_new(cast, term):
    f.score(cast.pupil_a1, cast.math, term, published=moment(MONDAY))
    run_week(cast)
    summaries_before = list(WeeklySummary.objects.order_by("id").values_list("id", "data"))
    notifications_before = Notification.objects.count()
    run_week(cast)
    run_week(cast, day=MONDAY + datetime.timedelta(days=5))  # Saturday: the same week
    assert list(WeeklySummary.objects.order_by("id").values_list("id", "data")) == summaries_before
    assert Notification.objects.count() == notifications_before


def test_the_task_works_in_chunks_of_one_schools_pupils(cast, monkeypatch):
    monkeypatch.setattr(summaries, "CHUNK_SIZE", 2)
    chunks = list(summaries.pupil_chunks(size=2))
    by_school = {school: ids for school, ids in chunks}
    assert all(len(ids) <= 2 for _school, ids in chunks)
    assert len(chunks) == 3  # school A: 3 pupils in two chunks; school B: one
    assert set(by_school) == {cast.school_a.pk, cast.school_b.pk}
    assert run_week(cast) == 3  # chunks queued
    assert WeeklySummary.objects.count() == 4


def test_a_chunk_skips_pupils_of_another_school(cast):
    created = summaries.create_weekly_summaries(
        school_id=cast.school_a.pk, start=FRIDAY, student_ids=[cast.pupil_a1.pk, cast.sibling_b.pk]
    )
    assert created == 1
    assert list(WeeklySummary.objects.values_list("student_id", flat=True)) == [cast.pupil_a1.pk]


def test_guardians_are_notified_once_each_with_a_link_to_the_summary(cast):
    run_week(cast)
    notes = Notification.objects.filter(kind="weekly_summary")
    assert sorted(notes.values_list("recipient__full_name", flat=True)) == sorted([
        cast.parent_a1.full_name, cast.parent_a2.full_name,
        cast.parent_of_two.full_name, cast.parent_of_two.full_name,
    ])
    note = notes.get(recipient=cast.parent_a1)
    assert note.url == reverse("contactbook:summary_detail", args=[summary_of(cast.pupil_a1).pk])


def test_an_unlinked_guardian_gets_no_summary(cast):
    Guardianship.objects.filter(guardian__user=cast.parent_a1).delete()
    run_week(cast)
    assert not Notification.objects.filter(recipient=cast.parent_a1).exists()
    assert WeeklySummary.objects.filter(student=cast.pupil_a1).exists()  # the pupil still has one


def test_the_weekly_task_is_on_fridays_evening_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["send-weekly-summaries"]
    assert entry["task"] == "contactbook.tasks.send_weekly_summaries"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {5} and schedule.hour == {18} and schedule.minute == {0}


def test_collecting_a_week_runs_a_fixed_number_of_queries(cast, term):
    pupils = {cast.pupil_a1.pk: cast.class_a1.pk}
    with CaptureQueriesContext(connection) as small:
        summaries.collect_week(pupils, MONDAY)
    for n in range(15):
        student = f.StudentFactory(school=cast.school_a)
        f.enrol(student, cast.class_a1)
        f.score(student, cast.math, term, published=moment(MONDAY))
        f.attendance_mark(student, MONDAY)
        pupils[student.pk] = cast.class_a1.pk
    with CaptureQueriesContext(connection) as large:
        summaries.collect_week(pupils, MONDAY)
    # scores, attendance, daily comments, lessons (lms)
    assert len(large.captured_queries) == len(small.captured_queries) == 4


@pytest.fixture
def wagtail_roots(db):
    """Wagtail's root page and collection, which its migrations create (absent with
    --no-migrations); lms's library fixture builds under them."""
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code="vi")
    if Page.get_first_root_node() is None:
        Page.add_root(title="Root", slug="root")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def test_the_summary_lists_the_lessons_given_to_the_class_that_week(cast, wagtail_roots, library):
    summaries.create_weekly_summaries(school_id=cast.school_a.pk, start=LESSON_DAY,
                                      student_ids=[cast.pupil_a1.pk, cast.pupil_a2.pk])
    data = summary_of(cast.pupil_a1, week=LESSON_DAY).data
    assert data["has_lessons"] is True
    assert data["lessons"] == [
        {"date": LESSON_DAY.isoformat(), "title": "Bài 16. Hàm số bậc hai", "subject": "Toán"}
    ]
    assert summary_of(cast.pupil_a2, week=LESSON_DAY).data["lessons"] == []  # 10A2 was not given it


# ------------------------------------------------------------------------ acknowledging


@pytest.fixture
def summary(cast):
    run_week(cast)
    return summary_of(cast.pupil_a1)


def test_who_may_read_a_summary(cast, client, summary):
    url = reverse("contactbook:summary_detail", args=[summary.pk])

    def reads(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        return client.get(url).status_code == 200

    assert_cast(cast, reads, {"parent_a1"})


def test_who_may_acknowledge_a_summary(cast, client, summary):
    url = reverse("contactbook:summary_acknowledge", args=[summary.pk])

    def acknowledges(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        response = client.post(url)
        assert response.status_code in (302, 404)
        return SummaryAcknowledgement.objects.filter(user_id=getattr(user, "pk", None)).exists()

    assert_cast(cast, acknowledges, {"parent_a1"})


def test_acknowledging_stores_who_and_when_once(cast, client, summary, monkeypatch):
    at = timezone.make_aware(datetime.datetime(2026, 11, 27, 20, 15))
    monkeypatch.setattr(timezone, "now", lambda: at)
    client.force_login(cast.parent_a1)
    url = reverse("contactbook:summary_acknowledge", args=[summary.pk])
    response = client.post(url, {"next": reverse("contactbook:portal_home")})
    assert response.status_code == 302 and response["Location"] == reverse("contactbook:portal_home")
    monkeypatch.setattr(timezone, "now", lambda: at + datetime.timedelta(hours=1))
    client.post(url)
    (ack,) = SummaryAcknowledgement.objects.all()
    assert (ack.summary, ack.user, ack.acknowledged_at) == (summary, cast.parent_a1, at)


def test_acknowledging_refuses_an_outside_next_url(cast, client, summary):
    client.force_login(cast.parent_a1)
    response = client.post(reverse("contactbook:summary_acknowledge", args=[summary.pk]),
                           {"next": "https://evil.example/"})
    assert response["Location"] == reverse("contactbook:summary_detail", args=[summary.pk])


def test_acknowledging_needs_a_post(cast, client, summary):
    client.force_login(cast.parent_a1)
    assert client.get(reverse("contactbook:summary_acknowledge", args=[summary.pk])).status_code == 405
    assert not SummaryAcknowledgement.objects.exists()


def test_an_unlinked_guardian_can_no_longer_open_or_acknowledge(cast, client, summary):
    Guardianship.objects.filter(guardian__user=cast.parent_a1).delete()
    client.force_login(cast.parent_a1)
    assert client.get(reverse("contactbook:summary_detail", args=[summary.pk])).status_code == 404
    assert client.post(reverse("contactbook:summary_acknowledge", args=[summary.pk])).status_code == 404


def test_a_childs_list_of_summaries_is_for_its_guardians(cast, client, summary):
    url = reverse("contactbook:child_summaries", args=[cast.pupil_a1.pk])

    def opens(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        return client.get(url).status_code == 200

    assert_cast(cast, opens, {"parent_a1"})


# ------------------------------------------------------------------ the homeroom teacher's sheet


def sheet_url(class_group, week=None):
    url = reverse("contactbook:class_summaries", args=[class_group.pk])
    return f"{url}?tuan={week.isoformat()}" if week else url


def test_who_may_see_a_classs_acknowledgements(cast, client, summary):
    def opens(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        response = client.get(sheet_url(cast.class_a1))
        assert response.status_code in (200, 302, 404)
        return response.status_code == 200

    # The homeroom teacher, the school's managers and the operator; not a subject teacher.
    assert_cast(cast, opens, {"homeroom_a1", "principal", "operator"})


def test_the_homeroom_teacher_sees_who_has_not_acknowledged(cast, client, summary):
    extra = f.StudentFactory(school=cast.school_a, given_name="Yến")  # no guardian account
    f.enrol(extra, cast.class_a1)
    summaries.acknowledge(user=cast.parent_a1, summary=summary)
    client.force_login(cast.homeroom_a1)

    rows = client.get(sheet_url(cast.class_a1)).context["rows"]
    assert {row.student.given_name: row.state for row in rows} == {
        "An": "acknowledged", "Châu": "waiting", "Yến": "no_summary",
    }
    (ack,) = next(r for r in rows if r.student == cast.pupil_a1).acknowledgements
    assert ack.user == cast.parent_a1


def test_the_sheet_picks_the_latest_week_and_accepts_any_day_of_a_week(cast, client, summary):
    client.force_login(cast.homeroom_a1)
    assert client.get(sheet_url(cast.class_a1)).context["week"] == MONDAY
    assert client.get(sheet_url(cast.class_a1, FRIDAY)).context["week"] == MONDAY
    response = client.get(reverse("contactbook:class_summaries", args=[cast.class_a1.pk]) + "?tuan=hôm-qua")
    assert response.status_code == 200 and response.context["week"] == MONDAY
    other = client.get(sheet_url(cast.class_a1, MONDAY - datetime.timedelta(days=7))).context["rows"]
    assert {row.state for row in other} == {"no_summary"}


def test_the_sheet_runs_a_fixed_number_of_queries(cast, client, summary):
    client.force_login(cast.homeroom_a1)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(sheet_url(cast.class_a1, MONDAY)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(25):
        student = f.StudentFactory(school=cast.school_a)
        f.enrol(student, cast.class_a1)
        parent = f.UserFactory()
        f.link_guardian(parent, student)
    run_week(cast)
    for row in WeeklySummary.objects.filter(student__guardians__isnull=False).distinct()[:10]:
        summaries.acknowledge(user=row.student.guardians.first().user, summary=row)
    assert count() == small
    # session, user, class (access), homeroom check (staff), pupils, summaries,
    # acknowledgements, navigation.
    assert small == 8

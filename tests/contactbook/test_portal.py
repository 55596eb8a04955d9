"""The parent portal's home: who sees which child (the whole cast), published scores only,
today's attendance, the switcher, the weekly summary's button, and a fixed number of queries
whatever the number of children and scores."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contactbook import messaging, notifications, portal, summaries
from contactbook.models import SummaryAcknowledgement
from core import db
from school.models import Guardianship
from tests import factories as f
from tests.clients import Client
from tests.conftest import as_user, assert_cast

pytestmark = pytest.mark.django_db

HOME = "/phu-huynh/"


def child_url(student):
    return reverse("contactbook:portal_child", args=[student.pk])


@pytest.fixture
def term(cast):
    return f.TermFactory(school_year=cast.class_a1.school_year)


def test_the_portal_home_is_at_phu_huynh():
    assert reverse("contactbook:portal_home") == HOME


def test_who_sees_a_child_on_the_portal(cast, client):
    def sees(user):
        as_user(client, user)
        response = client.get(child_url(cast.pupil_a1))
        assert response.status_code in (200, 302, 404)
        return response.status_code == 200

    # A parent sees only their own children: not the teachers, not the principal, not the
    # operator (the portal is the family's view; staff have their own pages).
    assert_cast(cast, sees, {"parent_a1"})


def test_who_sees_a_child_in_another_school(cast, client):
    def sees(user):
        as_user(client, user)
        return client.get(child_url(cast.sibling_b)).status_code == 200

    assert_cast(cast, sees, {"parent_of_two"})


def test_the_portal_home_shows_each_parent_their_eldest_child_and_others_an_empty_page(cast, client):
    def has_a_child(user):
        as_user(client, user)
        response = client.get(HOME)
        if not user.is_authenticated:
            assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
            return False
        assert response.status_code == 200
        return response.context["child"] is not None

    assert_cast(cast, has_a_child, {"parent_a1", "parent_a2", "parent_of_two"})


def test_a_parent_with_two_children_switches_between_them(cast, client):
    client.force_login(cast.parent_of_two)
    home = client.get(HOME)
    assert [c.pk for c in home.context["home"].children] == sorted(
        [cast.sibling_a1.pk, cast.sibling_b.pk],
        key=lambda pk: (type(cast.sibling_a1).objects.get(pk=pk).date_of_birth, pk),
    )
    html = home.content.decode()
    for child in (cast.sibling_a1, cast.sibling_b):
        assert f'href="{child_url(child)}"' in html
    other = client.get(child_url(cast.sibling_b))
    assert other.context["child"] == cast.sibling_b
    assert other.context["child"].class_name == "3A"
    assert 'aria-current="page"' in other.content.decode()


def test_a_parent_never_sees_an_unpublished_score(cast, client, term):
    shown = f.score(cast.pupil_a1, cast.math, term, value="7.5")
    draft = f.score(cast.pupil_a1, cast.math, term, value="3", index=2, published=False)
    f.score(cast.pupil_a2, cast.math, term, value="9")  # another family's child
    client.force_login(cast.parent_a1)
    response = client.get(HOME)
    assert [s.pk for s in response.context["home"].scores] == [shown.pk]
    html = response.content.decode()
    assert f'data-score="{shown.pk}"' in html and f'data-score="{draft.pk}"' not in html
    assert "7,5" in html  # a decimal comma on the Vietnamese page


def test_todays_attendance_is_shown(cast, client):
    today = timezone.localdate()
    f.attendance_mark(cast.pupil_a1, today, status="present", session="afternoon")
    f.attendance_mark(cast.pupil_a1, today, status="late", session="morning")
    f.attendance_mark(cast.pupil_a1, today - datetime.timedelta(days=1), status="unexcused")
    client.force_login(cast.parent_a1)
    marks = client.get(HOME).context["home"].marks
    assert [(m.session, m.status) for m in marks] == [("morning", "late"), ("afternoon", "present")]


def test_the_weekly_summary_can_be_acknowledged_from_the_portal(cast, client):
    summaries.create_weekly_summaries(school_id=cast.school_a.pk, start=timezone.localdate(),
                                      student_ids=[cast.pupil_a1.pk])
    client.force_login(cast.parent_a1)
    home = client.get(HOME)
    summary = home.context["home"].summary
    assert summary is not None and not summary.mine
    assert 'data-acknowledged="no"' in home.content.decode()
    response = client.post(reverse("contactbook:summary_acknowledge", args=[summary.pk]),
                           {"next": f"{HOME}#summary"})
    assert response["Location"] == f"{HOME}#summary"
    assert SummaryAcknowledgement.objects.get().user == cast.parent_a1
    assert client.get(HOME).context["home"].summary.mine


def test_latest_messages_and_unread_notifications_are_shown(cast, client):
    messaging.send_message(sender=cast.teacher_a1, student_id=cast.pupil_a1.pk, body="Họp phụ huynh thứ Bảy")
    notifications.notify(recipients=[cast.parent_a1], kind="x", title="Khác", body="b", key="other")
    client.force_login(cast.parent_a1)
    home = client.get(HOME).context["home"]
    assert [m.body for m in home.messages] == ["Họp phụ huynh thứ Bảy"]
    assert home.unread == 2 and len(home.notifications) == 2


def test_links_go_to_the_childs_other_pages(cast, client):
    client.force_login(cast.parent_a1)
    links = client.get(HOME).context["home"].links
    pk = cast.pupil_a1.pk
    assert links["grades"] == f"/phu-huynh/hoc-sinh/{pk}/diem/"
    assert links["attendance"] == f"/phu-huynh/hoc-sinh/{pk}/chuyen-can/"
    assert links["leave"] == f"/phu-huynh/hoc-sinh/{pk}/xin-nghi/"
    assert links["messages"] == reverse("contactbook:parent_messages", args=[pk])
    assert links["lessons"] == f"/hoc-sinh/{pk}/bai-hoc/"


def test_an_unlinked_parent_loses_the_child_on_the_next_request(cast, client):
    client.force_login(cast.parent_a1)
    assert client.get(child_url(cast.pupil_a1)).status_code == 200
    Guardianship.objects.filter(guardian__user=cast.parent_a1).delete()
    assert client.get(child_url(cast.pupil_a1)).status_code == 404
    assert client.get(HOME).context["child"] is None


# ------------------------------------------------------------------------------ query count


def _portal_queries(client, url=HOME) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_portal_home_runs_a_fixed_number_of_queries(cast, client, term):
    """One child with one score, against two children with many scores, attendance, messages,
    notifications and a summary: the same count."""
    parent = f.UserFactory(full_name="Phụ Huynh Đo Truy Vấn")
    first = f.StudentFactory(school=cast.school_a)
    f.enrol(first, cast.class_a1)
    f.link_guardian(parent, first)
    f.score(first, cast.math, term, kind="final")
    client.force_login(parent)
    small = _portal_queries(client)

    second = f.StudentFactory(school=cast.school_b, date_of_birth=datetime.date(2015, 1, 1))
    f.enrol(second, cast.class_b)
    f.link_guardian(parent, second)
    subjects = [cast.math] + [f.SubjectFactory(school=cast.school_a, name=f"Môn {n}") for n in range(6)]
    for subject in subjects:
        for index in range(1, 5):
            f.score(first, subject, term, index=index, value="8.5")
        f.score(first, subject, term, kind="midterm", published=False, value="2")
    today = timezone.localdate()
    f.attendance_mark(first, today, session="morning")
    f.attendance_mark(first, today, session="afternoon", status="late")
    for n in range(6):
        messaging.send_message(sender=cast.teacher_a1, student_id=first.pk, body=f"tin {n}")
    summaries.create_weekly_summaries(school_id=cast.school_a.pk, start=today, student_ids=[first.pk])

    large = _portal_queries(client, child_url(first))
    assert large == small
    assert _portal_queries(client, child_url(second)) == small
    # The session (from the database here: the tests have no shared cache), the user, and the
    # home's one query (children, today's marks, scores, unread notifications, messages,
    # summary, and the navigation's manage check).
    assert small == 3


def test_with_sessions_in_a_shared_cache_the_portal_home_runs_two_queries(cast, settings, term):
    """Production (CACHE_URL in Redis) reads sessions from the cache: the user and the home."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    f.score(cast.pupil_a1, cast.math, term)
    client = Client()
    client.force_login(cast.parent_a1)
    assert _portal_queries(client) == 2
    assert _portal_queries(client, child_url(cast.pupil_a1)) == 2


def test_the_benchs_bare_view_is_not_mounted_unless_asked_for(client):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("contactbook:bench_bare")
    assert client.get("/bench/bare/").status_code == 404


# ------------------------------------------------------- the prepared statement (PostgreSQL)


def test_with_persistent_connections_the_home_is_prepared_once_per_connection(
    cast, client, term, persistent_connections
):
    f.score(cast.pupil_a1, cast.math, term, value="7.5")
    client.force_login(cast.parent_a1)
    with CaptureQueriesContext(connection) as first:
        html = client.get(HOME).content.decode()
    # the connection's statements are looked up once, then the user's and the home's prepared
    verbs = [q["sql"].split()[0] for q in first.captured_queries]
    assert verbs[-5:] == ["SELECT", "PREPARE", "EXECUTE", "PREPARE", "EXECUTE"]
    assert "pg_prepared_statements" in first.captured_queries[-5]["sql"]
    assert ">7,5<" in html
    assert client.get(child_url(cast.pupil_a1)).status_code == 200  # the other statement: a child asked for
    for url in (HOME, child_url(cast.pupil_a1)):
        with CaptureQueriesContext(connection) as later:
            assert client.get(url).status_code == 200
        assert len(later.captured_queries) == 3  # session, user, the home
        assert [q["sql"].split()[0] for q in later.captured_queries[1:]] == ["EXECUTE", "EXECUTE"]
    assert client.get(child_url(cast.pupil_a2)).status_code == 404


def test_the_prepared_home_reads_the_same_rows_as_the_plain_one(cast, term, persistent_connections):
    """The home's named parameters (%(user)s, used four times, is one parameter $n of the
    prepared statement) give the same rows prepared and plain."""
    f.score(cast.sibling_a1, cast.math, term, value="8")
    today = timezone.localdate()
    for chosen in (None, cast.sibling_a1.pk):
        sql = portal._home_sql(chosen=chosen is not None)
        params = portal._home_params(cast.parent_of_two, today, chosen)
        assert "%s" not in sql and isinstance(params, dict)
        prepared = db.fetch_prepared(sql, params)
        assert "%(" not in db._numbered(sql)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert prepared == tuple(cursor.fetchall())
        sections = {row[0] for row in prepared}
        assert sections >= {"child", "unread", "manage"} | ({"score"} if chosen else set())


@pytest.mark.django_db(transaction=True)
def test_a_statement_lost_by_a_pooler_falls_back_to_plain_sql(cast, client, persistent_connections, monkeypatch):
    """A pooler in transaction mode can hand the next statement to a server session where
    ours was never prepared: that request and the later ones still get their page (requests
    run outside a transaction here, as in production)."""
    monkeypatch.setattr(db, "_enabled", [True])
    client.force_login(cast.parent_a1)
    assert client.get(HOME).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what another server session looks like
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(HOME).context["child"] == cast.pupil_a1
        assert ctx.captured_queries[-1]["sql"].lstrip().startswith("WITH kids")
    assert db._enabled == [False]


def test_sessions_come_from_the_cache_only_when_it_is_shared():
    """Production's Redis cache spares the session query; the first run's per-process memory
    cache must not hold sessions (a logout in one worker would not reach the others)."""
    import os
    import subprocess
    import sys

    def engine(cache_url):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "truongso.settings.base", "CACHE_URL": cache_url}
        env.pop("SESSION_ENGINE", None)
        code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        return result.stdout.strip().rsplit(".", 1)[-1]

    assert engine("redis://127.0.0.1:6379/1") == "cached_db"
    assert engine("locmemcache://") == "db"

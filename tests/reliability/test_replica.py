"""Fault 4 and the database router (core/replica.py), on the real streaming replica
(scripts/replica.sh, which `make test` starts): the class summary, the school statistics page
and the statistics API read from the replica; a person who just wrote reads the primary; a
stopped replica or one paused past the lag limit sends reads to the primary and the pages
answer 200; nobody who saw a grade sees it go back in time.

Transactional tests: the replica sees only committed rows (the test database, created on the
primary, streams to it; Django's test mirror points the `replica` alias at its name there).
Only this suite's own replica is paused, stopped and started, never the primary."""

import os
import re
import shlex
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connections
from django.urls import reverse
from django.utils import timezone

from contactbook.models import Score
from core import replica
from reports import counts
from tests.reports.test_statistics import build_results

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

API = "/api/reports/statistics"


@pytest.fixture(autouse=True)
def fresh_router(settings):
    if not replica.configured():
        pytest.fail("These tests need the replica: DATABASE_REPLICA_URL (make test starts one "
                    "with scripts/replica.sh).")
    wait_for_replica()
    settings.REPLICA_CHECK_SECONDS = 0.2
    settings.REPLICA_RETRY_SECONDS = 0.5
    settings.REPLICA_MAX_LAG_SECONDS = 60
    replica.forget()
    yield
    replica.forget()
    connections["replica"].close()


@pytest.fixture
def results(cast):
    built = build_results(cast)
    caught_up()
    return built


# ---------------------------------------------------------------------------------------
# Helpers: which server answered, the replica's state, its process
# ---------------------------------------------------------------------------------------


def get(client, url, data=None):
    """The response, how many queries the primary ran for it, and how many reads the replica
    served (the router's look at the replica's position left out). Counted by execute
    wrappers, which, unlike CaptureQueriesContext, do not connect to a stopped replica."""
    counts = {"default": 0, "replica": 0}

    def counter(alias):
        def count(execute, sql, params, many, context):
            if alias == "default" or not sql.lstrip().startswith("SELECT pg_is_in_recovery()"):
                counts[alias] += 1
            return execute(sql, params, many, context)
        return count

    with connections["default"].execute_wrapper(counter("default")), \
            connections["replica"].execute_wrapper(counter("replica")):
        response = client.get(url, data)
    return response, counts["default"], counts["replica"]


def wait_for_replica(timeout: float = 120) -> None:
    """Until the replica accepts read-only connections. After a restart a hot standby waits
    for a snapshot of the primary's running transactions, which a busy primary (other test
    runs' long transactions) may delay for a minute: only the first test after a restart
    waits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            one("replica", "SELECT 1")
            return
        except DatabaseError:
            connections["replica"].close()
        assert time.monotonic() < deadline, "the replica does not accept connections"
        time.sleep(0.2)


def one(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def caught_up(timeout: float = 15) -> None:
    """Wait until the replica has replayed everything the primary has written."""
    deadline = time.monotonic() + timeout
    lsn = one("default", "SELECT pg_current_wal_insert_lsn()")[0]
    while True:
        try:
            if one("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0]:
                return
        except DatabaseError:
            connections["replica"].close()
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


def row_of(page: str, name: str) -> str:
    match = re.search(rf'<td class="name">{name}</td>(.*?)</tr>', page, re.DOTALL)
    assert match, name
    return match.group(1)


def summary_url(results):
    return reverse("reports:class_summary", args=[results.cast.class_a1.pk]) + "?ky=1"


def statistics_url(results):
    return reverse("reports:school_statistics", args=[results.cast.school_a.pk]) + "?ky=1"


def as_user(client, user):
    client.force_login(user)
    return client


def regrade(results, value: str) -> None:
    """An's Toán scores of term I changed and published (committed on the primary)."""
    Score.objects.filter(student=results.an, subject=results.cast.math, term=results.term1).update(
        value=Decimal(value), published_at=timezone.now()
    )


class Server:
    """This suite's replica as a process: stopped and started with pg_ctl as its owner."""

    def __init__(self):
        self.data = Path(one("replica", "SHOW data_directory")[0])
        opts = shlex.split((self.data / "postmaster.opts").read_text())
        self.bin = Path(opts[0]).parent
        args = opts[1:]
        while "-D" in args:  # pg_ctl passes the data directory itself
            i = args.index("-D")
            del args[i:i + 2]
        self.options = shlex.join(args)
        connections["replica"].close()

    def ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), *args]
        if os.geteuid() == 0:
            owner = self.data.owner()
            command = ["runuser", "-u", owner, "--", *command]
        subprocess.run(command, check=True, cwd="/", stdout=subprocess.DEVNULL, timeout=60)

    def stop(self) -> None:
        self.ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        """Started, without waiting until it accepts connections (see wait_for_replica)."""
        self.ctl("-l", str(self.data / "log"), "-o", self.options, "-W", "start")


# ---------------------------------------------------------------------------------------
# The replica alias
# ---------------------------------------------------------------------------------------


def test_the_replica_alias_is_the_standby_serving_the_test_database():
    standby, port, name = one(
        "replica", "SELECT pg_is_in_recovery(), inet_server_port(), current_database()"
    )
    assert standby is True
    assert port == int(settings.DATABASES["replica"]["PORT"])
    assert name == connections["default"].settings_dict["NAME"]
    assert one("default", "SELECT pg_is_in_recovery()")[0] is False


def test_without_opting_in_everything_reads_the_primary(client, results):
    response, primary, standby = get(as_user(client, results.cast.principal),
                                     reverse("school:class_detail", args=[results.cast.class_a1.pk]))
    assert response.status_code == 200
    assert standby == 0 and primary > 0


# ---------------------------------------------------------------------------------------
# Reports read from the replica
# ---------------------------------------------------------------------------------------


def test_the_summary_statistics_and_the_api_read_from_the_replica(client, results, settings):
    cast = results.cast
    settings.REPLICA_CHECK_SECONDS = 60
    as_user(client, cast.principal)
    # On the primary: session, user, the class (access), the terms, the menu, and the router's
    # look at the primary's WAL position (its other half, on the replica, is not counted);
    # on the replica: cards_for's nine.
    response, primary, standby = get(client, summary_url(results))
    assert response.status_code == 200
    assert "9,0" in row_of(response.content.decode(), "Trần Thị An")
    assert (primary, standby) == (6, 9)
    # The look is cached: the next page costs neither server anything more.
    response, primary, standby = get(client, summary_url(results))
    assert (primary, standby) == (5, 9)

    # The statistics: session, user, the school (access), its years, the year's terms and the
    # menu on the primary; the classes and cards_for's nine per class on the replica.
    response, primary, standby = get(client, statistics_url(results))
    assert response.status_code == 200
    assert (primary, standby) == (6, 1 + 9 * 2)
    response, primary, standby = get(client, API, {"school": cast.school_a.code, "term": "1"})
    assert response.status_code == 200 and standby > 0
    assert response.json()["total"]["pupils"] == 5


def test_the_departments_dashboard_reads_from_the_replica(client, results, settings):
    """The officers' dashboard, the heaviest read of a province (every class of every school),
    is one of the reads the replica takes; the officer's access is checked on the primary."""
    cast = results.cast
    settings.REPLICA_CHECK_SECONDS = 60
    for school in (cast.school_a, cast.school_b):
        counts.refresh_school(school)  # the background round, written on the primary
    caught_up()
    as_user(client, cast.officer)
    url = reverse("reports:department_dashboard", args=[cast.school_a.department.code])
    response, primary, standby = get(client, url)
    assert response.status_code == 200
    # All eight of the dashboard's reads, the stored counts among them, on the replica.
    assert standby == 8 and primary < standby
    assert "chưa được tính" not in response.content.decode()


def test_just_after_a_write_the_writer_reads_the_primary(client, results):
    cast = results.cast
    teacher = as_user(client, cast.homeroom_a1)
    others = as_user(type(client)(), cast.principal)  # signed in before the write, idle since
    response, _primary, standby = get(teacher, summary_url(results))
    assert standby > 0 and "Khá" not in row_of(response.content.decode(), "Trần Thị An")

    one("replica", "SELECT pg_wal_replay_pause()")  # the replica cannot have what comes next
    try:
        homeroom = reverse("contactbook:homeroom_term", args=[cast.class_a1.pk, results.term1.pk])
        saved = teacher.post(homeroom, {f"r-{cast.pupil_a1.pk}": "Khá"})
        assert saved.status_code == 302
        assert replica.COOKIE in saved.cookies

        response, primary, standby = get(teacher, summary_url(results))
        assert response.status_code == 200 and standby == 0 and primary > 0
        assert "Khá" in row_of(response.content.decode(), "Trần Thị An")
        # Someone who has not seen the change is still served by the (paused) replica.
        response, _primary, standby = get(others, summary_url(results))
        assert standby > 0 and "Khá" not in row_of(response.content.decode(), "Trần Thị An")
    finally:
        one("replica", "SELECT pg_wal_replay_resume()")
    caught_up()
    time.sleep(settings.REPLICA_CHECK_SECONDS)
    response, _primary, standby = get(teacher, summary_url(results))
    assert standby > 0 and "Khá" in row_of(response.content.decode(), "Trần Thị An")


# ---------------------------------------------------------------------------------------
# Fault 4: the replica behind or down
# ---------------------------------------------------------------------------------------


def test_a_replica_behind_past_the_limit_sends_reads_to_the_primary_and_no_grade_goes_back(
    client, results, settings
):
    cast = results.cast
    settings.REPLICA_MAX_LAG_SECONDS = 1
    principal = as_user(client, cast.principal)
    operator = as_user(type(client)(), cast.users["operator"])
    response, _primary, standby = get(principal, summary_url(results))
    assert standby > 0 and "9,0" in row_of(response.content.decode(), "Trần Thị An")

    started = time.monotonic()
    one("replica", "SELECT pg_wal_replay_pause()")
    try:
        regrade(results, "10")  # a new grade published while the replica stands still
        time.sleep(settings.REPLICA_MAX_LAG_SECONDS + 2 * settings.REPLICA_CHECK_SECONDS)
        for who in (principal, operator):
            response, primary, standby = get(who, summary_url(results))
            assert response.status_code == 200 and standby == 0 and primary > 0
            assert "10,0" in row_of(response.content.decode(), "Trần Thị An")
        response, _primary, standby = get(principal, API, {"school": cast.school_a.code,
                                                           "term": "1"})
        assert response.status_code == 200 and standby == 0

        # The limit raised: the stale replica is within it again. Whoever saw the new grade
        # still reads the primary; a manager who did not (a fresh client) gets the replica's
        # older page, which is why the cookie matters.
        settings.REPLICA_MAX_LAG_SECONDS = 600
        replica.forget()
        for who in (principal, operator):
            response, _primary, standby = get(who, summary_url(results))
            assert standby == 0 and "10,0" in row_of(response.content.decode(), "Trần Thị An")
        fresh = as_user(type(client)(), cast.principal)
        response, _primary, standby = get(fresh, summary_url(results))
        assert standby > 0 and "9,0" in row_of(response.content.decode(), "Trần Thị An")
    finally:
        one("replica", "SELECT pg_wal_replay_resume()")
    caught_up()
    time.sleep(settings.REPLICA_CHECK_SECONDS)
    response, _primary, standby = get(principal, summary_url(results))
    assert standby > 0 and "10,0" in row_of(response.content.decode(), "Trần Thị An")
    assert time.monotonic() - started < 30


def test_a_stopped_replica_sends_reads_to_the_primary_and_pages_answer_200(
    client, results, settings
):
    cast = results.cast
    principal = as_user(client, cast.principal)
    settings.REPLICA_CHECK_SECONDS = 60  # the router will still believe the replica is up
    response, _primary, standby = get(principal, summary_url(results))
    assert standby > 0
    server = Server()
    server.stop()
    try:
        # Stopped between the router's look and the read: the read-only summary runs again
        # on the primary.
        response, primary, standby = get(principal, summary_url(results))
        assert response.status_code == 200 and standby == 0
        assert "9,0" in row_of(response.content.decode(), "Trần Thị An")
        # Known down now: no further attempt until REPLICA_RETRY_SECONDS have passed.
        for url, data in ((summary_url(results), None), (statistics_url(results), None),
                          (API, {"school": cast.school_a.code, "term": "1"})):
            response, primary, standby = get(principal, url, data)
            assert response.status_code == 200 and standby == 0 and primary > 0, url
        assert response.json()["total"]["pupils"] == 5
        time.sleep(settings.REPLICA_RETRY_SECONDS)
        # Refused again on the next try: still the primary, still 200.
        response, _primary, standby = get(principal, statistics_url(results))
        assert response.status_code == 200 and standby == 0
    finally:
        server.start()
    # Starting (a hot standby may take a while to accept connections): 200 whichever answers.
    replica.forget()
    response, _primary, _standby = get(principal, summary_url(results))
    assert response.status_code == 200
    assert "9,0" in row_of(response.content.decode(), "Trần Thị An")

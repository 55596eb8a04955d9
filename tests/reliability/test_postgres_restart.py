"""PostgreSQL restarts under load, twice: once `pg_ctl restart -m fast` (an operator's restart,
in-flight requests cut off), once `-m immediate` (a crash: no checkpoint, crash recovery at the
next start), held down until the kiosk and the teacher have both met the outage. Meanwhile a
kiosk uploads check-ins through the reference kiosk (tools/kiosk_simulator.py) and a
homeroom teacher saves registers through the register's HTML form, each recording what the
server answered (issue 15, fault 2).

Afterwards: the same gunicorn (its master and both workers, never restarted) answers again
within seconds of each start; nothing answered 500 (503 with Retry-After while the database was
away); every register that answered "saved" is in the database as saved; every card read is
stored exactly once, those of the batches answered 503 included (the kiosk's retry).

Everything is real and on loopback: a PostgreSQL cluster of the test's own (the shared one is
never stopped), answering a commit only once its WAL is written (SERVER_SETTINGS), holding a
copy of the test database once the test's rows are written; gunicorn with 2 sync workers on
the production settings (DEBUG=0, persistent connections, CONN_HEALTH_CHECKS). Bounded: every wait is a
poll with a deadline; the load lasts LOAD_SECONDS and the whole test under a minute."""

import datetime
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse

from contactbook import attendance
from contactbook.models import AttendanceMark
from devices.models import CheckInEvent
from tests import factories as f
from tests.clients import Client
from tools.kiosk_simulator import Kiosk, LinkDown
from truongso.views import DATABASE_RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
PG_PORT, APP_PORT = 54349, 18091
DATABASE = "truongso"
# A commit is answered once its WAL is written (synchronous_commit on, as in production: off, a
# crash loses commits already answered). fsync off: the test kills the server, not the machine,
# and written data survives that in the OS's cache; fsync on, the restart's checkpoint took over a
# minute on the test machine's shared disk.
SERVER_SETTINGS = "-c synchronous_commit=on -c fsync=off"
LOAD_SECONDS = 20  # at least this long under load, the two restarts inside it


def _wait_for(check, seconds: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _pg_bin() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    assert candidates, "PostgreSQL's server binaries are missing (scripts/system-deps.sh)"
    return candidates[-1]


class Cluster:
    """A PostgreSQL cluster in a temporary directory, owned by the `postgres` system user when
    the tests run as root (as `make test` does), as scripts/services.sh makes the shared one."""

    def __init__(self, port: int):
        self.port, self.bin = port, _pg_bin()
        self.directory = Path(tempfile.mkdtemp(prefix="truongso-pg-restart-"))
        self.data = self.directory / "data"
        if os.getuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        result = subprocess.run(prefix + [str(self.bin / command[0]), *command[1:]],
                                cwd="/", capture_output=True, text=True, timeout=60, check=False)
        if check:
            assert result.returncode == 0, f"{command[0]}: {result.stdout}{result.stderr}{self.log()}"
        return result

    def log(self) -> str:
        path = self.directory / "log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--encoding=UTF8", "--locale=C.UTF-8")
        self.start()

    def _server(self) -> list[str]:
        """How pg_ctl starts the server: its log in a file (on our stdout, the server would
        hold this process's pipe open), its options."""
        return ["-l", str(self.directory / "log"), "-w",
                "-o", f"-h 127.0.0.1 -p {self.port} -k {self.directory} {SERVER_SETTINGS}"]

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), *self._server(), "start")

    def stop(self, mode: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, *self._server(), "restart")

    def remove(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, name: str = DATABASE) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def connect(self):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=DATABASE)

    def copy_of_test_database(self) -> None:
        """The test database as it is now (migrated, with the test's committed rows), as the
        cluster's DATABASE: a dump restored in one transaction (migrating anew takes 30 s)."""
        admin = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        admin.close()
        db = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
        dump = subprocess.Popen(
            [str(self.bin / "pg_dump"), "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"],
             "--no-owner", db["NAME"]], stdout=subprocess.PIPE, env=env,
        )
        restore = subprocess.run(
            [str(self.bin / "psql"), "-q", "-X", "-1", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "postgres", "-d", DATABASE],
            stdin=dump.stdout, capture_output=True, text=True, timeout=120, check=False,
        )
        dump.stdout.close()
        assert dump.wait(timeout=60) == 0 and restore.returncode == 0, restore.stderr[-2000:]


@pytest.fixture
def cluster():
    assert _port_is_free(PG_PORT), f"port {PG_PORT} is taken: another run of this test?"
    cluster = Cluster(PG_PORT)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()


class Gunicorn:
    """The production settings (tests/reliability/production_settings.py) on the test's cluster, as
    bench/device_ingest.py starts gunicorn."""

    def __init__(self, database_url: str, directory: Path):
        self.log_path = directory / "gunicorn.log"
        static = directory / "static"
        static.mkdir()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.reliability.production_settings",
            "DEBUG": "0",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the test's sessions are signed with it
            "DATABASE_URL": database_url,
            "DB_CONN_MAX_AGE": "60",
            "DATABASE_REPLICA_URL": "",  # make test's replica streams the shared server, not this one
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
            "CACHE_URL": "locmemcache://",  # sessions from the database: more of it to lose
            "CELERY_BROKER_URL": "",
            "DEVICE_API_RATE_PER_MINUTE": "100000",
            "STATIC_ROOT": str(static),
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "truongso.wsgi", "--workers", "2", "--threads", "1",
             "--bind", f"127.0.0.1:{APP_PORT}", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        self.url = f"http://127.0.0.1:{APP_PORT}"

    def workers(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def gunicorn(cluster, tmp_path):
    assert _port_is_free(APP_PORT), f"port {APP_PORT} is taken: another run of this test?"
    servers = []

    def start() -> Gunicorn:
        servers.append(Gunicorn(cluster.url(), tmp_path))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _health(url: str) -> int:
    try:
        return requests.get(f"{url}/healthz", timeout=5).status_code
    except requests.RequestException:
        return 0


class Teacher:
    """The homeroom teacher saving one register after another (each a past school day and
    session of their own, every pupil present, a note naming the save) through the form."""

    def __init__(self, url: str, cookie: str, class_group, pupils):
        self.page = url + reverse("contactbook:attendance_sheet", args=[class_group.pk])
        self.pupils = pupils
        self.browser = requests.Session()
        self.browser.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
        year, today = class_group.school_year, attendance.today()
        days = [year.start_date + datetime.timedelta(days=n)
                for n in range((min(today, year.end_date) - year.start_date).days + 1)]
        self.slots = [(day, session) for day in reversed(days) for session in ("morning", "afternoon")]
        self.answers: list[tuple[float, int]] = []  # (when, status): 0 = no answer
        self.saved: dict[tuple[datetime.date, str], str] = {}  # what answered "saved", its note
        self.unexpected: list[str] = []
        self.unavailable: list[tuple[str | None, str]] = []  # the 503s' Retry-After and page

    def open(self) -> None:
        response = self.browser.get(self.page, timeout=30)
        assert response.status_code == 200, response.text[:500]
        self.csrf = self.browser.cookies["csrftoken"]

    def save_until(self, stop: threading.Event) -> None:
        """One slot after another (round again when all are used), each until it answers
        "saved", as a teacher tries again after the 503 page: so a slot's last save is the one
        that answered, and a 503 whose save did commit cannot leave another note behind."""
        number = 0
        for slot in itertools.cycle(self.slots):
            if stop.is_set():
                return
            while True:
                number += 1
                status, location = self._save(slot, f"lần lưu {number}")
                if status == 302 and f"ngay={slot[0].isoformat()}" in location:
                    self.saved[slot] = f"lần lưu {number}"
                    break
                if status != 503:
                    self.unexpected.append(f"{slot}: {status} {location}")
                    return
                time.sleep(1)
            time.sleep(0.1)

    def _save(self, slot: tuple[datetime.date, str], note: str) -> tuple[int, str]:
        day, session = slot
        data = {"ngay": day.isoformat(), "buoi": session, "csrfmiddlewaretoken": self.csrf}
        for pupil in self.pupils:
            data[f"status-{pupil.pk}"], data[f"note-{pupil.pk}"] = "present", note
        try:
            response = self.browser.post(self.page, data=data, allow_redirects=False, timeout=30)
        except requests.RequestException as error:
            self.answers.append((time.monotonic(), 0))
            return 0, str(error)
        self.answers.append((time.monotonic(), response.status_code))
        if response.status_code == 503:  # what the teacher sees meanwhile
            self.unavailable.append((response.headers.get("Retry-After"), response.text))
        return response.status_code, response.headers.get("Location", response.text[:300])


class Gate:
    """The kiosk at the school gate: reads cards and uploads them, through the reference
    kiosk's spool and retries, recording every answer it got and what each batch held."""

    def __init__(self, url: str, token: str, spool: Path, cards: list[str]):
        self.kiosk = Kiosk(url, token, spool, batch_size=10, timeout=10, log=lambda line: None)
        self.cards, self.read = cards, []
        self.answers: list[tuple[float, int, list[str]]] = []  # (when, status, event ids)
        self.failures: list[str] = []
        self.waits: list[float | None] = []  # the Retry-After of each 503
        post = self.kiosk._post

        def post_and_record(batch):
            answer = post(batch)
            self.answers.append((time.monotonic(), answer.status, [e["event_id"] for e in batch]))
            if answer.status == 503:
                self.waits.append(answer.retry_after)
            return answer

        self.kiosk._post = post_and_record  # the kiosk's own upload, watched

    def read_until(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                for n in range(10):
                    event = self.kiosk.read_card(self.cards[(len(self.read) + n) % len(self.cards)])
                    self.read.append(event["event_id"])
                    time.sleep(0.01)
                self.kiosk.flush(max_attempts=12)  # with Retry-After 5 s: a minute at most
        except LinkDown as down:
            self.failures.append(str(down))


def _since(answers, moment: float) -> list[int]:
    return [answer[1] for answer in answers if answer[0] >= moment]


def test_postgres_restarts_under_load_and_nothing_answered_as_saved_is_lost(
    cast, cluster, gunicorn, tmp_path
):
    started = time.monotonic()
    class_group, pupils = cast.class_a1, [cast.pupil_a1, cast.sibling_a1]
    kiosk = f.DeviceFactory(room=class_group.room, kind="kiosk")
    token = kiosk.issue_token()
    signed_in = Client()
    signed_in.force_login(cast.homeroom_a1)
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    cluster.copy_of_test_database()

    copied = time.monotonic()
    server = gunicorn()
    assert _wait_for(lambda: _health(server.url) == 200, 60), server.log()
    up = time.monotonic()
    workers = server.workers()
    assert len(workers) == 2
    teacher = Teacher(server.url, cookie, class_group, pupils)
    teacher.open()
    gate = Gate(server.url, token, tmp_path / "spool.jsonl", ["CARD-1", "CARD-2", "CARD-3"])
    health: list[tuple[float, int]] = []

    def healthy_within(seconds: float) -> float:
        start = time.monotonic()

        def check():
            health.append((time.monotonic(), _health(server.url)))
            return health[-1][1] == 200

        assert _wait_for(check, seconds, every=0.1), server.log()
        return time.monotonic() - start

    def both_saved_since(moment: float) -> bool:
        return 302 in _since(teacher.answers, moment) and 200 in _since(gate.answers, moment)

    stop = threading.Event()
    threads = [threading.Thread(target=teacher.save_until, args=(stop,)),
               threading.Thread(target=gate.read_until, args=(stop,))]
    load_started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        assert _wait_for(lambda: both_saved_since(load_started), 15), server.log()

        # 1. An operator's restart: connections cut, the server back at once.
        moment = time.monotonic()
        cluster.restart("fast")
        back_after_restart = healthy_within(10)
        restart_outage = time.monotonic() - moment
        assert _wait_for(lambda: both_saved_since(moment + back_after_restart), 20), server.log()

        # 2. A crash, held until both writers have met it.
        moment = time.monotonic()
        cluster.stop("immediate")
        assert _wait_for(lambda: 503 in _since(teacher.answers, moment)
                         and 503 in _since(gate.answers, moment), 10), server.log()
        assert _health(server.url) == 503
        cluster.start()  # crash recovery
        back_after_crash = healthy_within(10)
        crash_outage = time.monotonic() - moment
        assert _wait_for(lambda: both_saved_since(moment), 20), server.log()

        _wait_for(lambda: False, LOAD_SECONDS - (time.monotonic() - load_started))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    load = time.monotonic() - load_started

    # The same processes served throughout, and nothing answered 500.
    assert server.process.poll() is None and server.workers() == workers, server.log()
    assert not teacher.unexpected, teacher.unexpected
    assert not gate.failures, gate.failures
    statuses = {status for _, status, _ in gate.answers} | {s for _, s in teacher.answers} | {
        s for _, s in health}
    assert statuses <= {200, 302, 503}, (statuses, server.log())
    assert back_after_restart < 5 and back_after_crash < 5
    assert set(gate.waits) == {DATABASE_RETRY_AFTER_SECONDS}  # and the kiosk waited that long
    assert {wait for wait, _ in teacher.unavailable} == {str(DATABASE_RETRY_AFTER_SECONDS)}
    assert all("Hệ thống đang tạm gián đoạn" in page for _, page in teacher.unavailable)

    with cluster.connect() as db, db.cursor() as cursor:
        # Every register that answered "saved" is there, as saved.
        cursor.execute(
            f"SELECT date, session, student_id, note FROM {AttendanceMark._meta.db_table}"
            " WHERE class_group_id = %s", [class_group.pk])
        marks = {(day, session, student): note for day, session, student, note in cursor.fetchall()}
        lost = [(slot, note) for slot, note in teacher.saved.items()
                if any(marks.get((*slot, pupil.pk)) != note for pupil in pupils)]
        assert not lost, lost
        # Every card read is stored, once; those answered 503 too, after the kiosk's retry.
        cursor.execute(f"SELECT event_id::text, count(*) FROM {CheckInEvent._meta.db_table}"
                       " WHERE device_id = %s GROUP BY 1", [kiosk.pk])
        stored = dict(cursor.fetchall())
    db.close()
    assert len(gate.kiosk.spool) == 0
    assert set(stored) == set(gate.read) and set(stored.values()) == {1}
    refused = {event for _, status, events in gate.answers if status == 503 for event in events}
    assert refused and refused <= set(stored)

    elapsed = time.monotonic() - started
    print(f"\nsetup {copied - started:.1f} s, gunicorn up {up - copied:.1f} s, load {load:.1f} s; "
          f"saves answered: {len(teacher.saved)} registers, {len(stored)} check-ins; answers 503: "
          f"teacher {[s for _, s in teacher.answers].count(503)}, kiosk "
          f"{[s for _, s, _ in gate.answers].count(503)}; from the stop to /healthz 200: "
          f"{restart_outage:.1f} s (restart -m fast), {crash_outage:.1f} s (crash, held); "
          f"200 again {back_after_restart:.1f} s / {back_after_crash:.1f} s after the server "
          f"was up; {elapsed:.0f} s in all")
    # Gunicorn's start (two workers loading Django on a shared machine: 10-25 s) is the part
    # that varies; from the first save to the checks it is the load and the waits above.
    assert load < 40 and elapsed < 120

"""How many attendance check-ins per second the device API stores on PostgreSQL, beside the
same rows written by a bare `bulk_create` in the same run (issue 6: at least 2,000 events/s and
a ratio of at least 0.5; a province's morning peak is ~330 events/s).

    eval "$(bash scripts/services.sh)"          # PostgreSQL (and Redis) on loopback
    .venv/bin/python bench/device_ingest.py     # ~30 s
    .venv/bin/python bench/device_ingest.py --rounds 3 --profile 100   # medians; where time goes

What it does, each run from scratch:

1. drops and recreates the database `truongso_bench` on the server of DATABASE_URL, migrates it,
   and creates a school with 1,200 pupils holding cards and one kiosk with a token;
2. starts gunicorn on a free loopback port (2 workers, 1 thread each, DEBUG=0, the production
   settings: persistent DB connections, Redis for the rate-limit cache when REDIS_URL is set,
   rate limit lifted);
3. sends 50,000 events in batches of 100 from 2 concurrent clients (threads, each with a
   keep-alive `requests` session; gunicorn's sync workers still close the connection after
   each answer, as in production), 1 event in 50 with a card no pupil has; times the first
   request to the last answer; checks every event was accepted and the table holds 50,000 rows;
4. empties the table and inserts 50,000 equivalent rows with `CheckInEvent.objects.bulk_create(
   batch_size=100)`, timed;
5. prints both rates, their ratio, and one last line starting with RESULT.

Not part of the test run. Needs the test dependencies (factory_boy builds the school).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import math
import os
import pstats
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
BENCH_DB = "truongso_bench"
TARGET_EVENTS_PER_S = 2000
TARGET_RATIO = 0.5
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--pupils", type=int, default=1200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat API + bulk_create this many times; RESULT gives the medians "
                             "(for a machine others are using)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="afterwards, upload N more batches in-process under cProfile")
    args = parser.parse_args()

    setup_django(BENCH_DB, seed=False)
    device, token, cards = seed(args.pupils)
    unknown = [f"UNKNOWN-{n:03d}" for n in range(20)]

    results = []
    server = start_gunicorn(args.workers)
    try:
        wait_until_up(server, token)
        warm_up(server.url, token, args.clients)
        for number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"--- round {number} of {args.rounds}")
            result = measure_round(args, server.url, device, token, cards, unknown)
            if result is None:
                return 1
            results.append(result)
    finally:
        server.stop()

    if args.profile:
        profile_in_process(device, token, args.profile, args.batch, cards, unknown)

    api_rate = statistics.median(r[0] for r in results)
    bulk_rate = statistics.median(r[1] for r in results)
    ratio = statistics.median(r[0] / r[1] for r in results)
    if args.rounds > 1:
        print(f"==> medians of {args.rounds} rounds: API {api_rate:,.0f} events/s, bulk_create "
              f"{bulk_rate:,.0f} rows/s, ratio {ratio:.2f}")
    print(
        f"RESULT events_per_s={api_rate:.0f} bulk_create_rows_per_s={bulk_rate:.0f} "
        f"ratio={ratio:.2f} target_events_per_s={TARGET_EVENTS_PER_S} target_ratio={TARGET_RATIO} "
        f"events_per_s_vs_target={api_rate / TARGET_EVENTS_PER_S:.2f} "
        f"ratio_vs_target={ratio / TARGET_RATIO:.2f}"
    )
    return 0


def measure_round(args, url: str, device, token: str, cards, unknown) -> tuple[float, float] | None:
    """One API run and one bulk_create run of `args.events` rows, each on an empty table."""
    from devices.models import CheckInEvent

    empty_check_ins()
    bodies = make_bodies(args.events, args.batch, cards, unknown)
    print(f"==> {args.events:,} events in batches of {args.batch} from {args.clients} clients "
          f"to {url} (gunicorn, {args.workers} workers × 1 thread)", flush=True)
    seconds, counts = send_all(url, token, bodies, args.clients)
    stored = CheckInEvent.objects.count()
    api_rate = stored / seconds
    print(f"    {seconds:.2f} s, answers: {counts}, rows stored: {stored:,}")
    if stored != args.events or counts.get("accepted") != args.events:
        print(f"ERROR: expected {args.events:,} accepted and stored events", file=sys.stderr)
        return None
    print(f"    API: {api_rate:,.0f} events/s stored")

    bulk_seconds = bulk_create_same_rows(device, args.events, cards, unknown)
    bulk_rate = args.events / bulk_seconds
    print(f"==> bulk_create(batch_size=100): {args.events:,} rows in {bulk_seconds:.2f} s, "
          f"{bulk_rate:,.0f} rows/s")
    print(f"    ratio API / bulk_create: {api_rate / bulk_rate:.2f}", flush=True)
    return api_rate, bulk_rate


# --- the database and the settings ---------------------------------------------------------


def admin_connection(database_url: str):
    """An autocommit connection to the server of `database_url` (CREATE DATABASE needs one)."""
    import psycopg2

    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    return connection


def recreate_database(database_url: str, name: str = BENCH_DB, template: str | None = None) -> str:
    """Drops database `name` on the server of `database_url` and creates it again, empty or
    as a copy of database `template`; returns its URL."""
    parts = urlsplit(database_url)
    copy = f" as a copy of {template}" if template else ""
    print(f"==> Recreating database {name}{copy} on {parts.hostname}:{parts.port}", flush=True)
    connection = admin_connection(database_url)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    connection.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def configure_environment(bench_url: str, cache_db: int = 3) -> None:
    """The production settings module with production-like values; any of them can be
    overridden from the environment (e.g. DB_CONN_MAX_AGE=0 to compare). The cache is
    database `cache_db` of REDIS_URL's server."""
    redis_url = os.environ.get("REDIS_URL", "")
    defaults = {
        "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
        "DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-" + uuid.uuid4().hex + uuid.uuid4().hex,  # ≥ 50 chars
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # plain http on loopback
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(REPO / "var" / "bench-static"),  # (WhiteNoise warns when missing)
        # the shared cache that rate limits live in: Redis as in production, a database of
        # its own on the test server so the tests' data is left alone
        "CACHE_URL": f"{redis_url.rsplit('/', 1)[0]}/{cache_db}" if redis_url else "locmemcache://",
        # the demo's lessons notify their reviewers; keep those e-mails out of the figures
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    Path(os.environ["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DEVICE_API_RATE_PER_MINUTE"] = str(10**9)
    print(f"    settings: {os.environ['DJANGO_SETTINGS_MODULE']}, DEBUG={os.environ['DEBUG']}, "
          f"DB_CONN_MAX_AGE={os.environ['DB_CONN_MAX_AGE']}, CACHE_URL={os.environ['CACHE_URL']}")


def setup_django(name: str, *, cache_db: int = 3, seed: bool = True,
                 template: str | None = None, seed_stdout=None) -> None:
    """Everything a bench does before it measures: database `name` recreated on the server of
    DATABASE_URL (PostgreSQL, else exit), empty or copied from `template`; the production-like
    environment (configure_environment, the cache in Redis database `cache_db`); Django set up;
    an empty database migrated; and with `seed` the demo seeded (seed_demo, timed; its output
    to `seed_stdout` if given). Environment variables set before the call win."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit('DATABASE_URL must point to PostgreSQL: eval "$(bash scripts/services.sh)"')
    configure_environment(recreate_database(database_url, name, template), cache_db)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    if template is None:  # a copy is as migrated as its template
        print(f"==> Migrating {name}", flush=True)
        call_command("migrate", verbosity=0, interactive=False)
    if seed:
        print(f"==> Seeding the demo in {name}", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", verbosity=0, stdout=seed_stdout)
        print(f"    seed_demo: {time.perf_counter() - started:.1f} s", flush=True)


def seed(pupils: int):
    """One school, `pupils` pupils with cards, one kiosk with a token."""
    from school.models import Student
    from tests import factories as f

    print(f"==> Creating a school with {pupils:,} pupils and a kiosk", flush=True)
    school = f.SchoolFactory(name="Trường THPT Đo Tốc Độ", code="thpt-bench")
    f.SchoolYearFactory(school=school)
    device = f.DeviceFactory(room=f.RoomFactory(school=school, name="Cổng"), kind="kiosk")
    students = []
    for n in range(pupils):
        student = Student(
            school=school, student_code=f"BENCH{n:07d}", family_name="Nguyễn",
            middle_name="Văn" if n % 2 else "Thị", given_name=f"Học Sinh {n}",
            date_of_birth=datetime.date(2010, 1, 1) + datetime.timedelta(days=n % 365),
            sex="M" if n % 2 else "F", card_id=f"CARD-{n:06d}",
        )
        student.sort_key = student.compute_sort_key()
        students.append(student)
    Student.objects.bulk_create(students, batch_size=500)
    return device, device.issue_token(), [s.card_id for s in students]


def make_events(count: int, cards: list[str], unknown: list[str]) -> list[dict]:
    """Check-ins of the last two hours, local time with its offset as a kiosk sends them;
    1 in 50 with a card no pupil has."""
    rng = random.Random(6)
    now = datetime.datetime.now(VIETNAM)
    events = []
    for n in range(count):
        card = rng.choice(unknown) if n % 50 == 49 else rng.choice(cards)
        when = now - datetime.timedelta(seconds=rng.randrange(2 * 3600))
        events.append({
            "event_id": str(uuid.uuid4()), "card_id": card,
            "occurred_at": when.isoformat(timespec="milliseconds"),
            "direction": "in" if rng.random() < 0.9 else "out",
        })
    return events


def make_bodies(count: int, batch: int, cards: list[str], unknown: list[str]) -> list[bytes]:
    """Encoded before the clock starts: we measure the server, not the client's JSON."""
    events = make_events(count, cards, unknown)
    return [json.dumps({"events": events[i:i + batch]}).encode() for i in range(0, count, batch)]


# --- the server ------------------------------------------------------------------------------


class Server:
    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process, self.url = process, url

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop, our pid only
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def percentile(ordered: list[float], share: float) -> float:
    """Nearest rank: the smallest of the sorted samples `ordered` that at least `share` of
    them are at or below (p95 of 100 samples is the 95th); 0.0 when there are none."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(workers: int) -> Server:
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "truongso.wsgi",
        "--workers", str(workers), "--threads", "1",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]
    print(f"==> Starting {' '.join(command[2:])}", flush=True)
    process = subprocess.Popen(command, cwd=REPO, env=os.environ.copy())
    return Server(process, f"http://127.0.0.1:{port}")


def wait_until_up(server: Server, token: str, seconds: float = 90) -> None:
    """Until both workers have loaded the app (the master accepts connections before that);
    exits if the server's process exits first."""
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"the server exited with {server.process.returncode}; see its log")
        try:
            response = requests.get(f"{server.url}/api/devices/me", timeout=10,
                                    headers={"Authorization": f"Bearer {token}"})
            if response.status_code != 200:
                sys.exit(f"the server answered {response.status_code}: {response.text[:300]}")
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer on {server.url} within {seconds:.0f} s")


def warm_up(url: str, token: str, clients: int) -> None:
    """A few concurrent requests, so every worker has loaded the app before the clock starts."""
    import requests

    def client() -> None:
        with requests.Session() as session:
            for _ in range(10):
                session.get(f"{url}/api/devices/me", timeout=60,
                            headers={"Authorization": f"Bearer {token}"}).raise_for_status()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def send_all(url: str, token: str, bodies: list[bytes], clients: int) -> tuple[float, dict]:
    """`clients` threads, each with its own keep-alive session, take the next batch until none
    is left. Returns the seconds from the first request to the last answer, and the answers."""
    import requests

    queue = list(reversed(bodies))
    lock = threading.Lock()
    counts: dict[str, int] = {}
    failures: list[str] = []
    latencies: list[float] = []  # in the order the answers came (list.append is atomic)
    start_barrier = threading.Barrier(clients + 1)

    def client() -> None:
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token}",
                                "Content-Type": "application/json"})
        start_barrier.wait()
        while True:
            with lock:
                if not queue or failures:
                    return
                body = queue.pop()
            sent = time.perf_counter()
            response = session.post(f"{url}/api/devices/check-ins", data=body, timeout=60)
            latencies.append(time.perf_counter() - sent)
            if response.status_code != 200:
                with lock:
                    failures.append(f"{response.status_code}: {response.text[:300]}")
                return
            answer = response.json()
            with lock:
                for key, status in (("accepted", "accepted"), ("duplicates", "duplicate"),
                                    ("conflicts", "conflict"), ("rejected", "rejected")):
                    counts[status] = counts.get(status, 0) + answer[key]

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        sys.exit(f"an upload failed: {failures[0]}")
    ordered = sorted(latencies)
    tenth = max(1, len(latencies) // 10)
    print(f"    per batch: median {ordered[len(ordered) // 2] * 1000:.1f} ms, "
          f"95th percentile {percentile(ordered, 0.95) * 1000:.1f} ms; "
          f"mean of the first tenth {sum(latencies[:tenth]) / tenth * 1000:.1f} ms, "
          f"of the last tenth {sum(latencies[-tenth:]) / tenth * 1000:.1f} ms")
    return seconds, counts


# --- the baseline and the profile ----------------------------------------------------------


def empty_check_ins() -> None:
    from django.db import connection

    from devices.models import CheckInEvent

    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{CheckInEvent._meta.db_table}"')


def bulk_create_same_rows(device, count: int, cards: list[str], unknown: list[str]) -> float:
    """The same rows (pupil matched, payload hash) through a bare bulk_create, after emptying
    the table. Objects are built before the clock starts; only the INSERTs are timed."""
    from devices import services
    from devices.models import CheckInEvent
    from school.models import Student

    empty_check_ins()
    pupil_of = dict(Student.objects.filter(school=device.school_id).values_list("card_id", "id"))
    rows = []
    for event in make_events(count, cards, unknown):
        check_in = services.CheckIn(
            event_id=uuid.UUID(event["event_id"]), card_id=event["card_id"], student_code=None,
            occurred_at=datetime.datetime.fromisoformat(event["occurred_at"]),
            direction=event["direction"],
        )
        rows.append(CheckInEvent(
            device=device, school_id=device.school_id, event_id=check_in.event_id,
            student_id=pupil_of.get(check_in.card_id), card_id=check_in.card_id,
            occurred_at=check_in.occurred_at, direction=check_in.direction,
            payload_hash=check_in.fingerprint,
        ))
    print(f"==> Table emptied; bulk_create of {count:,} equivalent rows", flush=True)
    started = time.perf_counter()
    CheckInEvent.objects.bulk_create(rows, batch_size=100)
    seconds = time.perf_counter() - started
    assert CheckInEvent.objects.count() == count
    return seconds


def profile_in_process(device, token: str, batches: int, batch: int, cards, unknown) -> None:
    """Upload `batches` fresh batches through Django's test client (the whole stack but HTTP
    and gunicorn) under cProfile, and print where the time goes."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    bodies = make_bodies(batches * batch, batch, cards, unknown)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    client.post("/api/devices/check-ins", data=bodies[0], content_type="application/json")  # warm
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        profiler.enable()
        for body in bodies[1:]:
            response = client.post("/api/devices/check-ins", data=body,
                                   content_type="application/json")
            assert response.status_code == 200, response.content[:300]
        profiler.disable()
    seconds = time.perf_counter() - started
    done = len(bodies) - 1
    sql = sum(float(q["time"]) for q in queries.captured_queries)
    print(f"==> Profile: {done} batches in-process, {done * batch / seconds:,.0f} events/s in one "
          f"process, {len(queries.captured_queries) / done:.1f} queries per batch, SQL "
          f"{sql / seconds:.0%} of the time (as Django's cursor wrapper measures it)")
    by_kind: dict[str, float] = {}
    for query in queries.captured_queries:
        kind = " ".join(query["sql"].split()[:4])[:60]
        by_kind[kind] = by_kind.get(kind, 0.0) + float(query["time"])
    for kind, total in sorted(by_kind.items(), key=lambda item: -item[1]):
        print(f"    {total / done * 1000:6.2f} ms per batch  {kind}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())

"""A school morning under load (issue 15): 7:00–7:30 of a 1,200-pupil school, at its peak.

    eval "$(bash scripts/services.sh)"           # PostgreSQL and Redis on loopback
    .venv/bin/python bench/school_morning.py     # ~4 minutes: database, demo, 120 s of load
    .venv/bin/python bench/school_morning.py --scale 10 --duration 60   # ten times the peak

Kiosks upload check-ins, parents sign in and open the portal after the absence alerts,
homeroom teachers save the register, subject teachers save a grade column, and one class's
term report is rendered by a Celery worker meanwhile. Locust (bench/school_morning_users.py)
plays the people, over HTTP on loopback only, for a bounded time. Then every write that
answered success is looked up in the database, and duplicates are counted.

The peak, derived (the counts are the demo school's, printed with the run):

  School: THPT Hạ Long of the demo, 1,215 pupils in 30 classes of ~40, 1,943 guardian
  accounts (1.6 per pupil), one kiosk at each class's door (the demo has 9; the bench adds the
  other 21), first period at 7:15.

  Check-ins: 90 % of the pupils arrive between 7:00 and 7:20, a third of those in the busiest
  five minutes (7:10–7:15): 30 % of 1,215 = 365 taps in 300 s = 1.2 taps/s. A kiosk sends
  each tap as it happens; one upload in ten is a small spooled batch (2–8 taps, after a
  dropped link), one in twenty is sent twice (the answer was lost): 0.87 uploads/s.

  Registers: the 30 homeroom teachers save the morning register in the first ten minutes of
  the first period (7:15–7:25), three in ten save it again when a late pupil arrives: 39
  saves, 60 % of them in the busiest five minutes = 0.078 saves/s. Each visit signs in, opens
  the register, saves it and sees it again (4 requests after the sign-in form).

  Absence alerts and parents: 2 % of the pupils are marked absent without leave, so about 24
  pupils' 39 guardians get an alert (SMS and the portal) at 7:15–7:25; every one of them opens
  the portal within ten minutes, 60 % of them in the busiest five. Besides them a quarter of
  all guardians (486) look in that half hour to see that their child arrived, 30 % of them in
  the same five minutes after the registers. (0.6 × 39 + 0.3 × 486) / 300 s = 0.56 parent
  visits/s, each a sign-in (the password form: the dearest request of all) and three portal
  pages: the child's attendance (the alert's link), the portal home, the child's page.

  Grades: of the ~60 subject teachers a third have the first period free and half of those
  save one column that half hour: 10 saves, 30 % in the busiest five minutes = 0.01 saves/s.

  Report run: one class (~40 cards) started 10 s into the load, rendered by a worker on the
  `reports` queue while the rest goes on.

  Altogether about 4.2 requests/s at the peak (the script prints the sum), 1.7 of them portal
  pages. `--scale N` multiplies every rate (N schools' mornings on one server, or a worse
  morning than this one).

What it does, each run from scratch:

1. drops and recreates the database `bench_school_morning` on the server of DATABASE_URL,
   migrates it, seeds the demo (`seed_demo`: the school, its families, a complete term I grade
   book) and collects the static files, and keeps a copy as the template
   `bench_school_morning_template`, named by a digest of the migrations, the demo's code, the
   static files, the lock file and the date: later runs that day copy it in seconds instead
   (`--fresh` seeds anyway); then adds the missing kiosks and issues every kiosk a token;
2. starts gunicorn with production's settings (truongso/gunicorn.py) on 127.0.0.1:18092
   (`--port`), 4 sync workers (production's WEB_CONCURRENCY default is 2: twice the cores here,
   so that a sign-in's password hash does not hold up the pages), the production settings
   module with DEBUG=0, persistent database connections, the cache in Redis (db 8 of
   REDIS_URL, `--cache-db`) and so sessions in cached_db, the device rate limit as production
   has it; a private redis-server on a free loopback port as the Celery broker (the settings
   refuse the cache's database for it, and the shared server's other databases belong to
   others); a Celery worker on `reports` (prefork, 1 process) and one on `notifications` and
   `default` (solo), so the absence alerts are really delivered (to the file SMS gateway);
3. runs Locust headless for `--duration` seconds (120 by default, at most 120) with
   the users above, their mean waits derived from the peak;
4. stops it all, checks every write that answered success (each accepted or duplicate
   check-in's event id, each saved register's marks, each saved column's scores: the last
   save of each wins) against the database, counts duplicates, and prints a table per action
   (requests, requests/s, p50, p95, p99 in ms, errors), the derived peak, the lost writes and
   one last line starting with RESULT.

Exit status 1 on any error or lost write. Not part of the test run; needs the test
dependencies (the demo) and Locust (requirements.lock).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from device_ingest import (
    Server,
    admin_connection,
    free_port,
    percentile,
    recreate_database,
    setup_django,
    wait_until_up,
    warm_up,
)
from report_run import start_worker, timed_run

BENCH_DB = "bench_school_morning"
TEMPLATE_DB = "bench_school_morning_template"
KEPT = REPO / "var" / "bench-school-morning"
TARGET_PORTAL_P99_MS = 300
MAX_DURATION_S = 120
PORTAL = "portal (all pages)"
PORTAL_ACTIONS = ("portal: child's attendance", "portal: home", "portal: child's page")


# --- the peak ----------------------------------------------------------------------------------


@dataclass
class Peak:
    """Mean rates at the busiest five minutes of 7:00–7:30, per second, and what follows."""

    pupils: int
    classes: int
    guardians: int
    kiosks: int
    taps: float  # card taps
    uploads: float  # kiosk uploads (a tap, or a spooled batch), resends included
    registers: float  # register saves
    parent_visits: float
    columns: float  # grade column saves

    # Requests per visit after Locust's bookkeeping: sign-in form + password + pages.
    PARENT_REQUESTS = 5  # form, password, attendance, home, child's page
    REGISTER_REQUESTS = 5  # form, password, open, save, after the save
    COLUMN_REQUESTS = 5

    @property
    def portal_rps(self) -> float:
        return 3 * self.parent_visits

    @property
    def rps(self) -> float:
        return (self.uploads + self.PARENT_REQUESTS * self.parent_visits
                + self.REGISTER_REQUESTS * self.registers + self.COLUMN_REQUESTS * self.columns)


def derive_peak(pupils: int, classes: int, guardians: int, kiosks: int, scale: float) -> Peak:
    """The module docstring's arithmetic, on the seeded school's real counts."""
    window = 300.0  # the busiest five minutes
    taps = 0.30 * pupils / window
    # 9 in 10 uploads carry one tap, 1 in 10 a spooled batch of 2–8 (5 on average); 1 in 20
    # is sent a second time.
    uploads = taps / (0.9 * 1 + 0.1 * 5) * 1.05
    registers = 0.6 * classes * 1.3 / window
    alerted_guardians = 0.02 * pupils * guardians / pupils
    parent_visits = (0.6 * alerted_guardians + 0.3 * 0.25 * guardians) / window
    columns = 0.3 * 10 / window
    return Peak(pupils, classes, guardians, kiosks, taps * scale, uploads * scale,
                registers * scale, parent_visits * scale, columns * scale)


def users_and_waits(peak: Peak) -> tuple[dict, dict]:
    """Locust users of each kind and their mean wait between visits (seconds), so that users /
    wait is the peak's rate. Enough users that a slow answer does not slow the arrivals."""
    users = {
        "kiosk": peak.kiosks,
        "parent": max(20, math.ceil(peak.parent_visits * 10)),
        "homeroom": max(4, math.ceil(peak.registers * 10)),
        "subject": max(2, math.ceil(peak.columns * 10)),
    }
    # uploads counts the resends, which follow their upload without a wait
    rates = {"kiosk": peak.uploads / 1.05, "parent": peak.parent_visits,
             "homeroom": peak.registers, "subject": peak.columns}
    waits = {kind: users[kind] / rates[kind] for kind in users}
    return users, waits


def describe(peak: Peak, users: dict, waits: dict) -> str:
    lines = [
        (f"school: {peak.pupils:,} pupils, {peak.classes} classes, {peak.guardians:,} guardian "
         f"accounts, {peak.kiosks} kiosks"),
        (f"peak (busiest 5 minutes): {peak.taps:.2f} taps/s in {peak.uploads:.2f} uploads/s, "
         f"{peak.registers:.3f} register saves/s, {peak.parent_visits:.2f} parent visits/s, "
         f"{peak.columns:.3f} grade columns/s"),
        f"         = {peak.rps:.1f} requests/s, {peak.portal_rps:.2f} of them portal pages",
        "users (mean wait between visits): "
        + ", ".join(f"{kind} {users[kind]} ({waits[kind]:.0f} s)" for kind in users),
    ]
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=MAX_DURATION_S,
                        help=f"seconds of load (at most {MAX_DURATION_S})")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every derived rate")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=18092, help="gunicorn's loopback port")
    parser.add_argument("--cache-db", type=int, default=8, help="the Redis database of the cache")
    parser.add_argument("--fresh", action="store_true",
                        help="migrate and seed even if today's seeded template is there")
    args = parser.parse_args()
    if not 5 <= args.duration <= MAX_DURATION_S:
        sys.exit(f"--duration is 5–{MAX_DURATION_S} seconds")

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        sys.exit('DATABASE_URL (PostgreSQL) and REDIS_URL are needed: eval "$(bash scripts/services.sh)"')
    work = Path(tempfile.mkdtemp(prefix="school-morning-"))
    processes: list = []
    # A SIGTERM (a timeout, a Ctrl-C's cousin) still stops the server, the workers and Redis.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(args, database_url, redis_url, work, processes)
    finally:
        for process in reversed(processes):
            process.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(args, database_url: str, redis_url: str, work: Path, processes: list) -> int:
    started = time.monotonic()
    broker = start_broker(work)
    processes.append(broker)
    set_environment(redis_url, args.cache_db, broker.url, work)
    plan, school, peak = prepare(args, database_url, work, started)

    server = start_gunicorn(args.workers, args.port, work)
    processes.append(server)
    processes.append(Server(start_worker("reports", "--concurrency", "1", name="reports",
                                         log=work / "celery-reports.log"), ""))
    processes.append(Server(start_worker("notifications,default", "--pool", "solo", name="notify",
                                         log=work / "celery-notify.log"), ""))
    wait_until_up(server, plan["kiosks"][0]["token"])
    # 10 requests a worker, on the last kiosk's token: well inside production's rate limit
    # (120 a minute), which that kiosk's uploads then share.
    warm_up(server.url, plan["kiosks"][-1]["token"], args.workers)

    users = sum(plan["users"].values())
    report = ReportRun(school, plan["report_class_id"], delay=10)
    print(f"==> Locust: {users} users for {args.duration} s against {server.url}; "
          f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    load_started = time.monotonic()
    report.start()
    locust_status = run_locust(server.url, users, args.duration, work)
    seconds = time.monotonic() - load_started
    report.join(timeout=240)  # on a quiet machine it is done long before the load ends
    for process in reversed(processes):
        process.stop()
    processes.clear()
    if locust_status not in (0, 1):  # 1: some request failed, counted in the table
        print(f"    Locust exited with {locust_status}: see its log")
    out = json.loads((work / "out.json").read_text(encoding="utf-8"))
    print(f"    load {seconds:.0f} s, whole bench {time.monotonic() - started:.0f} s; "
          f"load average after: {os.getloadavg()[0]:.2f}")
    ok = summarize(out, args, peak, report)
    return 0 if ok and locust_status in (0, 1) else 1


def set_environment(redis_url: str, cache_db: int, broker_url: str, work: Path) -> None:
    """Over device_ingest.configure_environment's production settings: the cache in Redis
    database `cache_db` whatever CACHE_URL says (prepare empties it), the broker of our own,
    and the files of this run in `work`."""
    os.environ.update({
        "CACHE_URL": f"{redis_url.rsplit('/', 1)[0]}/{cache_db}",
        "CELERY_BROKER_URL": broker_url,
        "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",  # plain http on loopback
        "SMS_FILE_PATH": str(work / "sms.jsonl"),
        "SMS_SEND_HOURS": "0,24",  # the alerts go out whatever hour the bench runs at
        # The demo's files stay beside its template database, so a clone finds them.
        "MEDIA_ROOT": str(KEPT / "media"), "STATIC_ROOT": str(KEPT / "static"),
        "REPORTS_ROOT": str(work / "reports"),
    })


def prepare(args, database_url: str, work: Path, started: float):
    """The database (a copy of today's template, or migrated and seeded), the plan written to
    work/plan.json, and the derived peak, printed."""
    fingerprint = seed_fingerprint()
    cloned = not args.fresh and template_is_current(database_url, fingerprint)
    with open(work / "seed.log", "w") as seed_log:
        setup_django(BENCH_DB, cache_db=args.cache_db, seed=not cloned,
                     template=TEMPLATE_DB if cloned else None, seed_stdout=seed_log)
    # Read by gunicorn, started later: the kiosks live with production's limit.
    os.environ.pop("DEVICE_API_RATE_PER_MINUTE")
    from django.core.cache import cache
    from django.core.management import call_command

    cache.clear()  # our database of the shared Redis: sessions and pages of an earlier run
    if not cloned:
        print(f"    seeded at {time.monotonic() - started:.0f} s", flush=True)
        call_command("collectstatic", verbosity=0, interactive=False, clear=True)
        save_template(database_url, fingerprint)
    plan, school = make_plan()
    counts = plan.pop("counts")
    peak = derive_peak(counts["pupils"], len(plan["homerooms"]), len(plan["guardians"]),
                       len(plan["kiosks"]), args.scale)
    plan["users"], plan["waits"] = users_and_waits(peak)
    (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    print(f"    ready in {time.monotonic() - started:.0f} s", flush=True)
    print("==> The peak, derived" + (f" (× {args.scale:g})" if args.scale != 1 else ""))
    print("    " + describe(peak, plan["users"], plan["waits"]).replace("\n", "\n    "), flush=True)
    return plan, school, peak


def summarize(out: dict, args, peak: Peak, report: ReportRun) -> bool:
    """Print the table, the writes checked, the report run and the RESULT line; True when
    nothing failed and nothing was lost or doubled."""
    rows = table(out["samples"], args.duration)
    lost, duplicates, checked = verify(out["writes"])
    errors = sum(row.errors for row in rows if row.action != PORTAL)
    print_table(rows)
    for error in out["errors"][:10]:
        print(f"    error: {error}")
    print(f"==> Writes that answered success, checked in the database: {checked}")
    print(f"    lost: {lost}, stored twice: {duplicates}")
    print(f"==> Report run of one class: {report.outcome}")
    portal = next(row for row in rows if row.action == PORTAL)
    total = sum(row.requests for row in rows if row.action != PORTAL)
    print(
        f"RESULT portal_p99_ms={portal.p99:.0f} errors={errors} lost_writes={lost} "
        f"duplicates={duplicates} peak_rps={peak.rps:.1f} measured_rps={total / args.duration:.1f} "
        f"portal_rps={portal.requests / args.duration:.1f} pupils={peak.pupils} "
        f"guardians={peak.guardians} scale={args.scale:g} "
        f"report_run={'ok' if report.ok else 'fail'} p99_target_ms={TARGET_PORTAL_P99_MS} "
        f"p99_vs_target={'pass' if portal.p99 < TARGET_PORTAL_P99_MS else 'fail'}"
    )
    return errors == 0 and lost == 0 and duplicates == 0 and report.ok


# --- the database ----------------------------------------------------------------------------


def seed_fingerprint() -> str:
    """What the seeded database and the collected static files depend on: every migration,
    the demo's code, the static sources, the pinned packages (their migrations and static
    files), and the day (the demo's week is relative to today)."""
    import hashlib

    digest = hashlib.sha256(datetime.date.today().isoformat().encode())
    static = [p for p in [*REPO.glob("static/**/*"), *REPO.glob("*/static/**/*")]
              if p.is_file() and p.relative_to(REPO).parts[0] != "var"]
    paths = sorted([*REPO.glob("*/migrations/*.py"), *REPO.glob("demo/*.py"), *static,
                    REPO / "requirements.lock"])
    for path in paths:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def template_is_current(database_url: str, fingerprint: str) -> bool:
    """Whether the template was seeded from the same code today (copying it takes a few
    seconds instead of minutes of migrating and seeding)."""
    connection = admin_connection(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                       "WHERE datname = %s", [TEMPLATE_DB])
        row = cursor.fetchone()
    connection.close()
    current = bool(row) and row[0] == fingerprint and (KEPT / "static").is_dir()
    if current:
        print(f"==> {TEMPLATE_DB} was seeded today from the same code", flush=True)
    return current


def save_template(database_url: str, fingerprint: str) -> None:
    """Keep the freshly seeded database as the template of the next runs."""
    from django.db import connections

    connections.close_all()  # a template cannot be copied while someone is connected
    recreate_database(database_url, TEMPLATE_DB, template=BENCH_DB)
    connection = admin_connection(database_url)
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE {TEMPLATE_DB} IS %s", [fingerprint])
    connection.close()


# --- the school and the plan -------------------------------------------------------------------


def make_plan() -> tuple[dict, object]:
    """Who plays whom: each kiosk's token and its class's cards, the guardians and their
    children, each class's homeroom teacher and pupils, one scored subject's grade book per class
    (its teacher and the last regular column of the current term). Adds a kiosk at the door of
    every class that has none."""
    from contactbook import attendance
    from demo.school import DEMO_PASSWORD, UPPER_CODE
    from school.models import (
        ClassGroup,
        ClassroomDevice,
        Guardianship,
        School,
        Student,
        Subject,
        TeachingAssignment,
        Term,
    )

    school = School.objects.get(code=UPPER_CODE)
    classes = list(ClassGroup.objects.filter(school=school, school_year__is_current=True)
                   .select_related("room", "homeroom_teacher").order_by("name"))
    day = attendance.today()
    term = Term.objects.of_year(classes[0].school_year_id).containing(day).first()
    if term is None or term.is_closed:
        sys.exit(f"no open term on {day}: the bench saves registers and grades today")
    kiosk_of = {d.room_id: d for d in ClassroomDevice.objects.filter(
        school=school, kind=ClassroomDevice.Kind.KIOSK)}
    plan = {"password": DEMO_PASSWORD, "day": day.isoformat(), "kiosks": [], "homerooms": [],
            "grade_books": [], "guardians": []}
    pupils_total = 0
    for class_group in classes:
        pupils = list(Student.objects.in_class(class_group).values_list("pk", "card_id"))
        pupils_total += len(pupils)
        kiosk = kiosk_of.get(class_group.room_id) or ClassroomDevice.objects.create(
            school=school, room=class_group.room, kind=ClassroomDevice.Kind.KIOSK,
            name=f"Máy điểm danh {class_group.room.name}")
        kiosk_of[class_group.room_id] = kiosk
        plan["kiosks"].append({"token": kiosk.issue_token(),
                               "cards": [card for _pk, card in pupils if card]})
        plan["homerooms"].append({"class_id": class_group.pk,
                                  "phone": class_group.homeroom_teacher.phone,
                                  "pupils": [pk for pk, _card in pupils]})
        teaching = (TeachingAssignment.objects.filter(
            class_group=class_group, subject__assessment=Subject.Assessment.SCORED)
            .select_related("subject", "teacher").order_by("subject__name").first())
        subject = teaching.subject
        plan["grade_books"].append({
            "class_id": class_group.pk, "subject_id": subject.pk, "term_id": term.pk,
            "phone": teaching.teacher.phone, "column": f"regular-{subject.regular_assessment_count}",
            "url": f"/giao-vien/lop/{class_group.pk}/so-diem/{subject.pk}/hoc-ky/{term.pk}/",
            "pupils": [pk for pk, _card in pupils],
        })
    children: dict[str, list[int]] = {}
    for phone, student in (Guardianship.objects
                           .filter(student__school=school, guardian__user__is_active=True)
                           .values_list("guardian__user__phone", "student_id")):
        children.setdefault(phone, []).append(student)
    guardians = [{"phone": phone, "children": ids} for phone, ids in sorted(children.items())]
    random.Random(15).shuffle(guardians)
    plan["guardians"] = guardians
    plan["report_class_id"] = classes[0].pk
    plan["counts"] = {"pupils": pupils_total}
    return plan, school


# --- the processes ------------------------------------------------------------------------------


def start_broker(work: Path) -> Server:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(work), "--loglevel", "warning"],
        stdout=open(work / "redis.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )
    deadline = time.monotonic() + 10
    import socket

    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("the private redis-server did not start")
    return Server(process, f"redis://127.0.0.1:{port}/0")


def start_gunicorn(workers: int, port: int, work: Path) -> Server:
    """Production's gunicorn settings (truongso/gunicorn.py, access log included), on our
    port, with `workers` sync workers."""
    command = [sys.executable, "-m", "gunicorn", "-c", "python:truongso.gunicorn", "truongso.wsgi"]
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    print(f"==> Starting {' '.join(command[2:])} (WEB_CONCURRENCY={workers}, BIND={env['BIND']})",
          flush=True)
    process = subprocess.Popen(command, cwd=REPO, env=env,
                               stdout=open(work / "gunicorn.log", "wb"),  # noqa: SIM115
                               stderr=subprocess.STDOUT)
    return Server(process, f"http://127.0.0.1:{port}")


def run_locust(url: str, users: int, duration: int, work: Path) -> int:
    """Locust headless, every user spawned at once (each first waits its random time); its
    own summary goes to locust.log. Returns its exit status (1 when a request failed)."""
    env = {**os.environ, "SCHOOL_MORNING_PLAN": str(work / "plan.json"),
           "SCHOOL_MORNING_OUT": str(work / "out.json")}
    command = [sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "school_morning_users.py"),
               "--headless", "--only-summary", "--host", url, "-u", str(users), "-r", str(users),
               "-t", f"{duration}s", "--stop-timeout", "30", "--loglevel", "WARNING"]
    with open(work / "locust.log", "wb") as log:
        status = subprocess.run(command, check=False, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                timeout=duration + 120).returncode
    if not (work / "out.json").exists():
        print((work / "locust.log").read_text(errors="replace")[-3000:])
        sys.exit("Locust wrote no results")
    return status


class ReportRun(threading.Thread):
    """One class's term report, started `delay` seconds into the load by the principal (only
    the school's managers start runs), and followed until the worker has written it."""

    def __init__(self, school, class_id: int, delay: float):
        super().__init__(daemon=True)
        self.school, self.class_id, self.delay = school, class_id, delay
        self.ok, self.outcome = False, "not started"

    def run(self) -> None:
        from django.db import connection

        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - reported in the table, fails the bench
            self.outcome = f"failed: {exc!r}"
        finally:
            connection.close()

    def _run(self) -> None:
        from contactbook import attendance
        from reports.models import ReportRun as Run
        from school.models import ClassGroup, StaffMembership, Student, Term

        time.sleep(self.delay)
        class_group = ClassGroup.objects.get(pk=self.class_id)
        term = Term.objects.of_year(class_group.school_year_id).containing(attendance.today()).first()
        principal = StaffMembership.objects.select_related("user").get(
            school=self.school, role=StaffMembership.Role.PRINCIPAL, is_active=True).user
        seconds, run = timed_run(principal, self.school, class_group.school_year, term,
                                 class_group=class_group, timeout=230, every=0.2)
        pupils = Student.objects.in_class(class_group).count()
        self.ok = run.status == Run.Status.DONE and run.rendered == pupils
        self.outcome = (f"class {class_group.name}, {run.rendered} of {pupils} cards, "
                        f"{run.status} in {seconds:.1f} s")


# --- the figures ---------------------------------------------------------------------------------


class Row(NamedTuple):
    action: str
    requests: int
    rps: float
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: int


def table(samples: list, duration: float) -> list[Row]:
    """A row per action, then the portal's pages together."""
    by_action: dict[str, list] = {}
    for name, ms, ok in samples:
        by_action.setdefault(name, []).append((ms, ok))
    by_action[PORTAL] = [s for name in PORTAL_ACTIONS for s in by_action.get(name, [])]
    rows = []
    for name in sorted(by_action, key=lambda n: (n == PORTAL, n)):
        times = sorted(ms for ms, _ok in by_action[name])
        errors = sum(1 for _ms, ok in by_action[name] if not ok)
        rows.append(Row(name, len(times), len(times) / duration, percentile(times, 0.50),
                     percentile(times, 0.95), percentile(times, 0.99), errors))
    return rows


def print_table(rows: list[Row]) -> None:
    print(f"==> {'action':34} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6}")
    for name, count, rps, p50, p95, p99, errors in rows:
        print(f"    {name:34} {count:8d} {rps:7.2f} {p50:8.0f} {p95:8.0f} {p99:8.0f} {errors:6d}")


def verify(writes: dict) -> tuple[int, int, str]:
    """(lost, stored twice, what was checked): every check-in answered accepted or duplicate
    is stored once; the last answered save of each register and grade column is what the
    database holds, cell by cell."""
    from django.db.models import Count

    from contactbook.models import AttendanceMark, Score
    from devices.models import CheckInEvent

    event_ids = set(writes["check_ins"])
    stored = CheckInEvent.objects.filter(event_id__in=event_ids)
    lost = len(event_ids) - stored.values("event_id").distinct().count()
    duplicates = sum(row["n"] - 1 for row in stored.values("event_id").annotate(n=Count("id"))
                     .filter(n__gt=1))

    registers = last_saves(writes["attendance"], ("class_id", "day", "session"))
    marks = 0
    for save in registers:
        day = datetime.date.fromisoformat(save["day"])
        rows = AttendanceMark.objects.filter(student_id__in=[int(p) for p in save["statuses"]],
                                             date=day, session=save["session"])
        found: dict[int, list[str]] = {}
        for student_id, status in rows.values_list("student_id", "status"):
            found.setdefault(student_id, []).append(status)
        for pupil, status in save["statuses"].items():
            marks += 1
            held = found.get(int(pupil), [])
            lost += held != [status] and status not in held
            duplicates += max(0, len(held) - 1)

    columns = last_saves(writes["scores"], ("class_id", "subject_id", "term_id", "column"))
    cells = 0
    for save in columns:
        kind, index = save["column"].rsplit("-", 1)
        rows = Score.objects.filter(student_id__in=[int(p) for p in save["values"]],
                                    subject_id=save["subject_id"], term_id=save["term_id"],
                                    kind=kind, index=int(index))
        found = {}
        for student_id, value in rows.values_list("student_id", "value"):
            found.setdefault(student_id, []).append(value)
        for pupil, typed in save["values"].items():
            cells += 1
            held = found.get(int(pupil), [])
            lost += Decimal(typed.replace(",", ".")) not in held
            duplicates += max(0, len(held) - 1)
    checked = (f"{len(event_ids)} check-ins, {marks} attendance marks of {len(registers)} "
               f"registers ({len(writes['attendance'])} saves), {cells} scores of {len(columns)} "
               f"columns ({len(writes['scores'])} saves)")
    return lost, duplicates, checked


def last_saves(saves: list[dict], key: tuple[str, ...]) -> list[dict]:
    """The save answered last for each register or column: the one the database must hold."""
    last: dict[tuple, dict] = {}
    for save in sorted(saves, key=lambda s: s["at"]):
        last[tuple(save[k] for k in key)] = save
    return list(last.values())


if __name__ == "__main__":
    sys.exit(main())

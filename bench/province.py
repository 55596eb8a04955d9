"""How one school's costs grow as a province's schools share the tables (issue 14): the
dataset grows from 1 school to 10 and then to 50 (adding schools, not rebuilding), and at each
step the bench measures, for the first school, in 3 rounds (`--rounds`; medians, but the best
round of the report run, CPU-bound work whose only noise is the machine's other load):

- the parent portal's home (`/phu-huynh/`): p50/p95 of 100 sequential requests through
  gunicorn (2 sync workers, production's settings as bench/device_ingest.py sets them), logged
  in through the real form as a guardian of the first school (the page must show the child);
- the device ingest rate: events/s for a batch upload (10,000 check-ins in batches of 100 from
  2 clients) to the first school's kiosk; the events stay, so that table grows too;
- one school's report run: seconds for the first school's class 10A1 (30 cards: card data,
  HTML, PDFs and the class PDF), rendered in-process as bench/report_run.py does, and the card
  data's part of it (the queries, best of 10 calls, and their number; WeasyPrint's part cannot
  depend on the other schools);
- the department's dashboard (`/so/<code>/?ky=1`, every school's term I): one request a round,
  signed in as the department's officer (the page must list the last school added, and no
  class may be left uncounted); it reads the counts a round of `reports/counts.py` made, which
  the bench makes after seeding each step, in-process, and times (beat's work on a reports
  worker in production).

    eval "$(bash scripts/services.sh)"
    .venv/bin/python bench/province.py                 # N = 1, 10, 50 (~15 minutes)
    .venv/bin/python bench/province.py 1 3             # any increasing steps

The shape of a school, kept small so the whole run fits on a 2-core machine: 6 classes of 10th
grade × 30 pupils (180), 1.5 guardians a pupil (every other pupil has two, each an account),
8 teachers teaching 8 subjects (6 scored, 2 rated), a principal, term I's whole grade book
(the demo's plan: regular, mid-term and final columns, conduct, comments) and a month of
attendance (every pupil, every school morning of November). 50 schools make 9,000 pupils,
13,500 guardian accounts, ~370,000 scores and 225,000 attendance marks. That is enough to
show growth: what a parent's page, an upload or a class's report run costs should depend on
the rows of *one* school (reached through indexes by school, class and pupil), not on how many
other schools share the tables; a cost that scanned a table would grow ~50× here.

Seeding uses bulk_create, not the services. The database `bench_province` on the server of
DATABASE_URL is dropped and recreated; nothing else is touched. The cache is db 13 of
REDIS_URL. The last line is `RESULT` with each growth ratio (largest N ÷ first N) and the
dashboard's milliseconds and the counts round's seconds at the largest N; targets: the parent
page and the report run ≤ 1.2×, the dashboard < 2 s at 50 schools.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from device_ingest import (
    make_bodies,
    percentile,
    send_all,
    setup_django,
    start_gunicorn,
    wait_until_up,
    warm_up,
)
from report_run import class_end_to_end

BENCH_DB = "bench_province"
CACHE_DB = 13
PASSWORD = "bench-province-2026"
CLASSES, PUPILS_PER_CLASS = 6, 30
SUBJECTS = [  # (code, name, assessment, periods a year)
    ("toan", "Toán", "scored", 105), ("van", "Ngữ văn", "scored", 105),
    ("anh", "Tiếng Anh", "scored", 105), ("ly", "Vật lí", "scored", 70),
    ("hoa", "Hóa học", "scored", 70), ("su", "Lịch sử", "scored", 52),
    ("the-duc", "Giáo dục thể chất", "rated", 70),
    ("trai-nghiem", "Hoạt động trải nghiệm, hướng nghiệp", "rated", 105),
]
PORTAL_REQUESTS = 100
INGEST_EVENTS = 10_000
GROWTH_TARGET = 1.2
DASHBOARD_TARGET_MS = 2000
CHILD = "Học Sinh 0"  # the first school's first pupil, whose mother the portal's parent is


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("steps", nargs="*", type=int, default=[1, 10, 50],
                        help="the numbers of schools to measure at, increasing (1 10 50)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the measurements at each step; medians (3)")
    args = parser.parse_args()
    steps = args.steps
    if steps != sorted(set(steps)) or steps[0] < 1:
        sys.exit("the steps must be increasing numbers of schools, the first at least 1")

    os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
    os.environ.setdefault("CELERY_BROKER_URL", "")  # anything queued runs eagerly
    setup_django(BENCH_DB, cache_db=CACHE_DB, seed=False)
    from django.core.management import call_command

    call_command("collectstatic", verbosity=0, interactive=False)

    seeder = Seeder()
    rows: list[dict] = []
    server = None
    try:
        for n in steps:
            started = time.perf_counter()
            while seeder.schools < n:
                seeder.add_school()
            analyze()
            print(f"==> {n} schools: seeded in {time.perf_counter() - started:.1f} s "
                  f"({seeder.counts()}); load average {os.getloadavg()[0]:.1f}", flush=True)
            counting = count_round()
            print(f"    the dashboard's counts: a round of every school in {counting:.1f} s",
                  flush=True)
            if server is None:
                server = start_gunicorn(2)
                wait_until_up(server, seeder.token)
                warm_up(server.url, seeder.token, 2)
            rows.append({**measure(n, server.url, seeder, args.rounds), "counting": counting})
    finally:
        if server is not None:
            server.stop()

    print_table(rows)
    first, last = rows[0], rows[-1]
    growth = lambda key: last[key] / first[key]
    ok = lambda g: "ok" if g <= GROWTH_TARGET else "fail"
    print(
        f"RESULT schools={first['n']}..{last['n']} parent_p95_growth={growth('p95'):.2f} "
        f"parent_p50_growth={growth('p50'):.2f} ingest_growth={growth('ingest'):.2f} "
        f"report_run_growth={growth('report'):.2f} card_data_growth={growth('data'):.2f} "
        f"card_data_queries={first['queries']:.0f}->{last['queries']:.0f} "
        f"dashboard_{last['n']}_ms={last['dashboard']:.0f} dashboard_growth={growth('dashboard'):.2f} "
        f"counts_round_{last['n']}_s={last['counting']:.1f} "
        f"parent_vs_target={ok(growth('p95'))} report_run_vs_target={ok(growth('report'))} "
        f"dashboard_vs_target={'ok' if last['dashboard'] < DASHBOARD_TARGET_MS else 'fail'} "
        f"growth_target={GROWTH_TARGET} dashboard_target_ms={DASHBOARD_TARGET_MS}"
    )
    return 0


# --- seeding ---------------------------------------------------------------------------------


class Seeder:
    """Adds one school at a time with bulk inserts; keeps what the measurements need of the
    first school (its parent's phone, its kiosk's token and cards, its class 10A1)."""

    def __init__(self) -> None:
        from django.contrib.auth.hashers import make_password

        from accounts.models import User
        from school.models import DepartmentMembership
        from tests import factories as f

        self.schools = 0
        self.password_hash = make_password(PASSWORD)  # one hash for every account: seeding speed
        self.department = f.DepartmentFactory()
        self.officer_phone = "0970000001"
        officer = User.objects.create(phone=self.officer_phone, full_name="Cán Bộ Sở Thử",
                                      password=self.password_hash)
        DepartmentMembership.objects.create(user=officer, department=self.department)
        self.rng = random.Random(14)
        self.totals = {"pupils": 0, "guardians": 0, "scores": 0, "marks": 0}
        self.parent_phone = self.token = None
        self.cards: list[str] = []
        self.first_class = self.first_year = self.first_term = None

    def counts(self) -> str:
        t = self.totals
        return (f"{self.schools} schools, {t['pupils']:,} pupils, {t['guardians']:,} guardians, "
                f"{t['scores']:,} scores, {t['marks']:,} attendance marks")

    def phone(self, kind: int, number: int) -> str:
        return f"09{kind}{self.schools:03d}{number:04d}"

    def user(self, kind: int, number: int, name: str):
        from accounts.models import User

        return User(phone=self.phone(kind, number), full_name=name, password=self.password_hash)

    def add_school(self) -> None:
        from django.db import transaction

        with transaction.atomic():
            self._add_school()
        self.schools += 1

    def _add_school(self) -> None:
        from accounts.models import User
        from contactbook.models import AttendanceMark
        from demo import grades
        from school import names
        from school.models import (
            ClassGroup,
            Enrolment,
            Guardian,
            Guardianship,
            StaffMembership,
            Student,
            Subject,
            TeachingAssignment,
        )
        from school.programme import default_programme_order
        from tests import factories as f

        i = self.schools
        school = f.SchoolFactory(department=self.department, code=f"prov-{i:03d}",
                                 name=f"Trường THPT Tỉnh Thử {i + 1}")
        year = f.SchoolYearFactory(school=school)
        term = f.TermFactory(school_year=year, number=1)
        f.TermFactory(school_year=year, number=2, start_date=datetime.date(2027, 1, 18),
                      end_date=year.end_date)
        subjects = Subject.objects.bulk_create([
            Subject(school=school, code=code, name=name, assessment=assessment,
                    periods_per_year=periods,
                    programme_order=default_programme_order(name, school.level))
            for code, name, assessment, periods in SUBJECTS
        ])
        staff = User.objects.bulk_create(
            [self.user(1, n, f"Giáo Viên {n} Trường {i + 1}") for n in range(len(SUBJECTS) + 1)]
        )
        principal, teachers = staff[0], staff[1:]
        StaffMembership.objects.bulk_create(
            [StaffMembership(user=principal, school=school, role="principal")]
            + [StaffMembership(user=t, school=school, role="teacher") for t in teachers]
        )
        classes = []
        for c in range(CLASSES):
            group = ClassGroup(school=school, school_year=year, grade=10, name=f"10A{c + 1}",
                               homeroom_teacher=teachers[c % len(teachers)])
            group.sort_key = group.compute_sort_key()
            classes.append(group)
        ClassGroup.objects.bulk_create(classes)
        TeachingAssignment.objects.bulk_create([
            TeachingAssignment(teacher=t, class_group=g, subject=s)
            for g in classes for s, t in zip(subjects, teachers)
        ])

        pupils = []
        for c in range(CLASSES):
            for p in range(PUPILS_PER_CLASS):
                number = c * PUPILS_PER_CLASS + p
                student = Student(
                    school=school, student_code=f"P{i:03d}{number:04d}",
                    family_name=self.rng.choice(["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"]),
                    middle_name="Văn" if number % 2 else "Thị", given_name=f"Học Sinh {number}",
                    date_of_birth=datetime.date(2011, 1, 1) + datetime.timedelta(days=number % 365),
                    sex="M" if number % 2 else "F", card_id=f"C{i:03d}-{number:04d}",
                )
                student.sort_key = student.compute_sort_key(school.name_order)
                student.search_name = names.fold(student.full_name)
                pupils.append(student)
        Student.objects.bulk_create(pupils)
        Enrolment.objects.bulk_create([
            Enrolment(student=s, class_group=classes[n // PUPILS_PER_CLASS], school_year=year,
                      start_date=year.start_date)
            for n, s in enumerate(pupils)
        ])
        accounts = User.objects.bulk_create([
            self.user(2, n, f"Phụ Huynh {n} Trường {i + 1}")
            for n in range(len(pupils) * 3 // 2)
        ])
        guardians = Guardian.objects.bulk_create([Guardian(user=u) for u in accounts])
        links, g = [], 0
        for n, student in enumerate(pupils):  # every other pupil has two guardians
            for relationship in (["mother", "father"] if n % 2 == 0 else ["mother"]):
                links.append(Guardianship(guardian=guardians[g], student=student,
                                          relationship=relationship))
                g += 1
        Guardianship.objects.bulk_create(links)

        # Term I's grade book, as the demo writes it (no timetable here, so no absences in it).
        ctx = grades._load(term)
        rows = grades._Rows()
        today = datetime.date.today()
        for group in ctx.classes:
            grades._class_rows(ctx, group, rows, today)
        from contactbook.models import ConductRating, Score, TermComment

        for model, objs in ((Score, rows.scores), (ConductRating, rows.conduct),
                            (TermComment, rows.comments)):
            model.objects.bulk_create(objs, batch_size=2000)
        # A month of attendance: every school morning of November, 1 in 40 absent.
        marks = []
        day = datetime.date(2026, 11, 2)
        while day <= datetime.date(2026, 11, 30):
            if day.isoweekday() <= 6:
                for n, student in enumerate(pupils):
                    group = classes[n // PUPILS_PER_CLASS]
                    absent = self.rng.random() < 0.025
                    marks.append(AttendanceMark(
                        student=student, class_group=group, date=day, session="morning",
                        status="excused" if absent else "present",
                        recorded_by_id=group.homeroom_teacher_id,
                    ))
            day += datetime.timedelta(days=1)
        AttendanceMark.objects.bulk_create(marks, batch_size=2000)

        self.totals["pupils"] += len(pupils)
        self.totals["guardians"] += len(guardians)
        self.totals["scores"] += len(rows.scores)
        self.totals["marks"] += len(marks)
        if i == 0:
            self.parent_phone = accounts[0].phone
            self.first_class, self.first_year, self.first_term = classes[0], year, term
            self.cards = [s.card_id for s in pupils]
            device = f.DeviceFactory(room=f.RoomFactory(school=school, name="Cổng"), kind="kiosk")
            self.token = device.issue_token()


def count_round() -> float:
    """Seconds of a round of the dashboard's counts (reports/counts.py) over every school, in
    this process, as beat's task makes them on a reports worker: what the dashboard reads."""
    from reports import counts
    from school.models import School

    started = time.perf_counter()
    for school in School.objects.order_by("pk"):
        counts.refresh_school(school)
    return time.perf_counter() - started


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the measurements ------------------------------------------------------------------------


def measure(n: int, url: str, seeder: Seeder, rounds: int) -> dict:
    """`rounds` rounds of the three measurements; the medians."""
    found: dict[str, list[float]] = {"p50": [], "p95": [], "ingest": [], "report": [],
                                     "data": [], "queries": [], "dashboard": []}
    unknown = [f"UNKNOWN-{k}" for k in range(10)]
    for number in range(1, rounds + 1):
        p50, p95 = portal_latency(url, seeder.parent_phone)
        bodies = make_bodies(INGEST_EVENTS, 100, seeder.cards, unknown)
        seconds, answers = send_all(url, seeder.token, bodies, 2)
        if answers.get("accepted") != INGEST_EVENTS:
            sys.exit(f"the upload was not all accepted: {answers}")
        ingest = INGEST_EVENTS / seconds
        report, data, queries = report_run(seeder)
        board = dashboard_latency(url, seeder)
        print(f"    round {number}: parent portal p50 {p50:.1f} ms, p95 {p95:.1f} ms; ingest "
              f"{ingest:,.0f} events/s; report run of {seeder.first_class.name} {report:.2f} s "
              f"(card data {data * 1000:.0f} ms, {queries} queries); dashboard {board:,.0f} ms",
              flush=True)
        for key, value in (("p50", p50), ("p95", p95), ("ingest", ingest), ("report", report),
                           ("data", data), ("queries", queries), ("dashboard", board)):
            found[key].append(value)
    # Medians, but the best round of the report run and its card data: CPU-bound work whose
    # only noise is the machine's other load.
    best = {"report": min(found["report"]), "data": min(found["data"])}
    return {"n": n, **{key: statistics.median(values) for key, values in found.items()}, **best}


def signed_in(url: str, phone: str, next_url: str):
    """A requests session signed in through the login form."""
    import requests

    session = requests.Session()
    login = f"{url}/tai-khoan/dang-nhap/"
    page = session.get(login, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(login, timeout=30, headers={"Referer": login}, data={
        "csrfmiddlewaretoken": token, "username": phone, "password": PASSWORD,
        "next": next_url,
    })
    if answer.status_code != 200 or not answer.url.rstrip("/").endswith(next_url.rstrip("/")):
        sys.exit(f"{phone} could not sign in: {answer.status_code} at {answer.url}")
    return session


def portal_latency(url: str, phone: str) -> tuple[float, float]:
    """Signs in, then times PORTAL_REQUESTS sequential requests of the portal home."""
    with signed_in(url, phone, "/phu-huynh/") as session:
        home = session.get(f"{url}/phu-huynh/", timeout=30)
        home.raise_for_status()
        if CHILD not in home.text:
            sys.exit(f"the portal home does not show the child {CHILD!r}")
        for _ in range(5):
            session.get(f"{url}/phu-huynh/", timeout=30).raise_for_status()
        times = []
        for _ in range(PORTAL_REQUESTS):
            sent = time.perf_counter()
            response = session.get(f"{url}/phu-huynh/", timeout=30)
            times.append((time.perf_counter() - sent) * 1000)
            response.raise_for_status()
    times.sort()
    return statistics.median(times), percentile(times, 0.95)


def dashboard_latency(url: str, seeder: Seeder) -> float:
    """Milliseconds of one request of the department's dashboard (this year, term I, every
    school), signed in as the department's officer; the page must list the last school."""
    page = f"/so/{seeder.department.code}/"
    with signed_in(url, seeder.officer_phone, page) as session:
        sent = time.perf_counter()
        response = session.get(f"{url}{page}?ky=1", timeout=600)
        seconds = time.perf_counter() - sent
        response.raise_for_status()
        last = f"Trường THPT Tỉnh Thử {seeder.schools}"
        if last not in response.text:
            sys.exit(f"the dashboard does not show {last!r}")
        if "chưa được tính" in response.text:
            sys.exit("the dashboard has classes not counted yet")
    return seconds * 1000


_warm = threading.Event()


def report_run(seeder: Seeder) -> tuple[float, float, int]:
    """The first school's class 10A1 end to end, as bench/report_run.py's (a): card data,
    HTML, PDFs and the class PDF. Returns that, the card data's part (the queries: the part
    that could depend on the other schools' rows; WeasyPrint's cannot), best of 10 calls, and
    the card data's number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.cards.selectors import cards_for

    def card_data() -> list:
        return list(cards_for(seeder.first_class, seeder.first_year, seeder.first_term))

    if not _warm.is_set():
        card_data()
        _warm.set()
    data = []
    for _ in range(10):
        t0 = time.perf_counter()
        card_data()
        data.append(time.perf_counter() - t0)
    with CaptureQueriesContext(connection) as queries:
        card_data()
    seconds, _html = class_end_to_end(seeder.first_class, seeder.first_year, seeder.first_term)
    return seconds, min(data), len(queries)


def print_table(rows: list[dict]) -> None:
    print("==> schools  portal p50 ms  portal p95 ms  ingest events/s  report run s"
          "  card data ms  queries  dashboard ms  counts round s")
    print("    (medians of the rounds; the report run and its card data: the best round)")
    for r in rows:
        print(f"    {r['n']:>7}  {r['p50']:>13.1f}  {r['p95']:>13.1f}  {r['ingest']:>15,.0f}  "
              f"{r['report']:>12.2f}  {r['data'] * 1000:>12.1f}  {r['queries']:>7.0f}  "
              f"{r['dashboard']:>12,.0f}  {r['counting']:>14.1f}")


if __name__ == "__main__":
    sys.exit(main())

"""Term report cards on PostgreSQL with the demo school (issue 5's targets).

    eval "$(bash scripts/services.sh)"        # PostgreSQL and Redis on loopback
    .venv/bin/python bench/report_run.py      # ~3–5 minutes

Prints, in one run:
  (a) one class of ~40 end to end: card data (queries) + HTML + PDFs + the class PDF;
  (b) the same cards' HTML rendered by bare WeasyPrint (`HTML(string=…).write_pdf()`), and the
      ratio a/b (target ≤ 1.2);
  (c) the whole upper-secondary school (1,215 pupils, 30 classes) rendered by a real Celery
      worker with 2 processes on Redis, from start_run to the ZIP (target < 180 s);
  (d) the same school run again after one pupil's grade changed (target < 5 s);
  (e) the peak resident memory of each worker process (target < 400 MB).
and a last line starting with RESULT.

What it does: recreates the database `truongso_bench_reports` on the server of DATABASE_URL,
migrates it, seeds the demo (with its complete term I grade book), then measures. The worker
runs `celery worker -Q reports --concurrency 2` (prefork, recycled after
CELERY_WORKER_MAX_TASKS_PER_CHILD tasks, as in production); a sampler reads every worker
process's VmRSS from /proc five times a second, recycled children included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from device_ingest import setup_django  # noqa: E402

BENCH_DB = "truongso_bench_reports"
TARGET_RATIO = 1.2
TARGET_SCHOOL_S = 180
TARGET_RERUN_S = 5
TARGET_MB = 400


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (a) and (b); medians")
    parser.add_argument("--processes", type=int, default=2, help="worker processes for (c)")
    args = parser.parse_args()

    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL", "")
    if not broker:
        sys.exit('REDIS_URL is needed (and DATABASE_URL): eval "$(bash scripts/services.sh)"')
    os.environ["CELERY_BROKER_URL"] = broker
    os.environ.setdefault("REPORTS_ROOT", str(REPO / "var" / "bench-reports"))
    setup_django(BENCH_DB)

    from reports import pdf, runs
    from school.models import ClassGroup, School, Student, Term

    school = School.objects.get(level=School.Level.UPPER_SECONDARY, code__startswith="thpt")
    class_group = max(
        ClassGroup.objects.filter(school=school, school_year__is_current=True),
        key=lambda c: Student.objects.in_class(c).count(),
    )
    year = class_group.school_year
    term = Term.objects.get(school_year=year, number=1)
    pupils = Student.objects.in_class(class_group).count()
    print(f"==> (a)/(b) class {class_group.name}: {pupils} pupils, {args.rounds} rounds", flush=True)
    print(f"    HarfBuzz subsetter available: {pdf.subsetter_available()}")
    end_to_end, bare = [], []
    class_end_to_end(class_group, year, term)  # warm-up: fonts, templates, connections
    for _ in range(args.rounds):
        seconds, html = class_end_to_end(class_group, year, term)
        end_to_end.append(seconds)
        t0 = time.perf_counter()
        pdf.bare_render(html)
        bare.append(time.perf_counter() - t0)
    a, b = statistics.median(end_to_end), statistics.median(bare)
    ratio = a / b
    print(f"    (a) end to end {a:.2f} s ({1000 * a / pupils:.0f} ms/card); "
          f"(b) bare WeasyPrint {b:.2f} s; ratio {ratio:.2f} (target ≤ {TARGET_RATIO})", flush=True)

    from django.contrib.auth import get_user_model

    principal = get_user_model().objects.get(memberships__school=school, memberships__role="principal")
    worker, sampler = _start_worker(args.processes)
    try:
        total = Student.objects.filter(enrolments__class_group__school=school,
                                       enrolments__class_group__school_year=year,
                                       enrolments__status="active").count()
        print(f"==> (c) the whole school: {total} pupils, a worker with {args.processes} processes", flush=True)
        school_s, run = _done(timed_run(principal, school, year, term))
        print(f"    (c) {school_s:.1f} s, {run.rendered} cards rendered, "
              f"{total / school_s:.1f} cards/s (target < {TARGET_SCHOOL_S} s)", flush=True)

        from contactbook.models import Score

        score = Score.objects.filter(class_group=class_group, term=term, kind="final").order_by("pk").first()
        score.value = 10 if score.value != 10 else 9
        score.save(update_fields=["value"])
        print("==> (d) one final score changed; the whole school again", flush=True)
        rerun_s, rerun = _done(timed_run(principal, school, year, term))
        print(f"    (d) {rerun_s:.2f} s, {rerun.rendered} card rendered (target < {TARGET_RERUN_S} s)", flush=True)
    finally:
        sampler.stop()
        worker.terminate()
        worker.wait(timeout=30)
    peak_mb = max(sampler.peaks.values()) / 1024 if sampler.peaks else 0.0
    print(f"==> (e) peak RSS per worker process: {peak_mb:.0f} MB over {len(sampler.peaks)} processes "
          f"(recycled children included; target < {TARGET_MB} MB)")
    ok = lambda good: "ok" if good else "fail"  # noqa: E731
    print(
        f"RESULT class_s={a:.2f} bare_s={b:.2f} ratio={ratio:.2f} school_s={school_s:.1f} "
        f"rerun_s={rerun_s:.2f} peak_worker_mb={peak_mb:.0f} "
        f"ratio_target={TARGET_RATIO} school_target_s={TARGET_SCHOOL_S} rerun_target_s={TARGET_RERUN_S} "
        f"mb_target={TARGET_MB} ratio_vs_target={ok(ratio <= TARGET_RATIO)} "
        f"school_vs_target={ok(school_s < TARGET_SCHOOL_S)} rerun_vs_target={ok(rerun_s < TARGET_RERUN_S)} "
        f"mb_vs_target={ok(peak_mb < TARGET_MB)}"
    )
    return 0


def class_end_to_end(class_group, year, term) -> tuple[float, str]:
    """What a chunk does for a class, without storing: card data, render, join."""
    from reports import pdf, runs
    from reports.cards.selectors import cards_for

    t0 = time.perf_counter()
    items = [(card, runs.new_code()) for card in cards_for(class_group, year, term)]
    rendered = pdf.render_cards(items)
    pdf.merge_pdfs([r.pdf for r in rendered])
    seconds = time.perf_counter() - t0
    return seconds, pdf.card_html(items)


def timed_run(principal, school, year, term, *, class_group=None, timeout: float | None = None,
              every: float = 0.1):
    """Starts a run of the whole school (or of `class_group`) as `principal` and reads it
    every `every` seconds until the worker has finished or failed it (or `timeout` seconds
    have passed). Returns the seconds since the start and the run, whatever its status."""
    from reports import runs
    from reports.models import ReportRun

    scope = ReportRun.Scope.CLASS if class_group else ReportRun.Scope.SCHOOL
    t0 = time.perf_counter()
    run, _ = runs.start_run(user=principal, school=school, school_year=year, term=term,
                            scope=scope, class_group=class_group)
    while timeout is None or time.perf_counter() - t0 < timeout:
        run.refresh_from_db()
        if run.status in (ReportRun.Status.DONE, ReportRun.Status.FAILED):
            break
        time.sleep(every)
    return time.perf_counter() - t0, run


def _done(timed: tuple) -> tuple:
    seconds, run = timed
    if run.status != run.Status.DONE:
        sys.exit(f"the run failed: {run.error}")
    return seconds, run


class Sampler(threading.Thread):
    """Peak VmRSS (KiB) of a process and all its descendants, sampled five times a second."""

    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid, self.peaks, self._halt = root_pid, {}, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for pid in _descendants(self.root_pid):
                rss = _rss_kib(pid)
                if rss:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), rss)
            time.sleep(0.2)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def _descendants(pid: int) -> list[int]:
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        found += [int(c) for c in children]
        frontier += [int(c) for c in children]
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def start_worker(queues: str, *options: str, name: str | None = None,
                 log: Path | None = None) -> subprocess.Popen:
    """A Celery worker of ours on `queues` (`options`: its pool and concurrency), named
    `name`@host if given (two workers on one host need two names), its output to `log` if
    given."""
    command = [sys.executable, "-m", "celery", "-A", "truongso", "worker", "-Q", queues, *options,
               "--loglevel", "WARNING", "--without-gossip", "--without-mingle"]
    if name:
        command += ["-n", f"{name}@%h"]
    output = open(log, "wb") if log else None  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(command, cwd=REPO, env=os.environ.copy(), stdout=output,
                            stderr=subprocess.STDOUT if log else None)


def _start_worker(processes: int):
    worker = start_worker("reports", "--concurrency", str(processes))
    sampler = Sampler(worker.pid)
    sampler.start()
    time.sleep(3)  # let it connect before the first run is queued
    return worker, sampler


if __name__ == "__main__":
    sys.exit(main())

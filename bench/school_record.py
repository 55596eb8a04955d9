"""A class's học bạ (school records) as one PDF, on PostgreSQL with the demo school.

    eval "$(bash scripts/services.sh)"        # PostgreSQL and Redis on loopback
    .venv/bin/python bench/school_record.py   # ~3 minutes, most of it seeding the demo

Prints, for the demo's largest class of this year in each school (the upper-secondary one,
~40 pupils, and the primary one), the pupils, the years their records hold, the queries
and the seconds of (a) the data (reports.school_record.school_record_for) and (b) the whole
download (data + HTML + one WeasyPrint document per pupil + the join), the median of
`--rounds`, and a last line starting with RESULT. Nothing is asserted: the figure decides
whether the download may stay in the request (it does while a class is well under ~15 s).

What it does: recreates the database `truongso_bench_record` on the server of DATABASE_URL,
migrates it, seeds the demo, then measures in this process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from device_ingest import setup_django  # noqa: E402

BENCH_DB = "truongso_bench_record"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per class; medians")
    parser.add_argument("--cache-db", type=int, default=3, help="Redis database for the cache")
    args = parser.parse_args()

    setup_django(BENCH_DB, cache_db=args.cache_db)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import pdf, school_record
    from school.models import ClassGroup, School, Student

    print(f"    HarfBuzz subsetter available: {pdf.subsetter_available()}")
    results = []
    for school in School.objects.order_by("level", "pk"):
        classes = list(ClassGroup.objects.filter(school=school, school_year__is_current=True))
        if not classes:
            continue
        class_group = max(classes, key=lambda c: Student.objects.in_class(c).count())
        with CaptureQueriesContext(connection) as queries:
            records = school_record.school_record_for(class_group)
        years = sum(len(r.years) for r in records)
        school_record.render_school_record(class_group, records)  # warm-up: fonts, templates
        data_s, total_s, pages = [], [], 0
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            records = school_record.school_record_for(class_group)
            t1 = time.perf_counter()
            body = school_record.render_school_record(class_group, records)
            t2 = time.perf_counter()
            data_s.append(t1 - t0)
            total_s.append(t2 - t0)
            pages = len(PdfReader(BytesIO(body)).pages)
        a, b = statistics.median(data_s), statistics.median(total_s)
        print(
            f"==> {school.name}, class {class_group.name}: {len(records)} pupils, {years} year "
            f"pages, {len(queries)} queries; (a) data {a:.2f} s; (b) PDF {b:.2f} s "
            f"({1000 * b / max(len(records), 1):.0f} ms/pupil), {pages} pages", flush=True
        )
        results.append(f"{school.level}_pupils={len(records)} {school.level}_years={years} "
                       f"{school.level}_queries={len(queries)} {school.level}_s={b:.2f}")
    print("RESULT " + " ".join(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

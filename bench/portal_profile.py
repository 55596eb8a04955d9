"""Where a parent portal request spends its time, in-process: the whole Django stack through the
WSGI handler (no HTTP, no gunicorn), against a database prepared by bench/parent_portal.sh.

    KEEP_DB=1 bash bench/parent_portal.sh       # prints "Kept database truongso_bench_<pid>"
    DATABASE_URL=postgres://…/truongso_bench_<pid> .venv/bin/python bench/portal_profile.py
    … bench/portal_profile.py --requests 500 --profile 200   # then cProfile 200 requests

It uses the bench's settings (truongso.settings.base, DEBUG=0, persistent connections; the
cache and session engine from CACHE_URL / SESSION_ENGINE as in the environment) and prints,
for the portal home, the bare view and the empty logged-in page: milliseconds per request (the
best of 7 interleaved rounds: the least disturbed by other work), the queries of one request,
and with --profile the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truongso.settings.base")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret-" * 3)  # ≥ 50 chars
os.environ.setdefault("DB_CONN_MAX_AGE", "60")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # plain http requests
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["TRUONGSO_BENCH_VIEWS"] = "1"
os.environ.setdefault("CELERY_BROKER_URL", "")
os.environ.setdefault("STATIC_ROOT", "/tmp/truongso-portal-profile-static")

PARENT_PHONE = "0987000001"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="then cProfile N portal requests")
    parser.add_argument("--path", default="/phu-huynh/")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    # The manifest storage of production needs collectstatic's manifest (a throwaway STATIC_ROOT).
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    parent = User.objects.get(phone=PARENT_PHONE)
    client = Client()
    client.force_login(parent)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    handler = WSGIHandler()

    def call(path: str, logged_in: bool = True) -> tuple[str, bytes]:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8765", "HTTP_HOST": "127.0.0.1:8765", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1",
        }
        if logged_in:
            environ["HTTP_COOKIE"] = cookie
        status = []
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        return status[0], body

    status, body = call("/phu-huynh/")
    assert status.startswith("200"), status
    assert b'class="score-value"' in body, "the portal shows no scores: run bench/parent_portal.sh first"

    print(f"session engine {settings.SESSION_ENGINE}; cache {settings.CACHES['default']['BACKEND']}")
    pages = (("portal", args.path, True), ("bare", "/bench/bare/", False), ("floor", "/bench/logged-in/", True))
    timings = {label: [] for label, _path, _in in pages}
    for _round in range(args.rounds):  # interleaved, so a busy moment hits every page alike
        for label, path, logged_in in pages:
            start = time.perf_counter()
            for _ in range(args.requests):
                call(path, logged_in)
            timings[label].append((time.perf_counter() - start) * 1000 / args.requests)
    for label, path, logged_in in pages:
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *rest: (queries.append(sql), execute(sql, *rest))[1]):
            call(path, logged_in)
        rounds = timings[label]
        print(f"{label:7s} {path:20s} {min(rounds):7.3f} ms/request (best of {args.rounds} rounds of "
              f"{args.requests}; median {statistics.median(rounds):.3f})  {len(queries)} queries")
        for sql in queries:
            print(f"          {' '.join(sql.split())[:150]}")
    print(f"RESULT portal_ms={min(timings['portal']):.3f} floor_ms={min(timings['floor']):.3f} "
          f"bare_ms={min(timings['bare']):.3f} bare/portal={min(timings['bare']) / min(timings['portal']):.3f}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile):
            call(args.path)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Redis stops while teachers save grades and parents read, then comes back with its old data.

The test runs a Redis server of its own on a free loopback port, with the production cache
settings pointed at it (truongso.cache.RedisCache on db 1, sessions `cached_db`) and the Celery
broker on its db 0, then kills it. Without Redis: signing in through the login form works,
signed-in teachers and parents keep their pages, a grade is saved and published and its
notifications wait in the outbox, the device API still rate-limits (per process), login
throttling and sign-in code limits hold (they count database rows), and /healthz says
"degraded". Redis then starts again on the same port from the dump it saved before (so it
holds the sessions of before): a session ended during the outage does not come back, and a
real Celery worker delivers the outbox once. Bounded: a few seconds of outage, every wait a poll
with a deadline.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.urls import reverse

from contactbook import consents, tasks
from contactbook.models import ChannelPreference, Delivery, Notification, Score
from signin.models import SignInCode
from tests import factories as f
from tests.clients import Client
from truongso.celery import app

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
CACHE_DB, BROKER_DB = 1, 0


def _wait_for(check, seconds=20.0, every=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on a free loopback port, its dump in `directory` (scripts/services.sh
    starts the tests' shared one the same way; this one is the test's to kill)."""

    def __init__(self, directory: Path):
        self.port, self.directory, self.process = _free_port(), directory, None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, socket_timeout=1, socket_connect_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), "--dbfilename", "dump.rdb",
             "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL,
        )
        assert _wait_for(self._answers, 10), (self.directory / "redis.log").read_text()

    def _answers(self) -> bool:
        try:
            return self.client(0).ping()
        except redis.exceptions.RedisError:  # not listening yet, or still loading its dump
            return False

    def kill(self) -> None:
        """Gone at once, as a crash leaves it (its dump is whatever the last SAVE wrote)."""
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.kill()


@pytest.fixture
def on_redis(redis_server, settings):
    """Production's cache and session settings, and the Celery broker, on the test's Redis.
    (Changing CACHES rebuilds django.core.cache.caches; Celery's pools are dropped so that
    publishing goes to this broker, and back to the tests' own afterwards.)"""
    before = app.conf.broker_url, app.conf.task_always_eager
    settings.CACHES = {
        "default": {
            "BACKEND": "truongso.cache.RedisCache",
            "LOCATION": redis_server.url(CACHE_DB),
            # base.py's defaults but a shorter breaker: the test's outage lasts seconds.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, "retry_seconds": 0.2},
        },
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outage-local"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CELERY_BROKER_URL = redis_server.url(BROKER_DB)
    settings.CELERY_BROKER_RETRY_SECONDS = 0.2
    settings.SMS_SEND_HOURS = (0, 24)  # the SMS are due now, whatever the hour of the test
    _drop_celery_pools()
    app.conf.broker_url, app.conf.task_always_eager = redis_server.url(BROKER_DB), False
    yield redis_server
    _drop_celery_pools()
    app.conf.broker_url, app.conf.task_always_eager = before


def _drop_celery_pools() -> None:
    """Celery asks kombu's pools (kept per broker URL) again on the next publish."""
    app._pool = None
    app.amqp._producer_pool = None


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _worker(broker: str, sms_file: Path) -> subprocess.Popen:
    """A real Celery worker on the notifications queue (as tests/contactbook/test_worker.py)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "SMS_GATEWAY": "contactbook.channels.FileSmsGateway",
        "SMS_FILE_PATH": str(sms_file),
        "SMS_SEND_HOURS": "0,24",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "truongso", "worker", "-Q", "notifications",
         "--pool", "solo", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env,
    )


def _sign_in(client, user, password=f.TEST_PASSWORD):
    """The login form, as a person fills it in."""
    return client.post(reverse("accounts:login"), {"username": user.phone, "password": password},
                       REMOTE_ADDR="203.0.113.7")


def _agree_to_sms(*parents) -> None:
    """These parents get scores by SMS: the SMS file shows each message sent, and how often."""
    for parent in parents:
        consents.record_consent(user=parent, channel="sms", agreed=True, source="paper_form")
        ChannelPreference.objects.create(user=parent, channel="sms", enabled=True)


def _grade_book(cast, term, name="contactbook:gradebook_term"):
    return reverse(name, args=[cast.class_a1.pk, cast.math.pk, term.pk])


def _grid(cast, values: dict) -> dict:
    data = {}
    for pupil in (cast.pupil_a1, cast.sibling_a1):
        for key in ["regular-1", "regular-2", "regular-3", "regular-4", "midterm-1", "final-1"]:
            data[f"c-{pupil.pk}-{key}"] = ""
        data[f"n-{pupil.pk}"] = ""
    data.update({f"c-{pupil.pk}-{key}": value for (pupil, key), value in values.items()})
    return data


def _sessions_in(cache: redis.Redis) -> int:
    return len(list(cache.scan_iter(match="*sessions.cached_db*")))


def _device_statuses(client, token, times):
    return [client.get("/api/devices/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
            for _ in range(times)]


def test_redis_stops_pages_serve_saves_commit_and_the_outbox_delivers_once_after(
    cast, on_redis, settings, tmp_path
):
    server = on_redis
    term = f.TermFactory(school_year=cast.class_a1.school_year)
    _agree_to_sms(cast.parent_a1, cast.parent_of_two)
    portal, login = reverse("contactbook:portal_home"), reverse("accounts:login")

    # Before: a teacher and a parent signed in, their sessions in Redis.
    teacher, leaving_parent = Client(), Client()
    teacher.force_login(cast.teacher_a1)
    leaving_parent.force_login(cast.parent_of_two)
    session_key = leaving_parent.cookies[settings.SESSION_COOKIE_NAME].value

    def other_device():
        """The same session on the parent's other device, which keeps its cookie."""
        device = Client()
        device.cookies[settings.SESSION_COOKIE_NAME] = session_key
        return device

    assert teacher.get(_grade_book(cast, term)).status_code == 200
    assert leaving_parent.get(portal).status_code == 200
    cache = server.client(CACHE_DB)
    assert _sessions_in(cache)
    server.client(BROKER_DB).set("broker-marker", "kept")  # stands for the broker's queues
    cache.save()  # what Redis will come back with
    server.kill()

    # Redis is down.
    started = time.monotonic()
    parent = Client()
    signed_in = _sign_in(parent, cast.parent_a1)
    assert signed_in.status_code == 302 and not signed_in["Location"].startswith(login)
    page = parent.get(portal)
    assert page.status_code == 200 and cast.pupil_a1.given_name in page.content.decode()
    assert leaving_parent.get(portal).status_code == 200  # signed in before: still signed in
    assert teacher.get(_grade_book(cast, term)).status_code == 200

    saved = teacher.post(_grade_book(cast, term),
                         _grid(cast, {(cast.pupil_a1, "regular-1"): "8", (cast.sibling_a1, "regular-1"): "7"}))
    assert saved.status_code == 302
    published = teacher.post(_grade_book(cast, term, "contactbook:gradebook_publish"), {"column": "regular-1"})
    assert published.status_code == 302
    assert Score.objects.filter(term=term, published_at__isnull=False).count() == 2
    outbox = Delivery.objects.filter(notification__kind="scores")
    assert set(outbox.values_list("notification__recipient_id", "channel", "status", "attempts")) == {
        (cast.parent_a1.pk, "sms", "pending", 0), (cast.parent_of_two.pk, "sms", "pending", 0),
    }

    settings.DEVICE_API_RATE_PER_MINUTE = 3
    token = cast.device.issue_token()
    statuses = _device_statuses(Client(), token, 4)
    assert statuses == [200, 200, 200, 429]  # counted in this process while Redis is away

    health = Client().get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["database"] == "ok"
    assert health.json()["cache"].startswith("error") and health.json()["broker"].startswith("error")

    assert other_device().get(portal).status_code == 200
    assert leaving_parent.post(reverse("accounts:logout")).status_code == 302  # its cache entry stays
    assert other_device().get(portal)["Location"].startswith(login)
    outage = time.monotonic() - started
    assert outage < 15, f"the outage's requests took {outage:.1f} s: something waited on Redis"

    # Redis comes back from its dump, holding the session ended meanwhile.
    server.start()
    assert _sessions_in(cache)
    assert _wait_for(lambda: Client().get("/healthz").json()["status"] == "ok")  # its first answer empties the cache
    ended = other_device().get(portal)
    assert ended.status_code == 302 and ended["Location"].startswith(login)  # ended stays ended
    assert not _sessions_in(cache)
    assert server.client(BROKER_DB).get("broker-marker") == b"kept"  # the broker's database is not the cache's
    assert parent.get(portal).status_code == 200  # signed in during the outage: still signed in
    assert teacher.get(_grade_book(cast, term)).status_code == 200

    # The outbox, not the broker, was the record: the worker sends each message once.
    sms_file = tmp_path / "sms.jsonl"
    worker = _worker(server.url(BROKER_DB), sms_file)
    try:
        tasks.deliver_due.delay()  # what beat sends every minute
        assert _wait_for(lambda: set(outbox.values_list("status", flat=True)) == {"sent"}, 40), (
            list(outbox.values("status", "attempts", "last_error"))
        )
        for delivery_id in outbox.values_list("pk", flat=True):  # a duplicate message each
            tasks.deliver.delay(delivery_id)
        tasks.deliver_due.delay()
        broker = server.client(BROKER_DB)
        assert _wait_for(lambda: broker.llen("notifications") == 0 and broker.hlen("unacked") == 0, 20)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    lines = [json.loads(line) for line in sms_file.read_text().splitlines()]
    assert sorted(line["phone"] for line in lines) == sorted([cast.parent_a1.phone, cast.parent_of_two.phone])
    assert set(outbox.values_list("attempts", flat=True)) == {1}
    assert Notification.objects.filter(kind="scores").count() == 2


def test_login_throttling_and_sign_in_code_limits_hold_without_redis(cast, on_redis, settings, tmp_path):
    """Both count database rows (django-axes' database handler; SignInCode rows), not Redis."""
    settings.SMS_GATEWAY = "contactbook.channels.FileSmsGateway"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    on_redis.kill()

    client = Client()
    statuses = [_sign_in(client, cast.parent_a1, "sai").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert _sign_in(client, cast.parent_a1).status_code == 429  # the right password waits too

    phone = cast.parent_a2.phone
    asked = [Client().post("/tai-khoan/ma/", {"phone": phone}, REMOTE_ADDR=f"10.0.1.{n}").status_code
             for n in range(4)]
    assert asked == [302, 302, 302, 429]
    assert SignInCode.objects.filter(phone=phone).count() == 3
    # The codes wait in the outbox for the broker (and expire there if it stays away).
    assert set(Delivery.objects.filter(notification__kind="sign_in_code").values_list("status", flat=True)) == {
        "pending"
    }
    assert re.match(r"error", Client().get("/healthz").json()["cache"])

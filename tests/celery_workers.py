"""Real Celery worker processes for the tests that need them: on the tests' Redis broker,
reading the test database (committed rows only, so those tests are transactional).

A test module imports the `workers` fixture (`from tests.celery_workers import workers`) and
calls `workers(name, queue, **settings)`; each worker's output goes to `<tmp_path>/<name>.log`
for the assertion messages."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from truongso.celery import app

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database, as the worker's DATABASE_URL."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def wait_for(check, seconds: float = 60, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: the worker dies wherever it is, as it would when its host goes away."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=20)


@pytest.fixture
def workers(tmp_path):
    """Start workers of a queue with extra settings; every one still running is stopped at
    the end. Tasks go to the broker (not run eagerly) from the fixture's start, so a test lists
    it after the fixtures that write its data. (The broker is the one this process already
    publishes to: Celery keeps its producer pool once made.)"""
    broker = app.conf.broker_url or settings.CELERY_BROKER_URL
    assert broker, "make test starts Redis and sets REDIS_URL"
    started = []

    def start(name: str, queue: str, **extra: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "SMS_SEND_HOURS": "0,24",  # SMS go out 7:00–22:00 only; the tests run at any hour
            **extra,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "truongso", "worker", "-Q", queue,
             "--pool", "solo", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
             "-n", f"{name}@%h"],
            cwd=ROOT, env=env, stdout=open(tmp_path / f"{name}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    app.conf.task_always_eager = False
    try:
        yield start
    finally:
        app.conf.task_always_eager = True
        for process in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)

"""One integration test with a real Celery worker on Redis: a notification written with its
event is delivered after commit, retried after a gateway failure, and never sent twice."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from contactbook import consents, notifications, tasks
from contactbook.models import Delivery
from tests import factories as f
from truongso.celery import app

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A worker process on the tests' Redis broker, reading the test database. (The broker is
    the one this process already publishes to: Celery keeps its producer pool once made.)"""
    broker = app.conf.broker_url or settings.CELERY_BROKER_URL
    assert broker, "make test starts Redis and sets REDIS_URL"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "SMS_GATEWAY": "tests.contactbook.gateways.FlakySmsGateway",
        "SMS_FILE_PATH": str(tmp_path / "sms.jsonl"),
        "FLAKY_SMS_COUNTER": str(tmp_path / "failures"),
        "FLAKY_FAILURES": "1",
        "NOTIFICATION_RETRY_SECONDS": "1",
        # SMS go out 7:00–22:00 only; the test runs at any hour.
        "SMS_SEND_HOURS": "0,24",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "truongso", "worker", "-Q", "notifications",
         "--pool", "solo", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env,
    )
    app.conf.task_always_eager = False
    try:
        yield tmp_path / "sms.jsonl"
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        process.wait(timeout=20)


def _wait_for(check, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_a_real_worker_delivers_retries_after_a_gateway_failure_and_sends_once(worker):
    parent = f.UserFactory(phone="0987000009", email=None)
    consents.record_consent(user=parent, channel="sms", agreed=True, source="paper_form")
    with transaction.atomic():
        (delivery_id,) = notifications.notify(
            recipients=[parent], kind="absence", title="Vắng không phép",
            body="Trần Thị An vắng buổi sáng 25/11", key="absence:test",
        )
    # At night an SMS waits for 7:00; make it due now so the test does not depend on the hour.
    Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
    tasks.deliver.delay(delivery_id)

    assert _wait_for(lambda: Delivery.objects.get(pk=delivery_id).status == "sent"), (
        Delivery.objects.filter(pk=delivery_id).values().first()
    )
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.attempts == 2 and "timed out" in delivery.last_error

    tasks.deliver.delay(delivery_id)  # a duplicate message: the claim refuses it
    tasks.deliver_due.delay()
    time.sleep(2)
    lines = [json.loads(line) for line in worker.read_text().splitlines()]
    assert lines == [{
        "phone": "0987000009", "text": "Vắng không phép: Trần Thị An vắng buổi sáng 25/11",
        "request_id": str(delivery_id),
    }]

"""One integration test with a real Celery worker on Redis: a notification written with its
event is delivered after commit, retried after a gateway failure, and never sent twice."""

import json
import time

import pytest
from django.db import transaction
from django.utils import timezone

from contactbook import consents, notifications, tasks
from contactbook.models import Delivery
from tests import factories as f
from tests.celery_workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(workers, tmp_path):
    """A notifications worker whose SMS gateway fails once; yields the file of SMS sent."""
    workers(
        "notifications", "notifications",
        SMS_GATEWAY="tests.contactbook.gateways.FlakySmsGateway",
        SMS_FILE_PATH=str(tmp_path / "sms.jsonl"),
        FLAKY_SMS_COUNTER=str(tmp_path / "failures"),
        FLAKY_FAILURES="1",
        NOTIFICATION_RETRY_SECONDS="1",
    )
    return tmp_path / "sms.jsonl"


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

    assert wait_for(lambda: Delivery.objects.get(pk=delivery_id).status == "sent"), (
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

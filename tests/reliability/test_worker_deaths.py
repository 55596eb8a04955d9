"""A Celery worker of the notifications queue and one of the default queue killed (SIGKILL)
at the worst moment, then a new one started: the work completes once (issue 15, fault 3;
the reports queue's case is tests/reports/test_run_worker.py).

Real workers on the tests' Redis broker and database; the SMS gateway is a fake HTTP server
on loopback (tests/reliability/fake_sms.py), the system's edge."""

import datetime
import time

import psycopg2
import pytest
from django.db import connection, transaction
from django.utils import timezone

from contactbook import consents, notifications, summaries, tasks
from contactbook.models import Delivery, Notification, WeeklySummary
from tests import factories as f
from tests.celery_workers import kill, wait_for
from tests.reliability.fake_sms import FakeSmsGateway

pytestmark = pytest.mark.django_db(transaction=True)
STALE_SECONDS = 2
FRIDAY = datetime.date(2026, 11, 27)


def test_a_notification_worker_killed_while_the_gateway_has_the_sms_sends_it_once(
    workers, tmp_path
):
    gateway = FakeSmsGateway(token="khoa-thu", hold_first=True).start()
    sms = {
        "SMS_GATEWAY": "contactbook.channels.HttpSmsGateway",
        "SMS_HTTP_URL": gateway.url,
        "SMS_HTTP_TOKEN": "khoa-thu",
        "NOTIFICATION_STALE_CLAIM_SECONDS": str(STALE_SECONDS),
    }
    try:
        parent = f.UserFactory(phone="0987000015", email=None)
        consents.record_consent(user=parent, channel="sms", agreed=True, source="paper_form")
        with transaction.atomic():
            (delivery_id,) = notifications.notify(
                recipients=[parent], kind="absence", title="Vắng không phép",
                body="Trần Thị An vắng buổi sáng 02/12", key="absence:fault-3",
            )
        Delivery.objects.filter(pk=delivery_id).update(next_attempt_at=timezone.now())
        first = workers("notifications-1", "notifications", **sms)
        tasks.deliver.delay(delivery_id)

        # The gateway has the SMS (a real one would send it now) and the worker dies before
        # it hears back: the delivery stays claimed, neither sent nor failed.
        assert gateway.arrived.wait(timeout=60), (tmp_path / "notifications-1.log").read_text()
        kill(first)
        gateway.release()
        delivery = Delivery.objects.get(pk=delivery_id)
        assert (delivery.status, delivery.attempts) == ("sending", 1)

        # A new worker, once the claim is stale, sweeps at start and sends it again with the
        # same request id; the gateway, which keeps request ids, does not send a second SMS.
        claimed = delivery.claimed_at
        assert wait_for(
            lambda: timezone.now() > claimed + datetime.timedelta(seconds=STALE_SECONDS + 0.2),
            seconds=10,
        )
        workers("notifications-2", "notifications", **sms)
        assert wait_for(lambda: Delivery.objects.get(pk=delivery_id).status == "sent"), (
            (tmp_path / "notifications-2.log").read_text()
        )
        delivery = Delivery.objects.get(pk=delivery_id)
        assert delivery.attempts == 2 and delivery.provider_id == "sms-1"
        assert [r["request_id"] for r in gateway.requests] == [str(delivery_id)] * 2
        assert list(gateway.delivered) == [str(delivery_id)]
        assert gateway.delivered[str(delivery_id)]["to"] == "0987000015"
    finally:
        gateway.stop()


def _waiting_on_a_lock(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE %s",
            [f'INSERT INTO "{table}"%'],
        )
        return cursor.fetchone()[0] > 0


def test_a_default_worker_killed_inside_a_chunk_of_weekly_summaries_leaves_it_done_once(
    cast, workers, tmp_path
):
    expected = {pupil for _school, chunk in summaries.pupil_chunks() for pupil in chunk}
    restore = {"CELERY_VISIBILITY_TIMEOUT": "2"}  # the broker gives a dead worker's task back
    table = WeeklySummary._meta.db_table
    first = workers("default-1", "default", **restore)
    # Hold the summaries' table (from a connection of its own) so the worker stops inside its
    # chunk's transaction, the week read and nothing yet committed; then kill it there.
    db = connection.settings_dict
    holder = psycopg2.connect(dbname=db["NAME"], host=db["HOST"], port=db["PORT"],
                              user=db["USER"], password=db["PASSWORD"] or None)
    try:
        with holder.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            tasks.send_weekly_summaries.delay(FRIDAY.isoformat())
            assert wait_for(lambda: _waiting_on_a_lock(table)), (
                (tmp_path / "default-1.log").read_text()
            )
            kill(first)
    finally:
        holder.rollback()
        holder.close()
    assert not WeeklySummary.objects.exists()
    assert not Notification.objects.filter(kind="weekly_summary").exists()

    time.sleep(2.2)  # past the visibility timeout: the new worker takes the chunk back
    workers("default-2", "default", **restore)
    assert wait_for(lambda: WeeklySummary.objects.count() == len(expected), seconds=90), (
        (tmp_path / "default-2.log").read_text()
    )
    time.sleep(1)  # nothing more arrives: no chunk ran twice
    assert sorted(WeeklySummary.objects.values_list("student_id", flat=True)) == sorted(expected)
    notes = Notification.objects.filter(kind="weekly_summary")
    assert sorted(notes.values_list("recipient__full_name", flat=True)) == sorted([
        cast.parent_a1.full_name, cast.parent_a2.full_name,
        cast.parent_of_two.full_name, cast.parent_of_two.full_name,
    ])

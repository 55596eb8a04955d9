"""Celery tasks: thin, by id, safe to run twice (the outbox claims each delivery)."""

from celery import shared_task
from celery.signals import worker_ready

from contactbook import notifications
from contactbook.models import Delivery


@shared_task(queue="notifications")
def deliver(delivery_id: int) -> str:
    result = notifications.deliver(delivery_id)
    if result == "retry":
        # The row keeps the next attempt's time, so deliver_due would send it anyway; queueing
        # it for then is only quicker. Both may fire: the claim lets one of them send.
        eta = Delivery.objects.values_list("next_attempt_at", flat=True).get(pk=delivery_id)
        deliver.apply_async((delivery_id,), eta=eta)
    return result


@shared_task(queue="notifications")
def deliver_due() -> int:
    """Every minute (beat): send what is due, including retries and deliveries whose worker
    died. Returns how many were queued."""
    ids = notifications.due_delivery_ids()
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)


@worker_ready.connect
def _deliver_after_restart(sender=None, **kwargs) -> None:
    # A worker killed while sending left its delivery claimed; once the claim is stale
    # (NOTIFICATION_STALE_CLAIM_SECONDS) the sweep sends it again. Sweep at start rather than
    # at the next beat, so a restarted host catches up at once.
    deliver_due.delay()


# ------------------------------------------------------------------ weekly summaries

import datetime  # noqa: E402

from django.utils import timezone  # noqa: E402

from contactbook import summaries  # noqa: E402


@shared_task
def send_weekly_summaries(day: str | None = None) -> int:
    """Friday evening (beat): queue the week's summaries of every school, one task per chunk
    of pupils (`day`, YYYY-MM-DD, picks another week; today's by default). Returns how many
    chunks were queued. Safe to run twice: each chunk skips pupils who already have theirs."""
    start = summaries.week_start(datetime.date.fromisoformat(day) if day else timezone.localdate())
    chunks = 0
    for school_id, student_ids in list(summaries.pupil_chunks()):  # read all before queueing
        create_weekly_summaries.delay(school_id, start.isoformat(), student_ids)
        chunks += 1
    return chunks


@shared_task
def create_weekly_summaries(school_id: int, week_start: str, student_ids: list[int]) -> int:
    """One chunk of one school's pupils: write their summaries and notify their guardians."""
    return summaries.create_weekly_summaries(
        school_id=school_id, start=datetime.date.fromisoformat(week_start), student_ids=student_ids
    )

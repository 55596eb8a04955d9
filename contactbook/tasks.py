"""Celery tasks: thin, by id, safe to run twice (the outbox claims each delivery)."""

from celery import shared_task

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

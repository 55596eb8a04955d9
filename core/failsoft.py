"""Carrying on while Redis (the shared cache, the Celery broker) does not answer.

`Breaker` remembers, per process, that a service failed: after the first failure callers skip it
for `retry_seconds`, then one caller tries again (and may repair what the outage left, as the
cache does) while the others keep skipping. The outage is logged once when it starts and once
when it ends, not on every call.

`delay_after_commit` queues a task once the caller's transaction has committed. The rows it
names (a delivery in the outbox, a report run's chunks) are the record of the work; the
message is only a shortcut to it, and a sweep sends what the broker never got (contactbook
`deliver_due` every minute, reports `resume_runs` every five minutes and at worker start). So
a broker that does not answer is logged and skipped: a committed save is never turned into an
error page, and the request waits at most one publish (Celery's
CELERY_TASK_PUBLISH_RETRY_POLICY and the broker's socket timeouts, settings) per outage and
process, not one per message.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


class Unavailable(Exception):
    """The shared cache does not answer and the operation has no harmless soft answer (a
    counter's increment): the caller decides what to do without it."""


class Breaker:
    UP, PROBE = "up", "probe"

    def __init__(self, name: str, retry_seconds: float | Callable[[], float]):
        self.name = name
        self._retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._down_since: float | None = None  # wall-clock time of the outage's first failure
        self._retry_at = 0.0  # monotonic
        self._probing = False

    @property
    def retry_seconds(self) -> float:
        value = self._retry_seconds
        return value() if callable(value) else value

    @property
    def down_since(self) -> float | None:
        return self._down_since

    def admit(self) -> str | None:
        """UP: go ahead. PROBE: the service was down and it is time to try again; this caller
        alone does, and reports back with `recovered` or `failed`. None: skip the service."""
        if self._down_since is None:
            return self.UP
        with self._lock:
            if self._down_since is None:
                return self.UP
            if self._probing or time.monotonic() < self._retry_at:
                return None
            self._probing = True
            return self.PROBE

    def failed(self, error: BaseException) -> None:
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.time()
            self._retry_at = time.monotonic() + self.retry_seconds
            self._probing = False
        if first:
            log.warning("%s does not answer (%s: %s): carrying on without it, trying again every %g s",
                        self.name, type(error).__name__, error, self.retry_seconds)

    def recovered(self) -> None:
        with self._lock:
            since, self._down_since, self._probing = self._down_since, None, False
        if since is not None:
            log.warning("%s answers again after %.1f s", self.name, time.time() - since)


_broker = Breaker("The Celery broker", lambda: settings.CELERY_BROKER_RETRY_SECONDS)


def delay_after_commit(task, ids: Iterable) -> None:
    """After the current transaction commits, send `task(id)` for each of `ids`; while the
    broker does not answer, none (the caller's rows stay for the sweep that sends them)."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: delay_each(task, ids))


def delay_each(task, ids: list) -> int:
    """Send `task(id)` for each id now, stopping at the broker's first failure. Returns how
    many were sent. Errors of the task itself (run eagerly on the first run and in tests)
    are not the broker's and propagate."""
    if task.app.conf.task_always_eager:  # no broker: the task runs here, now
        for item in ids:
            task.delay(item)
        return len(ids)
    for sent, item in enumerate(ids):
        state = _broker.admit()
        if state is None:
            log.info("broker down: %s for %d ids left to the sweep", task.name, len(ids) - sent)
            return sent
        try:
            task.delay(item)
        except (OperationalError, ConnectionError, TimeoutError) as exc:
            _broker.failed(exc)
            return sent
        if state is Breaker.PROBE:
            _broker.recovered()
    return len(ids)

"""Carrying on while Redis (the shared cache, the Celery broker) does not answer.

`Breaker` remembers, per process, that a service failed: after the first failure callers skip it
for `retry_seconds`, then one caller tries again (and may repair what the outage left, as the
cache does) while the others keep skipping. The outage is logged once when it starts and once
when it ends, not on every call.
"""

import logging
import threading
import time
from collections.abc import Callable

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


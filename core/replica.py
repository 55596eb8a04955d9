"""Reads from the streaming replica where a code path asks for them, and only when the replica
holds what the person reading has already seen.

Everything goes to the primary (`default`) unless the code runs inside a function decorated
with `@reads_from_replica()` (the class summary, the school statistics page and API, the
dashboards). Even then a read goes to the primary when:

- the code is inside a transaction on the primary (it must see what that transaction holds,
  e.g. a report run's chunk under its row lock);
- the replica does not answer (connection refused, not a standby): remembered for
  `REPLICA_RETRY_SECONDS`, so a dead replica costs one failed connection per process per
  period, never a 500;
- the replica is more than `REPLICA_MAX_LAG_SECONDS` behind;
- the person last saw the primary (any page served from it, a write included) at a moment the
  replica has not provably reached. That is "read your own writes", and more: nobody who saw
  a grade published sees it go back in time.

How the router knows (one small query on each server, cached for `REPLICA_CHECK_SECONDS`):
it reads the primary's `pg_current_wal_insert_lsn()`, then asks the replica whether its
`pg_last_wal_replay_lsn()` has passed it. The insert position, not `pg_current_wal_lsn()`
(the write position): with `synchronous_commit = off` a committed transaction's record may
still be in the WAL buffers, before the write position. If the replica has passed it, it is
caught up as of the moment before the primary was asked, and its lag is zero. If not, its lag
is `now() - pg_last_xact_replay_timestamp()` on the replica: an over-estimate (on a primary
that was idle and just committed once, it is the time since the commit before) that errs
towards the primary for one check. The replay timestamp alone would not do: on an idle
primary it grows forever without any real lag. Comparing the replica's receive and replay
positions would not do either: a replica whose WAL receiver lost the primary has both equal
and would count as current.

A person's "last saw the primary" is a signed cookie (`ReplicaMiddleware`), set on every
response a signed-in visitor got from the primary, and holding the time of that response. A
replica may answer them once it is caught up as of a later moment, or has replayed a commit
made later (then every commit before it is there: WAL order). The comparison assumes the
hosts' clocks agree (NTP); a clock behind by e seconds opens a window of e seconds.

The health is per process (a few seconds of memory about a shared server, not state another
host must read). Only PostgreSQL has a replica here: the router is installed only when
DATABASE_REPLICA_URL is set.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
)

logger = logging.getLogger(__name__)

REPLICA = "replica"
COOKIE = "truongso_primary_seen"
_SALT = "core.replica.seen"

# Whether the running code asked for the replica, and the list a request's (or a decorated
# call's) replica reads are noted in.
_opted_in: ContextVar[bool] = ContextVar("truongso_replica_opted_in", default=False)
_used: ContextVar[list | None] = ContextVar("truongso_replica_used", default=None)
# When the person behind this request last saw the primary (epoch seconds), from their cookie.
_seen_at: ContextVar[float | None] = ContextVar("truongso_replica_seen_at", default=None)


def configured() -> bool:
    return REPLICA in settings.DATABASES


# ---------------------------------------------------------------------------------------
# Opting in
# ---------------------------------------------------------------------------------------


def reads_from_replica():
    """A decorator: reads inside the function go to the replica when it may answer. For
    read-only code: a call that fails on the replica (it stopped between the check and the
    read) is run again on the primary, so a view that only reads never answers 500 for a
    replica's death."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            used: list = []
            outer_used = _used.get()
            opted, outer = _opted_in.set(True), _used.set(used)
            try:
                result = func(*args, **kwargs)
            except (OperationalError, InterfaceError):
                if not used:
                    raise
                logger.warning("The replica failed during a read; reading from the primary.")
                mark_down()
            else:
                if outer_used is not None:
                    outer_used.extend(used)  # the request was served (partly) by the replica
                return result
            finally:
                _used.reset(outer)
                _opted_in.reset(opted)
            return func(*args, **kwargs)

        return wrapper

    return decorate


class ReplicaRouter:
    """Writes and migrations to the primary; reads to the replica only where opted in and
    allowed (the module's docstring)."""

    def db_for_read(self, model, **hints):
        if not _opted_in.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not replica_may_answer(_seen_at.get()):
            return DEFAULT_DB_ALIAS
        used = _used.get()
        if used is not None and not used:
            used.append(True)
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The same rows on both servers.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


# ---------------------------------------------------------------------------------------
# The replica's health
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    checked_at: float  # epoch seconds, this host's clock
    up: bool
    lag: float = math.inf  # seconds
    caught_up_as_of: float = 0.0  # epoch: the replica holds every commit made before this
    replayed_commit_at: float = 0.0  # epoch, the primary's clock: its newest replayed commit


_health: list[Health | None] = [None]


def forget() -> None:
    """Forget what this process knows of the replica (tests; after a failover)."""
    _health[0] = None


def mark_down() -> None:
    _health[0] = Health(checked_at=time.time(), up=False)
    _close_replica()


def health() -> Health:
    """The replica's health, checked at most every REPLICA_CHECK_SECONDS (a replica found down:
    every REPLICA_RETRY_SECONDS)."""
    known, now = _health[0], time.time()
    if known is not None:
        period = settings.REPLICA_CHECK_SECONDS if known.up else settings.REPLICA_RETRY_SECONDS
        if now - known.checked_at < period:
            return known
    return _check(known)


def replica_may_answer(seen_at: float | None) -> bool:
    """Whether the replica is up, within the lag limit, and (when `seen_at` is given) holds
    everything the primary held at `seen_at`."""
    state = health()
    now = time.time()
    if state.up and seen_at is not None and state.checked_at < seen_at <= now:
        # Checked before the person last saw the primary: one fresh look can tell.
        state = _check(state)
    if not state.up or state.lag > settings.REPLICA_MAX_LAG_SECONDS:
        return False
    return seen_at is None or max(state.caught_up_as_of, state.replayed_commit_at) >= seen_at


_REPLICA_SQL = """
SELECT pg_is_in_recovery(),
       coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false),
       extract(epoch FROM pg_last_xact_replay_timestamp()),
       extract(epoch FROM now() - pg_last_xact_replay_timestamp())
"""


def _check(known: Health | None) -> Health:
    asked_at = time.time()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        primary_lsn = cursor.fetchone()[0]
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_REPLICA_SQL, [primary_lsn])
            standby, caught_up, replayed_at, lag = cursor.fetchone()
    except DatabaseError as error:  # refused, reset, starting up, timed out: the primary
        logger.warning("The replica does not answer (%s); reading from the primary.", error)
        mark_down()
        return _health[0]
    if not standby:
        logger.warning("The replica is not a standby; reading from the primary.")
        mark_down()
        return _health[0]
    previous = known.caught_up_as_of if known is not None and known.up else 0.0
    state = Health(
        checked_at=asked_at,
        up=True,
        lag=0.0 if caught_up else (float(lag) if lag is not None else math.inf),
        caught_up_as_of=asked_at if caught_up else previous,
        replayed_commit_at=float(replayed_at or 0.0),
    )
    _health[0] = state
    return state


def _close_replica() -> None:
    if REPLICA in connections:
        with contextlib.suppress(DatabaseError):  # already broken: nothing to close
            connections[REPLICA].close()


# ---------------------------------------------------------------------------------------
# What the person last saw
# ---------------------------------------------------------------------------------------


class ReplicaMiddleware:
    """Reads the person's "last saw the primary" cookie for the router, and renews it on every
    response a visitor with a session got from the primary. No query."""

    def __init__(self, get_response):
        if not configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        seen = self._seen(request)
        used: list = []
        tokens = (_seen_at.set(seen), _used.set(used))
        try:
            response = self.get_response(request)
        finally:
            _used.reset(tokens[1])
            _seen_at.reset(tokens[0])
        has_session = (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or settings.SESSION_COOKIE_NAME in response.cookies
        )
        if has_session and not used:
            response.set_signed_cookie(
                COOKIE, f"{time.time():.6f}", salt=_SALT,
                max_age=int(settings.REPLICA_MAX_LAG_SECONDS) + 60,
                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
            )
        return response

    @staticmethod
    def _seen(request) -> float | None:
        value = request.get_signed_cookie(COOKIE, default=None, salt=_SALT)
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

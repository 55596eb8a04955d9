"""Django's Redis cache, failing soft, with one redis-py client per connection pool.

Failing soft: while Redis does not answer (refused, reset, or silent past the socket timeouts
CACHE_CONNECT_TIMEOUT_SECONDS / CACHE_READ_TIMEOUT_SECONDS), reads miss and writes are dropped,
so every page is served as if the cache were empty: sessions come from the database
(`cached_db`), the parent portal renders its home. A counter's increment has no harmless soft
answer and raises `core.failsoft.Unavailable` (the device API then counts in this process). A
breaker (core.failsoft) makes a dead Redis cost nothing after the first failure: the cache is
skipped for CACHE_RETRY_SECONDS, then one call tries again. The outage is logged when it
starts and when it ends.

Stale entries. A write dropped during the outage can be a deletion: a logout deletes the
session from the database and from the cache. A Redis that comes back with its old data (it
was paused, cut off, or restarted from its dump) would still hold that session and sign the
person in again. So the first call that finds Redis answering again empties the cache's own
database (FLUSHDB ASYNC: the keys are gone at once, the memory freed in the background) before
anything is read from it; meanwhile the process's other threads keep skipping. Everything in
this cache can be rebuilt (sessions are in the database, portal bodies are re-rendered, device
counts restart their minute). The broker must never share this Redis database
(settings refuse it): its queued tasks would go too.

What remains: each process empties the cache when it next uses it after the outage, and the
processes that saw no failure do not empty it. Between Redis's return and the emptying by the
last process that dropped a write, another process can read an entry that write should have
changed: for a process serving requests this is at most CACHE_RETRY_SECONDS plus the time to its
next cache call; a process that dropped a write and then serves nothing for longer leaves its
entries until it does (or until they expire; a session entry's age is the session's).

The client is kept: Django builds a new `redis.Redis` for every cache operation, and building
one (its table of response callbacks) costs about as much as the round trip of a GET on
loopback. Every logged-in request reads its session from this cache. A `redis.Redis` is safe
to share between threads, and its pool reconnects after a fork.
"""

from urllib.parse import urlsplit

from django.core.cache.backends import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.failsoft import Breaker, Unavailable

DOWN = (RedisConnectionError, RedisTimeoutError)


def _where(server: str) -> str:
    """host:port/db of a Redis URL, without its password, for the logs."""
    parts = urlsplit(server)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, servers, *args, retry_seconds: float = 5.0, **kwargs):
        super().__init__(servers, *args, **kwargs)
        self._clients = {}
        self.breaker = Breaker(f"The cache's Redis ({_where(servers[0])})", retry_seconds)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _guard(self, soft, operation, *args):
        """`operation(*args)`, or `soft()` while Redis does not answer. After an outage, the
        first caller empties the cache's database before its operation (see the module)."""
        state = self.breaker.admit()
        if state is None:
            return soft()
        if state is Breaker.PROBE:
            try:
                self.get_client(write=True).flushdb(asynchronous=True)
            except (*DOWN, ResponseError) as exc:  # down, or FLUSHDB refused: stay off
                self.breaker.failed(exc)
                return soft()
            self.breaker.recovered()
        try:
            return operation(*args)
        except DOWN as exc:
            self.breaker.failed(exc)
            return soft()

    def ping(self) -> bool:
        return self._guard(lambda: False, lambda: bool(self.get_client().ping()))

    def add(self, key, value, timeout):
        return self._guard(lambda: False, super().add, key, value, timeout)

    def get(self, key, default):
        return self._guard(lambda: default, super().get, key, default)

    def set(self, key, value, timeout):
        return self._guard(lambda: None, super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._guard(lambda: False, super().touch, key, timeout)

    def delete(self, key):
        return self._guard(lambda: False, super().delete, key)

    def get_many(self, keys):
        return self._guard(dict, super().get_many, keys)

    def has_key(self, key):
        return self._guard(lambda: False, super().has_key, key)

    def incr(self, key, delta):
        return self._guard(_unavailable, super().incr, key, delta)

    def set_many(self, data, timeout):
        return self._guard(lambda: None, super().set_many, data, timeout)

    def delete_many(self, keys):
        return self._guard(lambda: None, super().delete_many, keys)

    def clear(self):
        return self._guard(lambda: False, super().clear)


def _unavailable():
    raise Unavailable("the shared cache does not answer")


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def ping(self) -> bool:
        """Whether Redis answers (False without asking it while the breaker is open)."""
        return self._cache.ping()

    @property
    def down_since(self) -> float | None:
        """When this process saw the outage begin (time.time()), or None."""
        return self._cache.breaker.down_since

"""The shared cache on Redis keeps one client per connection pool (truongso.cache)."""

import os

import pytest
from django.core.cache.backends.base import DEFAULT_TIMEOUT

from truongso.cache import RedisCache


@pytest.fixture
def cache():
    assert os.environ.get("REDIS_URL"), "make test starts Redis and sets REDIS_URL"
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-client"})
    yield cache
    cache.delete_many(["a", "b"])


def test_one_client_is_kept_and_every_operation_works_through_it(cache):
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("a", {"phiên": 1}, DEFAULT_TIMEOUT)
    assert cache.get("a") == {"phiên": 1}
    assert cache.add("a", 2) is False
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2}
    cache.delete("a")
    assert cache.get("a") is None and cache.get("b") == 2
    assert cache._cache.get_client() is client


def test_settings_use_it_for_a_redis_cache_url():
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "truongso.settings.base", "CACHE_URL": "redis://127.0.0.1:6379/1"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "truongso.cache.RedisCache"


def test_a_redis_that_does_not_answer_is_a_cache_that_misses_drops_and_logs_once(caplog):
    from core.failsoft import Unavailable

    cache = RedisCache("redis://127.0.0.1:9/1", {"OPTIONS": {"retry_seconds": 60}})  # port 9: refused
    with caplog.at_level("WARNING", logger="core.failsoft"):
        assert cache.get("a") is None and cache.get("a", "default") == "default"
        cache.set("a", 1)
        cache.set_many({"a": 1})
        assert cache.add("a", 1) is False and cache.delete("a") is False
        assert cache.get_many(["a"]) == {} and "a" not in cache
        with pytest.raises(Unavailable):  # a counter has no soft answer: its caller decides
            cache.incr("a")
        assert cache.ping() is False
    (logged,) = [r.getMessage() for r in caplog.records if "does not answer" in r.getMessage()]
    assert logged.startswith("The cache's Redis (127.0.0.1:9/1) does not answer (ConnectionError")
    assert cache.down_since is not None


def test_settings_refuse_the_cache_on_the_brokers_database():
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
           "CACHE_URL": "redis://127.0.0.1:6379/1", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1"}
    code = "import django; django.setup()"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode != 0 and "name the same Redis database" in result.stderr

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

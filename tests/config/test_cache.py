"""config.cache: incr_window, the rate-limit leases' counter, on the in-memory backend and (when
REDIS_URL is set, as in CI) on Redis; both backends otherwise Django's own."""

import uuid

import pytest
from django.conf import settings

from config.cache import LocMemCache, RedisCache

on_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")


def test_locmem_counts_a_window_and_starts_afresh_once_it_expires(monkeypatch):
    cache = LocMemCache(f"test-{uuid.uuid4()}", {})
    now = [1000.0]
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: now[0])

    assert [cache.incr_window("k", 60, amount=10) for _ in range(3)] == [10, 20, 30]
    assert cache.get("k") == 30
    now[0] += 59  # the expiry runs from the first hit, not the last
    assert cache.incr_window("k", 60) == 31
    now[0] += 1
    assert cache.incr_window("k", 60, amount=5) == 5
    assert cache.incr_window("gone", 0, amount=3) == 3  # a window of no time keeps nothing
    assert cache.get("gone") is None


@on_redis
def test_redis_counts_a_window_readable_by_get_with_its_expiry_set_once():
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    key = "window"
    try:
        assert [cache.incr_window(key, 60, amount=10) for _ in range(3)] == [10, 20, 30]
        assert cache.get(key) == 30
        client = cache._window_client
        assert client is cache._window_client  # one client, made once
        client.expire(cache.make_key(key), 5)
        cache.incr_window(key, 60)
        assert 0 < client.ttl(cache.make_key(key)) <= 5  # a later hit does not extend the window
    finally:
        cache.delete(key)


@on_redis
def test_redis_counter_uses_the_caches_location_and_options():
    cache = RedisCache(f"{settings.REDIS_URL};redis://127.0.0.1:1/0", {"OPTIONS": {"socket_timeout": 7}})

    pool = cache._window_client.connection_pool
    assert pool.connection_kwargs["socket_timeout"] == 7
    assert pool.connection_kwargs["port"] != 1  # the first server, which Django writes to too

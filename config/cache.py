"""Cache backends: Django's own, plus `incr_window`, the one-round-trip counter that rate-limit
leases use, and (for Redis) one redis-py client per connection pool instead of one per call: building
a redis-py client costs more than the command it sends."""

import pickle

from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_window(self, key: str, timeout: int, amount: int = 1) -> int:
        """Add `amount` to a counter that expires `timeout` seconds after its first hit; returns it."""
        key = self.make_and_validate_key(key)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.incrby(key, amount)
        pipe.expire(key, timeout, nx=True)
        count, _ = pipe.execute()
        return count


class LocMemCache(DjangoLocMemCache):
    def incr_window(self, key: str, timeout: int, amount: int = 1) -> int:
        key = self.make_and_validate_key(key)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
            if key in self._cache:
                count = pickle.loads(self._cache[key]) + amount  # noqa: S301 (our own pickled int)
                self._cache[key] = pickle.dumps(count, self.pickle_protocol)
            else:
                count = amount
                self._set(key, pickle.dumps(count, self.pickle_protocol), timeout)
            return count

"""Cache backends: Django's own, plus `incr_window`, the one-round-trip counter that rate-limit
leases use. Only public APIs: Django's backends as they are, their public cache methods, and (for
Redis) a redis-py client of the backend's own for the counter, made once from the same LOCATION
and OPTIONS, so the counter's round trip does not build a client per call."""

import re

from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property
from django.utils.module_loading import import_string


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # Django writes to the first server of LOCATION; so does the counter.
        self._window_server = re.split("[;,]", server)[0] if isinstance(server, str) else server[0]
        self._window_options = dict(params.get("OPTIONS", {}))

    @cached_property
    def _window_client(self):
        import redis

        options = {k: v for k, v in self._window_options.items() if k != "serializer"}
        pool_class = options.pop("pool_class", None) or redis.ConnectionPool
        if isinstance(pool_class, str):
            pool_class = import_string(pool_class)
        if isinstance(options.get("parser_class"), str):
            options["parser_class"] = import_string(options["parser_class"])
        return redis.Redis(connection_pool=pool_class.from_url(self._window_server, **options))

    def incr_window(self, key: str, timeout: int, amount: int = 1) -> int:
        """Add `amount` to a counter that expires `timeout` seconds after its first hit; returns it.
        The counter is a plain Redis integer, as Django's serializer stores ints: get() reads it."""
        key = self.make_and_validate_key(key)
        pipe = self._window_client.pipeline(transaction=False)
        pipe.incrby(key, amount)
        pipe.expire(key, timeout, nx=True)
        count, _ = pipe.execute()
        return count


class LocMemCache(DjangoLocMemCache):
    def incr_window(self, key: str, timeout: int, amount: int = 1) -> int:
        # add() starts the window (and its expiry) only if no counter is open; incr() keeps the
        # expiry. A counter that expires between the two makes incr() raise: start the next one.
        if timeout <= 0:  # a window that has already ended keeps nothing (as on Redis)
            return amount
        while True:
            self.add(key, 0, timeout)
            try:
                return self.incr(key, amount)
            except ValueError:
                continue

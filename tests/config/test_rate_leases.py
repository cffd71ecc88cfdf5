"""Rate-limit leases: a process takes 1% of a window's budget from the shared counter at a time
and spends it locally. Each WindowLeases below stands for one web process; they share the cache
(Redis in CI) like real processes do."""

import pytest
from django.core.cache import cache

from config.api.throttles import WindowLeases

NOW = 1_800_000_000  # a window start for periods of 1 s, 1 min and 1 h
KEY = "rl:read:company-a:window"


def admitted(process: WindowLeases, requests: int, *, limit: int, now: int = NOW) -> int:
    return sum(process.admit(KEY, limit=limit, period=60, now=now) for _ in range(requests))


def test_a_process_asks_the_shared_counter_once_per_lease():
    process = WindowLeases()

    assert admitted(process, 25, limit=1000) == 25

    assert cache.get(KEY) == 30  # three leases of 10 (1% of 1000), not 25 round trips


def test_a_small_limit_is_counted_request_by_request():
    process = WindowLeases()

    assert admitted(process, 5, limit=3) == 3

    assert cache.get(KEY) == 4  # three admitted, one refused; then the window is known spent


@pytest.mark.parametrize("processes", [2, 5])
def test_processes_together_never_admit_more_than_the_limit(processes):
    pool = [WindowLeases() for _ in range(processes)]
    limit, lease = 500, 5

    total = sum(admitted(pool[i % processes], 1, limit=limit) for i in range(2 * limit))

    assert total <= limit
    assert total >= limit - (processes - 1) * (lease - 1)  # unspent leases held elsewhere


def test_a_spent_window_refuses_without_asking_again_until_it_ends():
    process = WindowLeases()
    assert admitted(process, 3, limit=2) == 2
    asked = cache.get(KEY)

    assert admitted(process, 10, limit=2, now=NOW + 59) == 0
    assert cache.get(KEY) == asked

    next_window = "rl:read:company-a:next-window"
    assert process.admit(next_window, limit=2, period=60, now=NOW + 60)


def test_another_cache_namespace_starts_afresh(settings):
    process = WindowLeases()
    assert admitted(process, 3, limit=2) == 2

    settings.CACHES = {alias: {**conf, "KEY_PREFIX": "other"} for alias, conf in settings.CACHES.items()}

    assert admitted(process, 1, limit=2) == 1

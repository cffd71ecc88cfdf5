"""messaging.delivery.ratelimit: a per-channel send rate counted in the shared cache, so every
thread and process together stays within it; on the in-memory cache and (when REDIS_URL is set,
as in CI) on Redis."""

import threading
import time
import uuid
from collections import Counter

import pytest

from messaging.delivery import ratelimit
from tests.concurrency import released_together

NOW = 1_800_000_000.25


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    """The cache backend under test, in a namespace of its own."""
    if request.param == "redis":
        if not settings.REDIS_URL:
            pytest.skip("needs REDIS_URL")
        conf = {"BACKEND": "config.cache.RedisCache", "LOCATION": settings.REDIS_URL}
    else:
        conf = {"BACKEND": "config.cache.LocMemCache", "LOCATION": uuid.uuid4().hex}
    settings.CACHES = {"default": {**conf, "KEY_PREFIX": uuid.uuid4().hex}}
    settings.MESSAGING_RATE_PER_SECOND = {"sms": 20, "email": 0}
    return request.param


def test_a_second_grants_up_to_the_rate_then_nothing_until_the_next(shared_cache):
    assert ratelimit.acquire("sms", 15, now=NOW) == 15
    assert ratelimit.acquire("sms", 15, now=NOW + 0.5) == 5
    assert ratelimit.acquire("sms", 1, now=NOW + 0.7) == 0

    assert ratelimit.acquire("sms", 25, now=NOW + 1) == 20


def test_channels_count_apart_and_zero_or_absent_is_unlimited(shared_cache):
    assert ratelimit.acquire("sms", 20, now=NOW) == 20

    assert ratelimit.acquire("email", 10_000, now=NOW) == 10_000
    assert ratelimit.acquire("viber", 10_000, now=NOW) == 10_000
    assert ratelimit.acquire("sms", 0, now=NOW) == 0


def test_threads_asking_at_once_never_get_more_than_the_rate(shared_cache):
    def take(_):
        return sum(ratelimit.acquire("sms", 1 + i % 3, now=NOW) for i in range(40))

    granted = released_together(take, 2)

    assert sum(granted) == 20  # each thread asked for far more


def test_wait_for_sleeps_to_the_next_second_when_this_one_is_spent(shared_cache):
    clock = [NOW]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    assert ratelimit.wait_for("sms", 18, clock=lambda: clock[0], sleep=sleep) == 18
    assert ratelimit.wait_for("sms", 18, clock=lambda: clock[0], sleep=sleep) == 2
    assert slept == []

    assert ratelimit.wait_for("sms", 18, clock=lambda: clock[0], sleep=sleep) == 18
    assert slept == [pytest.approx(0.75)]


def test_senders_on_the_real_clock_keep_within_the_rate_every_second(shared_cache):
    grants = Counter()
    lock = threading.Lock()

    def send(_):
        asked_at = []  # when wait_for asked: the second its grant was counted in

        def clock():
            asked_at.append(time.time())
            return asked_at[-1]

        left = 30
        while left:
            granted = ratelimit.wait_for("sms", min(left, 7), clock=clock)
            with lock:
                grants[int(asked_at[-1])] += granted
            left -= granted

    results = released_together(send, 2)

    assert results == [None, None]
    assert sum(grants.values()) == 60
    assert max(grants.values()) <= 20

"""A send rate per channel (MESSAGING_RATE_PER_SECOND, messages per second; 0 or absent:
unlimited) that holds across every worker process together: the messages granted in each
calendar second are counted in the shared cache (Redis in production), under a key of the
channel and the epoch second.

The counter counts what was asked, and each caller is granted what was left below the rate when
its request was counted, so the grants of one second never add up to more than the rate, however
many processes ask at once. Windows are the machines' clock seconds: keep worker clocks in sync
(NTP). With the in-memory cache (the embedded default) the count is per process."""

import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

# A window's counter outlives its second a little, for callers whose clocks lag.
WINDOW_TTL_SECONDS = 5


def rate_per_second(channel: str) -> int:
    return int(settings.MESSAGING_RATE_PER_SECOND.get(channel) or 0)


def acquire(channel: str, n: int, *, now: float | None = None) -> int:
    """How many of `n` messages of `channel` may be sent now (0..n), counted against this
    second's budget; it never waits."""
    rate = rate_per_second(channel)
    if rate <= 0 or n <= 0:
        return max(n, 0)
    second = int(time.time() if now is None else now)
    counted = cache.incr_window(f"msg-rate:{channel}:{second}", WINDOW_TTL_SECONDS, amount=n)
    return max(0, min(n, rate - (counted - n)))


def wait_for(
    channel: str,
    n: int,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Wait until some of `n` messages may go (sleeping to the next second while this one's budget
    is spent), and return how many (1..n). Send those at once, then ask again for the rest:
    waiting for all of a large `n` and then sending it in one go would bunch several seconds'
    budgets into one."""
    if n <= 0:
        return 0
    while True:
        now = clock()
        granted = acquire(channel, n, now=now)
        if granted:
            return granted
        sleep(max(math.floor(now) + 1 - now, 0.001))

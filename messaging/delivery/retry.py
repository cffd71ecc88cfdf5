"""When to try a message again: exponential backoff with full jitter (a random wait between 0 and
base x 2^(attempt - 1), capped), so messages that failed together do not all come back together;
a provider's Retry-After is waited at least. After max_attempts() tries a message fails."""

import random

from django.conf import settings

BASE_SECONDS = 10.0
CAP_SECONDS = 30 * 60.0


def max_attempts() -> int:
    """MESSAGING_MAX_ATTEMPTS: the most times a message is tried (read each time, so a test or a
    settings change applies at once)."""
    return settings.MESSAGING_MAX_ATTEMPTS


def backoff_seconds(
    attempt: int, *, base: float = BASE_SECONDS, cap: float = CAP_SECONDS, rng: random.Random = random
) -> float:
    """The wait before try number attempt + 1, after `attempt` (1, 2, ...) failed tries."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return rng.uniform(0, ceiling)


def retry_delay_seconds(
    attempt: int, retry_after: float | None = None, *, cap: float = CAP_SECONDS, rng: random.Random = random
) -> float:
    """The backoff, but never less than the provider's Retry-After (itself capped)."""
    delay = backoff_seconds(attempt, cap=cap, rng=rng)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay

"""messaging.delivery.retry: exponential backoff with full jitter, and the attempt budget."""

import random

import pytest

from messaging.delivery import retry


class Highest:
    """A random source that always draws the top of the range."""

    def uniform(self, low, high):
        return high


@pytest.mark.parametrize("attempt", [1, 2, 3, 6, 12, 40])
def test_a_wait_lies_between_zero_and_the_capped_exponential(attempt):
    rng = random.Random(attempt)
    ceiling = min(600.0, 2.0 * 2 ** (attempt - 1))

    waits = [retry.backoff_seconds(attempt, base=2.0, cap=600.0, rng=rng) for _ in range(2000)]

    assert all(0 <= wait <= ceiling for wait in waits)
    assert max(waits) > 0.9 * ceiling and min(waits) < 0.1 * ceiling  # the whole range, jittered


def test_the_ceiling_doubles_with_each_attempt_up_to_the_cap():
    ceilings = [retry.backoff_seconds(n, base=5.0, cap=60.0, rng=Highest()) for n in range(1, 7)]

    assert ceilings == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]


def test_the_defaults_are_bounded():
    assert retry.backoff_seconds(1, rng=Highest()) == retry.BASE_SECONDS
    assert retry.backoff_seconds(1000, rng=Highest()) == retry.CAP_SECONDS


def test_a_providers_retry_after_is_waited_at_least_but_never_past_the_cap():
    low = random.Random(1)

    assert retry.retry_delay_seconds(1, retry_after=45.0, rng=low) >= 45.0
    assert retry.retry_delay_seconds(1, retry_after=10**6, cap=120.0, rng=Highest()) == 120.0
    assert retry.retry_delay_seconds(3, None, cap=120.0, rng=Highest()) == retry.BASE_SECONDS * 4


def test_max_attempts_is_the_setting(settings):
    settings.MESSAGING_MAX_ATTEMPTS = 9

    assert retry.max_attempts() == 9

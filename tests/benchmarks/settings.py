"""Settings for benchmark servers: the real settings plus the bench-only routes, with rate limits
out of the way (their cost is still paid: the counters are still kept)."""

from config.settings import *  # noqa: F403
from config.settings import API_RATE_LIMITS

ROOT_URLCONF = "tests.benchmarks.urls"
API_RATE_LIMITS = dict.fromkeys(API_RATE_LIMITS, "100000000/minute")
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

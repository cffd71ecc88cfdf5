"""Settings for benchmark servers: the real settings plus the bench-only routes, with rate limits
out of the way. Their cost is still paid as in production: every process leases its share of
each window from the shared counter (config.api.throttles), here in blocks of 1,000,000 instead
of 60 for the default read limit, which spares a round trip per 60 requests at most."""

from config.settings import *  # noqa: F403
from config.settings import API_RATE_LIMITS

ROOT_URLCONF = "tests.benchmarks.urls"
API_RATE_LIMITS = dict.fromkeys(API_RATE_LIMITS, "100000000/minute")
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

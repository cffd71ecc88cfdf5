"""Rate limits: fixed windows counted in the shared cache (Redis in production, one round trip
per request), so every web process counts together. Rates come from settings.API_RATE_LIMITS,
read per request, as "<count>/<second|minute|hour|day>"."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("postroom.api")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), PERIODS[period[0].lower()]


class _RateLimit(BaseThrottle):
    scope = ""
    seconds_to_wait = 1

    def scope_for(self, request) -> str:
        return self.scope

    def identity(self, request) -> str | None:
        return self.get_ident(request)

    def allow_request(self, request, view) -> bool:
        scope = self.scope_for(request)
        rate = settings.API_RATE_LIMITS.get(scope)
        identity = self.identity(request)
        if not rate or identity is None:
            return True
        limit, period = parse_rate(rate)
        now = int(time.time())
        window = now // period
        try:
            count = cache.incr_window(f"rl:{scope}:{identity}:{window}", period)
        except Exception:
            # A cache outage must not refuse every request; /readyz reports the outage.
            logger.warning("rate-limit counter unavailable", exc_info=True)
            return True
        if count <= limit:
            return True
        self.seconds_to_wait = max((window + 1) * period - now, 1)
        return False

    def wait(self):
        return self.seconds_to_wait


class CompanyRateThrottle(_RateLimit):
    """Per company: one budget for reads and one for writes."""

    def scope_for(self, request) -> str:
        return "read" if request.method in SAFE_METHODS else "write"

    def identity(self, request) -> str | None:
        company_id = getattr(request.user, "company_id", None)
        return str(company_id) if company_id else None


class LoginRateThrottle(_RateLimit):
    """Per client IP, for the unauthenticated endpoints that take credentials."""

    scope = "login"

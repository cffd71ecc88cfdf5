"""Rate limits: fixed windows counted in the shared cache (Redis in production), so every web
process counts together. Rates come from settings.API_RATE_LIMITS, read per request, as
"<count>/<second|minute|hour|day>".

A round trip to Redis costs a web process about as much CPU as the rest of a cheap request, so a
process does not ask for every request: it takes a lease of LEASE_PERCENT of the window's budget
(at least one request) from the shared counter and spends it locally, and asks again when the
lease is spent. The shared counter therefore never admits more than the limit; what the leases
cost is that a company at its limit may be refused up to (processes - 1) x lease requests early
in a window, while other processes still hold unspent leases. With the limits we run (thousands
per minute) that is a round trip per hundred requests, against at most a few percent early."""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from accounts.principal import Principal
from config.client_address import client_ip

logger = logging.getLogger("postroom.api")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
LEASE_PERCENT = 1


def parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), PERIODS[period[0].lower()]


class WindowLeases:
    """The requests this process may still admit in each open window, leased from the shared
    counter. An exhausted window is remembered too: it stays closed until it ends."""

    MAX_ENTRIES = 10_000

    def __init__(self):
        self._left: dict[str, tuple[int, int]] = {}  # cache key -> (window end, requests left)
        self._lock = threading.Lock()

    def admit(self, key: str, *, limit: int, period: int, now: int) -> bool:
        """Admit one request to the window counted under the cache key `key` (the window ends at
        the next multiple of `period` seconds)."""
        known = cache.make_key(key)  # also tells apart caches with different key prefixes
        with self._lock:
            entry = self._left.get(known)
            if entry is not None and entry[0] > now:
                if entry[1] > 0:
                    self._left[known] = (entry[0], entry[1] - 1)
                    return True
                if entry[1] < 0:  # the shared budget is spent until the window ends
                    return False
        lease = max(1, limit * LEASE_PERCENT // 100)
        counted = cache.incr_window(key, period, amount=lease)
        granted = max(0, min(lease, limit - (counted - lease)))
        with self._lock:
            if len(self._left) >= self.MAX_ENTRIES:
                self._left = {k: v for k, v in self._left.items() if v[0] > now}
            window_end = (now // period + 1) * period
            self._left[known] = (window_end, granted - 1 if granted else -1)
        return granted > 0

    def forget_all(self) -> None:
        with self._lock:
            self._left.clear()


window_leases = WindowLeases()


class _RateLimit(BaseThrottle):
    scope = ""
    seconds_to_wait = 1

    def scope_for(self, request) -> str:
        return self.scope

    def get_ident(self, request) -> str:
        # Not DRF's get_ident, which believes X-Forwarded-For unless NUM_PROXIES is set.
        return client_ip(request)

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
            if window_leases.admit(f"rl:{scope}:{identity}:{window}", limit=limit, period=period, now=now):
                return True
        except Exception:
            # A cache outage must not refuse every request; /readyz reports the outage.
            logger.warning("rate-limit counter unavailable", exc_info=True)
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
        principal = request.auth
        return str(principal.company_id) if isinstance(principal, Principal) else None


class LoginRateThrottle(_RateLimit):
    """Per client IP (config.client_address), for the unauthenticated endpoints that take
    credentials."""

    scope = "login"

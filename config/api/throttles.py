"""Rate limits, counted in the shared cache (Redis in production) so every process counts
together. Rates come from settings.API_RATE_LIMITS, read per request."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _SettingsRateThrottle(SimpleRateThrottle):
    scope = ""

    def __init__(self):  # the rate is chosen per request (see allow_request), not here
        pass

    def scope_for(self, request) -> str:
        return self.scope

    def allow_request(self, request, view):
        self.scope = self.scope_for(request)
        self.rate = settings.API_RATE_LIMITS.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class CompanyRateThrottle(_SettingsRateThrottle):
    """Per company: one budget for reads and one for writes."""

    def scope_for(self, request) -> str:
        return "read" if request.method in SAFE_METHODS else "write"

    def get_cache_key(self, request, view):
        company_id = getattr(request.user, "company_id", None)
        return self.cache_format % {"scope": self.scope, "ident": company_id} if company_id else None


class LoginRateThrottle(_SettingsRateThrottle):
    """Per client IP, for the unauthenticated endpoints that take credentials."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

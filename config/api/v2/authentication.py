"""`X-API-Key` on every call: the platform API key, checked as login checks it (live key, user
with API access, active company). The principal acts for the key's company, in its default
workspace, as the key's user."""

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.principal import API_KEY, Principal
from accounts.roles import MESSAGE_CAMPAIGN_READ, MESSAGE_CAMPAIGN_WRITE
from accounts.selectors import api_key_access

MAX_KEY_LENGTH = 200
RIGHTS = frozenset({MESSAGE_CAMPAIGN_READ, MESSAGE_CAMPAIGN_WRITE})


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        secret = request.META.get("HTTP_X_API_KEY", "").strip()
        if not secret:
            return None  # no credentials: 401
        access = api_key_access(secret) if len(secret) <= MAX_KEY_LENGTH and secret.isascii() else None
        if access is None:
            raise AuthenticationFailed()
        principal = Principal(
            company=access.company,
            rights=RIGHTS,
            credential_kind=API_KEY,
            credential_id=str(access.api_key_id),
            user=access.user,
            workspace=access.workspace,
        )
        return (access.user, principal)

    def authenticate_header(self, request):
        return "X-API-Key"

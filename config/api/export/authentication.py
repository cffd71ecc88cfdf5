"""The messages export API's headers, checked in the spec's order, the api_code compared once the
token names the company:

1. `x-auth-context`: a JSON object with `api_access: true` and an `api_code`;
2. `authorization: Bearer <access token>` of POST /api/v1/account/login, validated exactly as the
   platform API validates it (config.api.jwt: same key, expiry and revocation; a refresh token is
   refused);
3. the api_code is that company's messages api_code (compared in constant time by accounts);
4. `x-ip`: the caller's client address, an IPv4 or IPv6 literal, kept for the audit;
5. `x-api-key`, when sent: a live API key of the same company.

A token problem (missing, garbage, expired, its user without API access) is 403 `auth error`;
every other header problem is 403 `Unauthorized`. The principal is the token's: its company and
user, credential kind session."""

import ipaddress
import json

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts import selectors as account_selectors
from config.api.export.exceptions import AuthError, Unauthorized
from config.api.jwt import SessionJWTAuthentication
from config.api.parsers import CaseInsensitiveDict

# Far past any real value: a longer header is refused before it is parsed or looked up.
MAX_CONTEXT_LENGTH = 2000
MAX_CODE_LENGTH = 200
MAX_KEY_LENGTH = 200
MAX_IP_LENGTH = 45  # the longest IPv6 literal (an IPv4-mapped one in full)

_session_tokens = SessionJWTAuthentication()


def api_code_of(request) -> str:
    """The api_code of a well-formed x-auth-context that grants API access."""
    raw = request.META.get("HTTP_X_AUTH_CONTEXT", "")
    if not raw or len(raw) > MAX_CONTEXT_LENGTH:
        raise Unauthorized()
    try:
        context = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise Unauthorized() from exc
    if not isinstance(context, dict):
        raise Unauthorized()
    context = CaseInsensitiveDict(context)
    code = context.get("api_code")
    if context.get("api_access") is not True or not isinstance(code, str):
        raise Unauthorized()
    if not code or len(code) > MAX_CODE_LENGTH or not code.isascii():
        raise Unauthorized()
    return code


def client_address_of(request) -> str | None:
    """The x-ip header as a normalised IPv4 or IPv6 address; None when it is no such literal (a
    zone index such as `%eth0` names an interface of the caller's host, no address: refused)."""
    raw = request.META.get("HTTP_X_IP", "").strip()
    if not raw or len(raw) > MAX_IP_LENGTH or "%" in raw:
        return None
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _session_of(request):
    try:
        authenticated = _session_tokens.authenticate(request)
    except AuthenticationFailed as exc:  # simplejwt's InvalidToken and header errors included
        raise AuthError() from exc
    if authenticated is None:
        raise AuthError()
    return authenticated


def _api_key_matches(secret: str, company) -> bool:
    if len(secret) > MAX_KEY_LENGTH or not secret.isascii():
        return False
    access = account_selectors.api_key_access(secret)
    return access is not None and access.company.pk == company.pk


class ExportAuthentication(BaseAuthentication):
    def authenticate(self, request):
        api_code = api_code_of(request)
        user, principal = _session_of(request)
        if not account_selectors.messages_api_code_matches(company=principal.company, api_code=api_code):
            raise Unauthorized()
        if client_address_of(request) is None:
            raise Unauthorized()
        api_key = request.META.get("HTTP_X_API_KEY", "").strip()
        if api_key and not _api_key_matches(api_key, principal.company):
            raise Unauthorized()
        return user, principal

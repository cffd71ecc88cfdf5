"""JWT transport for API sessions: mint the token pair for a grant, and authenticate requests.

The domain (accounts.services) owns sessions and refresh-token lineage; this module only turns a
grant into signed tokens and a bearer token back into a user, shared by every JWT surface.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from django.conf import settings
from django.db.models.signals import post_save
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import selectors as account_selectors
from accounts.models import Company, User
from accounts.principal import SESSION, Principal
from accounts.services import RefreshGrant
from accounts.signals import credentials_revoked


@dataclass(frozen=True)
class TokenPair:
    access: str
    access_expires_at: datetime
    refresh: str
    refresh_expires_at: datetime


def mint_token_pair(grant: RefreshGrant) -> TokenPair:
    user = grant.user
    refresh = RefreshToken()
    refresh["jti"] = grant.jti
    refresh.set_exp(from_time=grant.expires_at - settings.API_REFRESH_TOKEN_LIFETIME)
    refresh["user_id"] = user.pk
    refresh["company_id"] = str(user.company_id)
    refresh["sid"] = str(grant.session.pk)
    refresh["role"] = ",".join(account_selectors.roles_of_user(user=user))
    # The messages export API's names for the company and the role (its spec's claims).
    refresh["account_id"] = refresh["company_id"]
    refresh["role_code"] = refresh["role"]
    access = refresh.access_token
    return TokenPair(
        access=str(access),
        access_expires_at=datetime.fromtimestamp(access["exp"], tz=UTC),
        refresh=str(refresh),
        refresh_expires_at=datetime.fromtimestamp(refresh["exp"], tz=UTC),
    )


def read_refresh_token(raw: str) -> tuple[str, str] | None:
    """(session id, token id) of a well-signed, unexpired refresh token; None for anything else
    (garbage, another signing key, an access token passed as a refresh token)."""
    try:
        token = RefreshToken(raw)
    except TokenError:
        return None
    session_id, jti = token.get("sid"), token.get("jti")
    if not isinstance(session_id, str) or not isinstance(jti, str):
        return None
    return session_id, jti


def company_of_token(raw: str) -> str | None:
    """The company a token we signed names, even when it has expired or its session has ended
    (API logging records such 401s for the company); None for anything not signed by us."""
    try:
        claims = jwt.decode(
            raw,
            settings.SIMPLE_JWT["SIGNING_KEY"],
            algorithms=[settings.SIMPLE_JWT["ALGORITHM"]],
            options={"verify_exp": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        return None
    company_id = claims.get("company_id")
    return company_id if isinstance(company_id, str) else None


class RecentlyAccepted:
    """The bearer tokens this process accepted in the last API_AUTH_CACHE_SECONDS, with their
    user and principal.

    Checking a token costs a signature check and a database round trip, a third of a cheap
    request. An integrator sends the same token hundreds of times a second, so for a few seconds
    its answer is remembered. What that trades: a revocation made in another process reaches this
    one within API_AUTH_CACHE_SECONDS (this process forgets at once: see `forget_all`). 0 turns
    the memory off."""

    MAX_ENTRIES = 10_000

    def __init__(self):
        self._entries: dict[bytes, tuple[float, object, object]] = {}

    def get(self, raw_token: bytes):
        entry = self._entries.get(raw_token)
        if entry is None:
            return None
        if entry[0] <= time.time():
            self._entries.pop(raw_token, None)
            return None
        return entry[1], entry[2]

    def remember(self, raw_token: bytes, user, principal, *, expires: float) -> None:
        seconds = settings.API_AUTH_CACHE_SECONDS
        if seconds <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        now = time.time()
        self._entries[raw_token] = (min(now + seconds, expires), user, principal)  # never past its expiry

    def forget_all(self, **kwargs) -> None:
        self._entries.clear()


recently_accepted = RecentlyAccepted()
# Anything that can end a token in this process ends its memory here at once.
credentials_revoked.connect(recently_accepted.forget_all, dispatch_uid="jwt-forget-on-revoke")
for _model in (User, Company):
    post_save.connect(
        recently_accepted.forget_all, sender=_model, dispatch_uid=f"jwt-forget-{_model.__name__}"
    )


MAX_USER_ID = 2**63 - 1


class SessionJWTAuthentication(JWTAuthentication):
    """Bearer access tokens whose session is still alive: (user, Principal), so `request.auth`
    is the principal (company, the token's rights, the session as credential)."""

    www_authenticate_realm = "api"

    def authenticate(self, request):
        header = self.get_header(request)
        raw_token = self.get_raw_token(header) if header is not None else None
        if raw_token is None:
            return None
        remembered = recently_accepted.get(raw_token)
        if remembered is not None:
            return remembered
        token = self.get_validated_token(raw_token)
        user = self.get_user(token)
        principal = Principal(
            company=user.company,
            rights=token_rights(token),
            credential_kind=SESSION,
            credential_id=token["sid"],
            user=user,
        )
        recently_accepted.remember(raw_token, user, principal, expires=token["exp"])
        return user, principal

    def get_user(self, validated_token):
        user_id = validated_token.get("user_id")
        # A user id is a positive 64-bit integer (a bigint key): anything else, even well signed,
        # names no user, and a larger integer is more than a database parameter can carry.
        if type(user_id) is not int or not 0 < user_id <= MAX_USER_ID:
            raise InvalidToken("Token carries no valid session.")
        try:
            user = account_selectors.api_user_for_session(
                session_id=validated_token["sid"],
                user_id=user_id,
                company_id=validated_token["company_id"],
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidToken("Token carries no valid session.") from exc
        if user is None:
            raise InvalidToken("Token session is no longer valid.")
        return user


def token_rights(token) -> frozenset[str]:
    """The API rights of the roles the access token names."""
    role = token.get("role") if token is not None else None
    if not role or not isinstance(role, str):
        return frozenset()
    return account_selectors.rights_of_roles(roles=tuple(role.split(",")))


class SessionJWTScheme(OpenApiAuthenticationExtension):
    """Documents SessionJWTAuthentication as a bearer JWT in the OpenAPI schema."""

    target_class = SessionJWTAuthentication
    name = "BearerJWT"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}

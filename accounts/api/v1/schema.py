"""OpenAPI wording of the account endpoints (login, refresh), in the spec's words."""

from accounts.api.v1.serializers import (
    JwtResponseSerializer,
    LoginRequestSerializer,
    RefreshRequestSerializer,
)
from config.api.v1.schema import error, example, ok, operation, with_reason

TAG = "account"
VALIDATION = "Validation failed"


def _pair(token: str, refresh: str, expiry: str, refresh_expiry: str) -> dict:
    return {"token": token, "expiry": expiry, "refreshExpiry": refresh_expiry, "refreshToken": refresh}


login = operation(
    operation_id="account_login",
    tag=TAG,
    summary="Log in with an API key",
    description=(
        "The authentication entry point for your integration. It accepts an API key in the request "
        "body and, on success, returns a JWT access token plus a refresh token. Use the returned "
        "`token` as `Authorization: Bearer <token>` when calling protected endpoints; call "
        "POST /api/v1/account/refresh with `refreshToken` before it expires. The API key is generated "
        "in API Settings and works once an administrator has enabled API access for its user. "
        "Rate limited per client address."
    ),
    request=LoginRequestSerializer,
    request_examples={"API key": {"apiKey": "sk_live_example_key"}},
    responses={
        200: ok(
            "LoginEnvelope",
            JwtResponseSerializer(),
            example(
                "Login successful",
                "Login successful",
                _pair("jwt-access-token", "refresh-token", "2026-02-24T12:02:34Z", "2026-03-03T11:47:34Z"),
            ),
            description="Successful login: an access token and a refresh token.",
        ),
        400: error(
            "The body has no API key, or not as a string.", (VALIDATION, ["The ApiKey field is required."])
        ),
        401: error("Invalid or expired API key.", *with_reason(401, "Invalid or expired API key")),
    },
)

refresh = operation(
    operation_id="account_refresh",
    tag=TAG,
    summary="Refresh the token pair",
    description=(
        "Renews authentication tokens for an active API session. It accepts a refresh token and, on "
        "success, returns a new JWT access token together with a newly rotated refresh token; the old "
        "refresh token is revoked, and presenting it again is refused. Use this endpoint when the "
        "current access token is expired or close to expiry. Refresh tokens expire 7 days after "
        "issuance. Rate limited per client address."
    ),
    request=RefreshRequestSerializer,
    request_examples={"Refresh token": {"refreshToken": "existing-refresh-token"}},
    responses={
        200: ok(
            "RefreshEnvelope",
            JwtResponseSerializer(),
            example(
                "Token refreshed successfully",
                "Token refreshed successfully",
                _pair(
                    "new-jwt-access-token",
                    "new-refresh-token",
                    "2026-02-26T12:02:34Z",
                    "2026-03-05T11:47:34Z",
                ),
            ),
            description="Token refreshed successfully and new token pair returned.",
        ),
        400: error(
            "The body has no refresh token, or not as a string.",
            (VALIDATION, ["The RefreshToken field is required."]),
        ),
        401: error(
            "Refresh token is invalid or expired.", *with_reason(401, "Invalid or expired refresh token")
        ),
    },
)

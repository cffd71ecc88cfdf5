"""OpenAPI of the messages export API (/v1/), for drf-spectacular: its headers as security
schemes, the {"data": ...} answers and the {"message": "<text>"} errors.

Each app words its own operations (`<app>/api/export/schema.py`) with `operation`, `ok` and
`error`; `ExportAutoSchema` adds the answers the plumbing gives (403 for the headers, 400, 413 and
415 for a body, 429, 500) in the words of config.api.export.messages, and error examples are built
by the exception handler's own `error_response`, so the schema cannot say one thing while the
handler says another."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

from config.api.export import messages
from config.api.export.authentication import ExportAuthentication
from config.api.export.exceptions import error_response
from config.api.schema import SurfaceAutoSchema, slug

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
HEADERS_REFUSED = (
    "A header is missing or refused, checked in this order: `x-auth-context` (not a JSON object, "
    "`api_access` not true, no `api_code`); the bearer token (missing, not ours, expired, "
    "revoked, a refresh token, or its user without API access: `auth error`); the `api_code` "
    "(not this company's); `x-ip` (not an IPv4 or IPv6 address); `x-api-key`, when sent (not a "
    "live key of this company). Also `Unauthorized` when the token's role lacks the right the "
    "endpoint needs."
)


class ExportErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What went wrong, in the spec's words.")


_shapes: dict[str, type] = {}


def shape(name: str, fields: dict):
    """An object of `fields` (serializer fields), registered once as the component `name`."""
    if name not in _shapes:
        _shapes[name] = inline_serializer(name=name, fields=fields)
    return _shapes[name]


def data(name: str, item) -> serializers.Serializer:
    """`{"data": item}`: `item` a serializer (instance) or field."""
    return shape(name, {"data": item})


def example(title: str, value) -> OpenApiExample:
    return OpenApiExample(slug(title), summary=title, value=value)


def ok(shaped, *examples: OpenApiExample, description: str) -> OpenApiResponse:
    return OpenApiResponse(shaped, description=description, examples=list(examples))


def error(status: int, description: str, *texts: str) -> OpenApiResponse:
    """An error answer of `status`, one example per text; the description names each text."""
    examples = [example(text, error_response(status, text).data) for text in texts]
    described = description + "\n\nMessages:\n" + "\n".join(f"- `{text}`" for text in texts)
    return OpenApiResponse(ExportErrorSerializer, description=described, examples=examples)


BAD_REQUEST = error(
    400,
    "The body is not a JSON object (malformed JSON, an array), or a field has the wrong type.",
    messages.BAD_REQUEST,
)
MISSING_FIELDS = error(401, "A required body field is missing, null or blank.", messages.MISSING_FIELDS)
CAMPAIGN_NOT_FOUND = error(
    404,
    "No message campaign of this company has that campaign_id: another company's is answered "
    "like a missing one.",
    messages.CAMPAIGN_NOT_FOUND,
)
TOO_MANY_REQUESTS_TEXT = "Rate limit exceeded; retry after the seconds the `Retry-After` header gives."


class ExportAutoSchema(SurfaceAutoSchema):
    """Adds the answers the export plumbing gives to every operation that does not word them
    itself: 403 (the headers), 400, 413 and 415 where a body is read, 429 (rate limits), 500."""

    def plumbing_answers(self) -> dict:
        answers = {403: error(403, HEADERS_REFUSED, messages.UNAUTHORIZED, messages.AUTH_ERROR)}
        if self.method in BODY_METHODS:
            answers[400] = BAD_REQUEST
            answers[413] = error(
                413,
                f"The request body is larger than {self.view.max_body_bytes:,} bytes.",
                messages.PAYLOAD_TOO_LARGE,
            )
            answers[415] = error(
                415, "The body is not JSON (`application/json`).", messages.UNSUPPORTED_MEDIA_TYPE
            )
        if self.view.throttle_classes:
            answers[429] = error(429, TOO_MANY_REQUESTS_TEXT, messages.TOO_MANY_REQUESTS)
        answers[500] = error(500, "Unexpected error (no internals are given).", messages.INTERNAL)
        return answers


class PublicExportAutoSchema(SurfaceAutoSchema):
    def plumbing_answers(self) -> dict:
        return {500: error(500, "Unexpected error (no internals are given).", messages.INTERNAL)}


# ---- the headers as security schemes -------------------------------------------------------------

BEARER = "ExportBearerJWT"
AUTH_CONTEXT = "ExportAuthContext"
CLIENT_IP = "ExportClientIP"
API_KEY = "ExportApiKey"


class ExportAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents ExportAuthentication: the bearer token, x-auth-context and x-ip on every call, and
    x-api-key optionally beside them (two requirements: without and with it)."""

    target_class = ExportAuthentication
    name = [BEARER, AUTH_CONTEXT, CLIENT_IP, API_KEY]

    def get_security_requirement(self, auto_schema):
        required = {BEARER: [], AUTH_CONTEXT: [], CLIENT_IP: []}
        return [required, {**required, API_KEY: []}]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": (
                    "The access token (`data.token`) of `POST /api/v1/account/login`: the platform "
                    "API's own, with its expiry and revocation. A refresh token is refused."
                ),
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "x-auth-context",
                "description": (
                    'A JSON object: `{"api_access": true, "api_code": "<API_CODE>"}`, the '
                    "company's messages api_code (support issues it; rotating it ends the old "
                    "one). Send it with `authorization: Bearer <token>`, the access token of "
                    "`POST /api/v1/account/login`."
                ),
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "x-ip",
                "description": "Your client's IP address (IPv4 or IPv6), kept for the audit.",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "x-api-key",
                "description": "Optional: an API key of the same company, checked when sent.",
            },
        ]

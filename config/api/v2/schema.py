"""OpenAPI of campaign API v2 (/v2/campaign/), for drf-spectacular: plain JSON answers, the
`{"error": "<text>"}` of every failure, and the `X-API-Key` header.

Each app words its own operations (`<app>/api/v2/schema.py`) with `operation`, `ok` and `error`;
`V2AutoSchema` adds the answers the plumbing gives (401, 413, 415, 429, 500) in the words of
config.api.v2.messages, and error examples are built by the exception handler's own
`error_response`, so the schema cannot say one thing while the handler says another."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from config.api.schema import SurfaceAutoSchema, slug
from config.api.v2 import messages
from config.api.v2.authentication import ApiKeyAuthentication
from config.api.v2.errors import TEXT
from config.api.v2.exceptions import error_response

API_KEY_SCHEME = "V2ApiKey"
# DELETE reads its {id} from a body too (or from ?id=).
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(
        help_text="What went wrong, in lower case; a bad input reads `invalid request: <what>`."
    )

    class Meta:
        ref_name = "V2Error"


def example(title: str, value) -> OpenApiExample:
    return OpenApiExample(slug(title), summary=title, value=value)


def ok(shape, *examples: OpenApiExample, description: str) -> OpenApiResponse:
    return OpenApiResponse(shape, description=description, examples=list(examples))


def said(code: str) -> str:
    """The text the exception handler answers for the domain error `code`."""
    return TEXT[code][1]


def error(status: int, description: str, *texts: str) -> OpenApiResponse:
    """An `{"error": ...}` answer of `status`, one example per text, as the exception handler
    answers it; the description names each text."""
    examples = [example(text, error_response(status, text).data) for text in texts]
    named = "\n".join(f"- `{text}`" for text in texts)
    return OpenApiResponse(
        ErrorSerializer, description=f"{description}\n\nMessages:\n{named}", examples=examples
    )


class V2AutoSchema(SurfaceAutoSchema):
    """Adds the answers the v2 plumbing gives to every operation that does not word them itself:
    401 (`X-API-Key`), 413 and 415 where a body is read, 429 (rate limits), 500."""

    def plumbing_answers(self) -> dict:
        answers = {
            401: error(
                401,
                "`X-API-Key` missing, unknown or revoked, its user without API access, or its "
                "company inactive.",
                messages.UNAUTHORIZED,
            )
        }
        if self.method in BODY_METHODS:
            limit = self.view.max_body_bytes or settings.API_MAX_BODY_BYTES
            answers[413] = error(
                413, f"The request body is larger than {limit:,} bytes.", messages.PAYLOAD_TOO_LARGE
            )
            answers[415] = error(
                415, "The body is not JSON (`application/json`).", messages.UNSUPPORTED_MEDIA_TYPE
            )
        if self.view.throttle_classes:
            answers[429] = error(
                429,
                "Rate limit exceeded; retry after the seconds the `Retry-After` header gives.",
                messages.TOO_MANY_REQUESTS,
            )
        answers[500] = error(500, "Unexpected error.", messages.INTERNAL)
        return answers

    # drf-spectacular documents a body for POST, PUT and PATCH only (a private hook, like
    # SurfaceAutoSchema's; tests/config/test_openapi.py breaks loudly when an upgrade moves it).
    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Documents ApiKeyAuthentication: the platform API key in the `X-API-Key` header."""

    target_class = ApiKeyAuthentication
    name = API_KEY_SCHEME

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": (
                "The platform API key (the one POST /api/v1/account/login takes), sent as is on "
                "every campaign API v2 call. Rotating the key revokes the old one at once."
            ),
        }

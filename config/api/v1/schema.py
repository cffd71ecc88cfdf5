"""OpenAPI of the platform API, for drf-spectacular: the envelope {success, message, data, errors}
around each answer, examples in the spec's words, and the errors every endpoint can answer.

Each app words its own operations (`<app>/api/v1/schema.py`) with `operation`, `ok` and `error`;
`PlatformAutoSchema` adds the answers that the plumbing gives (401, 403, 429, 500), worded from
the same view attributes the exception handler reads, so the schema cannot say one thing while
the handler says another."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

from config.api.schema import SurfaceAutoSchema, slug
from config.api.schema import operation as operation
from config.api.schema import path_id as path_id
from config.api.schema import query as query
from config.api.v1 import messages
from config.api.v1.pagination import MAX_OFFSET

_envelopes: dict[str, type] = {}


def _envelope_serializer(name: str, data, *, message_nullable: bool):
    if name not in _envelopes:
        fields = {
            "success": serializers.BooleanField(),
            "message": serializers.CharField(allow_null=message_nullable),
            "data": data if data is not None else serializers.JSONField(allow_null=True),
            "errors": serializers.ListField(child=serializers.CharField(), allow_null=True),
        }
        _envelopes[name] = inline_serializer(name=name, fields=fields)
    return _envelopes[name]


def example(title: str, message: str | None, data=None) -> OpenApiExample:
    """A successful answer (`success: true`) with the spec's `message` and `data`."""
    value = {"success": True, "message": message, "data": data, "errors": None}
    return OpenApiExample(slug(title), summary=title, value=value)


def ok(name: str, data, *examples: OpenApiExample, description: str, message_nullable: bool = False):
    """The success answer: the envelope named `name` around `data` (a serializer or field; give
    it allow_null=True where a business-rule outcome answers data null), with its examples."""
    return OpenApiResponse(
        _envelope_serializer(name, data, message_nullable=message_nullable),
        description=description,
        examples=list(examples),
    )


def error(description: str, *outcomes: str | tuple[str, list[str] | None]) -> OpenApiResponse:
    """An error answer, with one example per message the API answers with it: a message (its
    `errors` the status's reason, as the exception handler gives it) or (message, errors)."""
    examples, named = [], []
    for outcome in outcomes:
        message, errors = outcome if isinstance(outcome, tuple) else (outcome, None)
        named.append(message)
        value = {"success": False, "message": message, "data": None, "errors": errors}
        examples.append(OpenApiExample(slug(message), summary=message, value=value))
    text = description + ("\n\nMessages:\n" + "\n".join(f"- `{m}`" for m in named) if named else "")
    envelope = _envelope_serializer("ErrorEnvelope", None, message_nullable=False)
    return OpenApiResponse(envelope, description=text, examples=examples)


def with_reason(status: int, *outcomes: str) -> tuple[tuple[str, list[str]], ...]:
    """Messages whose `errors` is the status's reason, as the exception handler answers them."""
    return tuple((message, [messages.REASONS[status]]) for message in outcomes)


class PlatformAutoSchema(SurfaceAutoSchema):
    """Adds the answers the plumbing gives to every operation that does not word them itself:
    401 and 403 where the view authenticates (its `unauthenticated_message` and
    `permission_denied_message`), 429 where it is rate limited, 500 (its `unexpected_message`)."""

    def plumbing_answers(self) -> dict:
        view = self.view
        answers = {}
        if view.authentication_classes:
            answers[401] = error(
                "Missing, invalid or expired access token (or a claim it needs).",
                *with_reason(401, view.unauthenticated_message),
            )
            answers[403] = error(
                "Authenticated, but the role lacks the right this endpoint needs.",
                *with_reason(403, view.permission_denied_message),
            )
        if view.throttle_classes:
            answers[429] = error(
                "Rate limit exceeded; retry after the seconds the Retry-After header gives.",
                *with_reason(429, messages.TOO_MANY_REQUESTS),
            )
        answers[500] = error("Unexpected server error.", *with_reason(500, view.unexpected_message))
        return answers


def paged(name: str, item, *, key: str = "data"):
    """A page of a list ({total, offset, limit, hasMore, nextOffset, <key>}) of `item` serializers."""
    return inline_serializer(
        name=name,
        fields={
            "total": serializers.IntegerField(min_value=0),
            "offset": serializers.IntegerField(min_value=0),
            "limit": serializers.IntegerField(min_value=0),
            "hasMore": serializers.BooleanField(),
            "nextOffset": serializers.IntegerField(allow_null=True, min_value=0),
            key: item(many=True),
        },
    )


def blank_or(schema: dict) -> dict:
    """`schema`, or a blank value (which the API takes as the parameter's default)."""
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


OFFSET = query(
    "offset",
    blank_or({"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}),
    "Number of records to skip before returning results. Default is 0.",
)
# A GUID in a body, or nothing (blank or null).
OPTIONAL_GUID = {
    "anyOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}],
    "nullable": True,
}

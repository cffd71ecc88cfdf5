"""OpenAPI helpers every API surface shares, for drf-spectacular: one operation's extend_schema,
path and query parameters, example names, and an AutoSchema that adds the answers a surface's
plumbing gives. Each surface words its own envelope and errors (config/api/<surface>/schema.py)."""

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiRequest, extend_schema

from config.api.idempotency import HEADER, WRITE_METHODS


def slug(text: str) -> str:
    """An example's key: the words of its title, joined in CamelCase."""
    words = re.sub(r"[^A-Za-z0-9]+", " ", text).split()
    return "".join(word[:1].upper() + word[1:] for word in words)[:60] or "Example"


def operation(
    *,
    operation_id: str,
    tag: str,
    summary: str,
    description: str,
    responses: dict,
    request=None,
    request_examples: dict | None = None,
    parameters: list | None = None,
):
    """extend_schema for one operation. `request`: its JSON body (a serializer), or {media type:
    serializer}; None for no body. `request_examples` maps a title to a body."""
    body = None
    if request is not None:
        examples = [
            OpenApiExample(slug(title), summary=title, value=value, request_only=True)
            for title, value in (request_examples or {}).items()
        ]
        # JSON unless said otherwise: the parsers also take forms, but a form cannot carry the
        # nested lists and objects most bodies have, and the spec sends JSON.
        media_types = request if isinstance(request, dict) else {"application/json": request}
        body = {media: OpenApiRequest(shape, examples=examples) for media, shape in media_types.items()}
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        tags=[tag],
        request=body,
        parameters=parameters or [],
        responses=responses,
    )


def query(name: str, schema: dict, description: str, *, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(name, schema, OpenApiParameter.QUERY, required=required, description=description)


def path_id(name: str, description: str) -> OpenApiParameter:
    """A GUID in the path; a malformed one is answered like a missing object (404)."""
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


class SurfaceAutoSchema(AutoSchema):
    """Adds `plumbing_answers()` (status -> OpenApiResponse: what the surface's authentication,
    rate limits and exception handler answer) to every operation that does not word them itself."""

    # drf-spectacular's extend_schema replaces get_response_serializers, so the answers are added
    # where the response bodies are built (private hooks; tests/config/test_openapi.py breaks
    # loudly when an upgrade moves them).
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if self.method == "OPTIONS":
            return bodies
        for code, response in self.plumbing_answers().items():
            if str(code) not in bodies:
                bodies[str(code)] = self._get_response_for_code(response, str(code), direction=direction)
        return dict(sorted(bodies.items()))

    def plumbing_answers(self) -> dict:
        return {}

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, IDEMPOTENCY_KEY] if self._takes_idempotency_key() else parameters

    def _takes_idempotency_key(self) -> bool:
        # Views whose callers bring no credential (logins, signed links) take no key.
        return (
            self.method in WRITE_METHODS
            and getattr(self.view, "takes_idempotency_key", False)
            and bool(self.view.get_authenticators())
        )


IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Optional: 1 to 255 visible ASCII characters naming this request, so that it may be sent "
        "again safely. A repeat with the same key, method, path and body within "
        "IDEMPOTENCY_TTL_HOURS (24) does not run again: it gets the first answer (status, body and "
        "headers) with `Idempotent-Replayed: true`. The key with another request is 422; a repeat "
        "while the first still runs is 409 with `Retry-After`; a 5xx answer is not kept, so the key "
        "may be retried. Keys are per company and credential."
    ),
)

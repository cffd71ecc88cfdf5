"""OpenAPI of the services API, for drf-spectacular: the `{"data": ...}` and
`{"data": [...], "meta": {"pagination": ...}}` answers, the Error object `{code, message, items}`,
the paging parameters, and POST /oauth/token/ (django-oauth-toolkit's plain Django view, which
drf-spectacular cannot see, so a postprocessing hook writes it in).

Each app words its own operations (`<app>/api/services/schema.py`) with `operation`, `ok` and
`error`; `ServicesAutoSchema` adds the answers the plumbing gives (401, 413, 415, 429, 500) in the
words of config.api.services.messages, and error examples are built by the exception handler's
own `error_body`, so the schema cannot say one thing while the handler says another."""

import copy

from django.conf import settings
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

from config.api.schema import SurfaceAutoSchema, path_id, query, slug
from config.api.services import messages
from config.api.services.authentication import OAuthClientAuthentication
from config.api.services.exceptions import error_body
from config.api.services.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SERVICE_UUID = path_id(
    "serviceUuid",
    "Service (BM Account) UUID: a workspace of the company the OAuth2 application belongs to "
    "(the one it is bound to, if it is bound to one). Any other is 404.",
)
PAGE_NUMBER = query(
    "page_number",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_NUMBER, "default": 1},
    "Page number. Default value is 1.",
)
PAGE_SIZE = query(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    f"Page size. Default value is {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}.",
)


class ErrorItemSerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text="The input at fault: a body field (`query.segmentation.0`), a query parameter or `body`."
    )
    message = serializers.CharField(help_text="What is wrong with it.")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="A stable machine word for the kind of answer (`invalid_request`, `not_found`, ...)."
    )
    message = serializers.CharField()
    items = ErrorItemSerializer(
        many=True, help_text="One item per bad input; empty when no input is at fault."
    )


class CollectionMetaPaginationLinksSerializer(serializers.Serializer):
    first = serializers.URLField(help_text="Link to the first page.")
    last = serializers.URLField(help_text="Link to the last page.")
    prev = serializers.URLField(allow_null=True, help_text="Link to the previous page; null on the first.")
    next = serializers.URLField(allow_null=True, help_text="Link to the next page; null on the last.")


class CollectionMetaPaginationSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0, help_text="Total number of rows.")
    count = serializers.IntegerField(min_value=0, help_text="Number of rows in the current page.")
    perPage = serializers.IntegerField(min_value=1, help_text="The maximum rows per page.")
    currentPage = serializers.IntegerField(min_value=1, help_text="The current page number.")
    totalPages = serializers.IntegerField(min_value=1, help_text="Total number of pages.")
    links = CollectionMetaPaginationLinksSerializer()


class CollectionMetaSerializer(serializers.Serializer):
    pagination = CollectionMetaPaginationSerializer()


_shapes: dict[str, type] = {}


def _shape(name: str, fields: dict):
    if name not in _shapes:
        _shapes[name] = inline_serializer(name=name, fields=fields)
    return _shapes[name]


def data(name: str, item) -> serializers.Serializer:
    """`{"data": item}`: `item` a serializer instance."""
    return _shape(name, {"data": item})


def collection(name: str, item: type) -> serializers.Serializer:
    """`{"data": [item, ...], "meta": {"pagination": ...}}`: `item` a serializer class."""
    return _shape(name, {"data": item(many=True), "meta": CollectionMetaSerializer()})


def example(title: str, value) -> OpenApiExample:
    return OpenApiExample(slug(title), summary=title, value=value)


def ok(shape, *examples: OpenApiExample, description: str) -> OpenApiResponse:
    return OpenApiResponse(shape, description=description, examples=list(examples))


def error(status: int, description: str, *outcomes: str | tuple[str, list[dict]]) -> OpenApiResponse:
    """An Error answer of `status`, with one example per outcome: a message (no items) or
    (message, items) as the exception handler answers it; the description names each message."""
    examples, named = [], []
    for outcome in outcomes:
        message, items = outcome if isinstance(outcome, tuple) else (outcome, None)
        if message not in named:
            named.append(message)
        title = message if items is None else f"{message} ({', '.join(item['name'] for item in items)})"
        examples.append(example(title, error_body(status, message, items)))
    text = description + "\n\nMessages:\n" + "\n".join(f"- `{m}`" for m in named)
    return OpenApiResponse(ErrorSerializer, description=text, examples=examples)


def invalid(*item_lists: list[dict]) -> OpenApiResponse:
    """400 `Invalid request.`, one example per list of items."""
    outcomes = [(messages.INVALID_REQUEST, items) for items in item_lists]
    return error(400, "Invalid request: each item names an input and what is wrong with it.", *outcomes)


def item(name: str, message: str) -> dict:
    return {"name": name, "message": message}


class ServicesAutoSchema(SurfaceAutoSchema):
    """Adds the answers the services plumbing gives to every operation that does not word them
    itself: 401 (the bearer token), 429 (rate limits), 413 and 415 where a body is read, 500."""

    def plumbing_answers(self) -> dict:
        answers = {
            401: error(
                401,
                "Missing, invalid or expired access token (the `WWW-Authenticate` header says which).",
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
        answers[500] = error(500, "Unexpected error.", messages.UNEXPECTED)
        return answers

    def resolve_serializer(self, serializer, direction, bypass_extensions=False):
        # drf-spectacular documents a PATCH body as partial (DRF's partial_update); these views
        # read it whole, with its required fields.
        if getattr(serializer, "partial", False):
            serializer = copy.copy(serializer)
            serializer.partial = False
        return super().resolve_serializer(serializer, direction, bypass_extensions)


# ---- POST /oauth/token/ ------------------------------------------------------------------------

TOKEN_OPERATION_ID = "oauth_token"
TOKEN_TAG = "services oauth"
CLIENT_BASIC = "OAuth2ClientBasic"
CLIENT_CREDENTIALS = "OAuth2ClientCredentials"


def oauth_scopes() -> dict[str, str]:
    return dict(settings.OAUTH2_PROVIDER["SCOPES"])


def oauth2_security_scheme() -> dict:
    """The services API's OAuth2 scheme (client credentials against POST /oauth/token/)."""
    return {
        "type": "oauth2",
        "description": (
            "OAuth2 client credentials (RFC 6749 section 4.4). Ask support for a client_id and "
            "client_secret, then `POST /oauth/token/` with `grant_type=client_credentials` and the "
            "client's credentials in HTTP Basic (or as the form fields client_id and "
            "client_secret), from an address the application allows. Send the `access_token` "
            "of the answer as `Authorization: Bearer <token>` until it expires (`expires_in` "
            "seconds), then ask for a new one."
        ),
        "flows": {"clientCredentials": {"tokenUrl": reverse("oauth-token"), "scopes": oauth_scopes()}},
    }


class OAuthClientScheme(OpenApiAuthenticationExtension):
    """Documents OAuthClientAuthentication: every services operation needs the `campaigns` scope."""

    target_class = OAuthClientAuthentication
    name = CLIENT_CREDENTIALS

    def get_security_requirement(self, auto_schema):
        return {self.name: list(oauth_scopes())}

    def get_security_definition(self, auto_schema):
        return oauth2_security_scheme()


def _oauth_error(*codes: str) -> dict:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "enum": list(codes), "description": "An RFC 6749 error code."},
            "error_description": {"type": "string", "description": "Sometimes given: a human-readable hint."},
        },
    }


def _oauth_error_response(description: str, codes: dict[str, str]) -> dict:
    return {
        "description": description
        + "\n\nErrors:\n"
        + "\n".join(f"- `{c}`: {why}" for c, why in codes.items()),
        "content": {
            "application/json": {
                "schema": _oauth_error(*codes),
                "examples": {slug(c): {"summary": why, "value": {"error": c}} for c, why in codes.items()},
            }
        },
    }


TOKEN_BAD_REQUEST = {
    "unsupported_grant_type": "grant_type is missing or not one this server knows.",
    "unauthorized_client": "A grant other than client_credentials (authorization_code, password, ...).",
    "invalid_grant": "A password grant naming no user.",
    "invalid_scope": "A scope other than those of the OAuth2 scheme.",
}
TOKEN_UNAUTHORIZED = {
    "invalid_client": (
        "Unknown client, wrong secret, an address the application does not allow, or an inactive company."
    ),
}


def token_operation() -> dict:
    scopes = " ".join(oauth_scopes())
    form = {
        "type": "object",
        "required": ["grant_type"],
        "properties": {
            "grant_type": {"type": "string", "enum": ["client_credentials"]},
            "client_id": {"type": "string", "description": "Unless given in HTTP Basic."},
            "client_secret": {"type": "string", "description": "Unless given in HTTP Basic."},
            "scope": {
                "type": "string",
                "description": f"Space-separated scopes; by default `{scopes}`.",
                "default": scopes,
            },
        },
    }
    token = {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in", "scope"],
        "properties": {
            "access_token": {"type": "string", "description": "Send it as `Authorization: Bearer <token>`."},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer", "minimum": 1, "description": "Seconds the token lives."},
            "scope": {"type": "string", "description": "The granted scopes, space-separated."},
        },
    }
    granted = {
        "access_token": "Z3F9uMfNxx9VftdXCKM0N0K7LR9Nyj",
        "expires_in": settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"],
        "token_type": "Bearer",
        "scope": scopes,
    }
    return {
        "operationId": TOKEN_OPERATION_ID,
        "summary": "Get an access token (client credentials)",
        "description": (
            "Issues an access token for the services API (`/services/`) to a server-side "
            "application, with the OAuth2 client credentials grant only (RFC 6749 section 4.4). "
            "The client authenticates with HTTP Basic (client_id as the user name, client_secret "
            "as the password) or with the form fields client_id and client_secret, from an "
            "address its application allows. Errors are RFC 6749 section 5.2 objects, not the "
            "services API's Error."
        ),
        "tags": [TOKEN_TAG],
        "security": [{CLIENT_BASIC: []}, {}],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": form,
                    "examples": {
                        "HttpBasic": {
                            "summary": "Credentials in HTTP Basic",
                            "value": {"grant_type": "client_credentials"},
                        },
                        "FormFields": {
                            "summary": "Credentials in the form",
                            "value": {
                                "grant_type": "client_credentials",
                                "client_id": "CLIENT_ID",
                                "client_secret": "CLIENT_SECRET",
                            },
                        },
                    },
                }
            },
        },
        "responses": {
            "200": {
                "description": "The access token (sent with `Cache-Control: no-store`).",
                "content": {
                    "application/json": {
                        "schema": token,
                        "examples": {"Token": {"summary": "A bearer token", "value": granted}},
                    }
                },
            },
            "400": _oauth_error_response("The token request is refused.", TOKEN_BAD_REQUEST),
            "401": _oauth_error_response("The client could not be authenticated.", TOKEN_UNAUTHORIZED),
        },
    }


def add_token_endpoint(result, generator, request, public):
    """drf-spectacular postprocessing hook: POST /oauth/token/ and its HTTP Basic scheme."""
    result.setdefault("paths", {})[reverse("oauth-token")] = {"post": token_operation()}
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[CLIENT_BASIC] = {
        "type": "http",
        "scheme": "basic",
        "description": "The OAuth2 client's client_id as the user name and client_secret as the password.",
    }
    schemes.setdefault(CLIENT_CREDENTIALS, oauth2_security_scheme())
    return result

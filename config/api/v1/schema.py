"""OpenAPI shapes of the platform API envelope, for drf-spectacular."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_envelopes: dict[str, type] = {}


def enveloped(name: str, data=None, *, description: str = "") -> OpenApiResponse:
    """The envelope {success, message, data, errors} around `data` (a serializer, or None)."""
    if name not in _envelopes:
        fields = {
            "success": serializers.BooleanField(),
            "message": serializers.CharField(),
            "data": data if data is not None else serializers.JSONField(allow_null=True),
            "errors": serializers.ListField(child=serializers.CharField(), allow_null=True),
        }
        _envelopes[name] = inline_serializer(name=name, fields=fields)
    return OpenApiResponse(_envelopes[name], description=description)


def error(description: str) -> OpenApiResponse:
    return enveloped("ErrorEnvelope", description=description)


AUTH_ERRORS = {
    401: error("Missing, invalid or expired access token."),
    403: error("Authenticated, but the role lacks the right this endpoint needs."),
    429: error("Rate limit exceeded; see Retry-After."),
    500: error("Unexpected server error."),
}

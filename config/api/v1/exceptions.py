"""Turns every exception raised under /api/v1/ into the envelope, with the spec's status and
message. A domain error is worded by its code (config/api/v1/errors.py: the view's
`error_messages`, keyed by code or kind, then the v1 table); views may also name their own 401/403
messages, because the spec words these differently per endpoint."""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.views import set_rollback

from config import errors as domain
from config.api.v1 import messages
from config.api.v1.errors import v1_wording
from config.api.v1.responses import ApiResponse
from config.logging import request_id_var

logger = logging.getLogger("postroom.api")


def exception_handler(exc, context):
    view = context.get("view")
    response = _response_for(exc, view)
    if response is None:
        request = context.get("request")
        logger.exception(
            "Unhandled error in %s %s",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            extra={"request_id": request_id_var.get()},
        )
        response = _error(500, getattr(view, "unexpected_message", messages.UNEXPECTED))
    set_rollback()
    return response


def _response_for(exc, view):
    if isinstance(exc, domain.DomainError):
        status, message, errors = v1_wording(exc, view)
        return ApiResponse(None, message=message, status=status, errors=errors)
    if isinstance(exc, RequestDataTooBig):
        return _error(413, messages.PAYLOAD_TOO_LARGE)
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        response = _error(401, getattr(view, "unauthenticated_message", messages.UNAUTHENTICATED))
        authenticate_header = getattr(exc, "auth_header", None)
        if authenticate_header:
            response["WWW-Authenticate"] = authenticate_header
        return response
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        return _error(403, getattr(view, "permission_denied_message", messages.FORBIDDEN))
    if isinstance(exc, drf.ValidationError):
        return _error(400, messages.VALIDATION_FAILED, flatten_validation_errors(exc.detail))
    if isinstance(exc, drf.ParseError):
        return _error(400, messages.INVALID_REQUEST, [str(exc.detail)])
    if isinstance(exc, Http404 | drf.NotFound):
        return _error(404, messages.NOT_FOUND)
    if isinstance(exc, drf.MethodNotAllowed):
        return _error(405, messages.METHOD_NOT_ALLOWED)
    if isinstance(exc, drf.UnsupportedMediaType):
        return _error(415, messages.UNSUPPORTED_MEDIA_TYPE)
    if isinstance(exc, drf.NotAcceptable):
        return _error(406, messages.NOT_ACCEPTABLE)
    if isinstance(exc, drf.Throttled):
        wait = math.ceil(exc.wait) if exc.wait is not None else 1
        response = _error(429, messages.TOO_MANY_REQUESTS)
        response["Retry-After"] = str(max(wait, 1))
        return response
    if isinstance(exc, drf.APIException):
        return _error(exc.status_code, str(exc.detail))
    return None


def _error(status: int, message: str, errors=None) -> ApiResponse:
    reason = messages.REASONS.get(status, "Error")
    return ApiResponse(None, message=message, status=status, errors=errors or [reason])


def flatten_validation_errors(detail, prefix: str = "") -> list[str]:
    """DRF's nested error detail as the flat list of sentences the envelope carries."""
    if isinstance(detail, dict):
        out = []
        for field, sub in detail.items():
            name = field if field != "non_field_errors" else ""
            out += flatten_validation_errors(sub, f"{prefix}.{name}" if prefix and name else prefix or name)
        return out
    if isinstance(detail, list):
        return [line for item in detail for line in flatten_validation_errors(item, prefix)]
    text = str(detail)
    if prefix and getattr(detail, "code", None) in ("required", "null", "blank"):
        return [f"The {prefix[:1].upper()}{prefix[1:]} field is required."]
    return [f"{prefix}: {text}" if prefix else text]

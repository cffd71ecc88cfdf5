"""Turns every exception raised under /services/ into the spec's Error object:
{"code", "message", "items": [{"name", "message"}]}, with no internals in a 500."""

import logging
import math

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config import errors as domain
from config.api.services import messages
from config.api.services.errors import not_found_message, services_wording
from config.logging import request_id_var

logger = logging.getLogger("postroom.api")


def error_body(status: int, message: str, items=None) -> dict:
    return {"code": messages.CODES.get(status, "error"), "message": message, "items": items or []}


def error_response(status: int, message: str, items=None) -> Response:
    return Response(error_body(status, message, items), status=status)


def exception_handler(exc, context):
    request = context.get("request")
    method = getattr(request, "method", "GET")
    response = _response_for(exc, method)
    if response is None:
        logger.exception(
            "Unhandled error in %s %s",
            method,
            getattr(request, "path", "?"),
            extra={"request_id": request_id_var.get()},
        )
        response = error_response(500, messages.UNEXPECTED)
    set_rollback()
    return response


def _response_for(exc, method: str):
    if isinstance(exc, domain.DomainError):
        return error_response(*services_wording(exc, method))
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        response = error_response(401, messages.UNAUTHORIZED)
        challenge = getattr(exc, "auth_header", None)
        if challenge:
            if isinstance(exc, drf.AuthenticationFailed):
                challenge += ', error="invalid_token"'
            response["WWW-Authenticate"] = challenge
        return response
    if isinstance(exc, drf.PermissionDenied):
        return error_response(404, not_found_message(method))
    if isinstance(exc, drf.ValidationError):
        return error_response(400, messages.INVALID_REQUEST, validation_items(exc.detail))
    if isinstance(exc, drf.ParseError):
        return error_response(400, messages.INVALID_REQUEST, [{"name": "body", "message": str(exc.detail)}])
    if isinstance(exc, Http404 | drf.NotFound):
        return error_response(404, not_found_message(method))
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, messages.PAYLOAD_TOO_LARGE)
    if isinstance(exc, drf.MethodNotAllowed):
        return error_response(405, messages.METHOD_NOT_ALLOWED)
    if isinstance(exc, drf.UnsupportedMediaType):
        return error_response(415, messages.UNSUPPORTED_MEDIA_TYPE)
    if isinstance(exc, drf.Throttled):
        response = error_response(429, messages.TOO_MANY_REQUESTS)
        response["Retry-After"] = str(max(math.ceil(exc.wait or 1), 1))
        return response
    if isinstance(exc, drf.APIException):
        return error_response(exc.status_code, str(exc.detail))
    return None


def validation_items(detail, prefix: str = "") -> list[dict]:
    """DRF's nested error detail as one item per bad field (`query.segmentation.0.rules`)."""
    if isinstance(detail, dict):
        items = []
        for field, sub in detail.items():
            name = "" if field == "non_field_errors" else str(field)
            items += validation_items(sub, f"{prefix}.{name}" if prefix and name else prefix or name)
        return items
    if isinstance(detail, list):
        if detail and all(not isinstance(d, dict | list) for d in detail):
            return [{"name": prefix or "body", "message": str(detail[0])}]
        return [
            item for index, sub in enumerate(detail) for item in validation_items(sub, f"{prefix}.{index}")
        ]
    return [{"name": prefix or "body", "message": str(detail)}]

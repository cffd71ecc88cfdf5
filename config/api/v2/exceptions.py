"""Turns every exception raised under /v2/campaign/ into {"error": "<text>"}, with no internals
in a 500."""

import logging
import math

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config import errors as domain
from config.api.v2 import messages
from config.api.v2.errors import v2_wording
from config.logging import request_id_var

logger = logging.getLogger("postroom.api")


class BadField(drf.APIException):
    """A request field of the wrong type or form: 400 `invalid request: <field>`."""

    status_code = 400

    def __init__(self, field: str):
        super().__init__(messages.invalid(field))


def error_response(status: int, text: str) -> Response:
    return Response({"error": text}, status=status)


def exception_handler(exc, context):
    request = context.get("request")
    response = _response_for(exc)
    if response is None:
        logger.exception(
            "Unhandled error in %s %s",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            extra={"request_id": request_id_var.get()},
        )
        response = error_response(500, messages.INTERNAL)
    set_rollback()
    return response


def _response_for(exc):
    if isinstance(exc, domain.DomainError):
        return error_response(*v2_wording(exc))
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return error_response(401, messages.UNAUTHORIZED)
    if isinstance(exc, drf.PermissionDenied):
        return error_response(403, messages.FORBIDDEN)
    if isinstance(exc, drf.ParseError):
        return error_response(400, messages.invalid("malformed JSON"))
    if isinstance(exc, Http404 | drf.NotFound):
        return error_response(404, messages.NOT_FOUND)
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

"""Turns every exception raised under /v1/ into {"message": "<text>"}, with the spec's status and
text, and no internals in a 500."""

import logging
import math

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config import errors as domain
from config.api.export import messages
from config.api.export.errors import export_wording
from config.logging import request_id_var

logger = logging.getLogger("postroom.api")


class Refused(drf.APIException):
    """An answer of the surface's own (a header or a field the views refuse): its status and
    text, as the spec words them."""

    status_code = 400
    text = messages.BAD_REQUEST

    def __init__(self):
        super().__init__(self.text)


class AuthError(Refused):
    """The bearer token is missing, not ours, expired or revoked, or its user may not use the API."""

    status_code, text = 403, messages.AUTH_ERROR


class Unauthorized(Refused):
    """Any other header problem: x-auth-context, the api_code, x-ip, x-api-key."""

    status_code, text = 403, messages.UNAUTHORIZED


class MissingFields(Refused):
    status_code, text = 401, messages.MISSING_FIELDS


class BadRequest(Refused):
    """A body that is no JSON object, or a field of the wrong type."""


class InvalidExportOption(Refused):
    status_code, text = 401, messages.INVALID_EXPORT_OPTION


class FileNotFound(Refused):
    """A file_num that names no page (negative, fractional, not a number)."""

    status_code, text = 404, messages.FILE_NOT_FOUND


class LinkRefused(Refused):
    """A download token that cannot be ours (the domain refuses the rest alike)."""

    status_code, text = 403, messages.DOWNLOAD_REFUSED


def error_response(status: int, text: str) -> Response:
    return Response({"message": text}, status=status)


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
    if isinstance(exc, Refused):
        return error_response(exc.status_code, exc.text)
    if isinstance(exc, domain.DomainError):
        return error_response(*export_wording(exc))
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return error_response(403, messages.AUTH_ERROR)
    if isinstance(exc, drf.PermissionDenied):
        return error_response(403, messages.UNAUTHORIZED)
    if isinstance(exc, drf.ParseError):
        return error_response(400, messages.BAD_REQUEST)
    if isinstance(exc, Http404 | drf.NotFound):
        return error_response(404, messages.NOT_FOUND)
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, messages.PAYLOAD_TOO_LARGE)
    if isinstance(exc, drf.MethodNotAllowed):
        return error_response(405, messages.METHOD_NOT_ALLOWED)
    if isinstance(exc, drf.NotAcceptable):
        return error_response(406, messages.NOT_ACCEPTABLE)
    if isinstance(exc, drf.UnsupportedMediaType):
        return error_response(415, messages.UNSUPPORTED_MEDIA_TYPE)
    if isinstance(exc, drf.Throttled):
        response = error_response(429, messages.TOO_MANY_REQUESTS)
        response["Retry-After"] = str(max(math.ceil(exc.wait or 1), 1))
        return response
    if isinstance(exc, drf.APIException):
        return error_response(exc.status_code, str(exc.detail))
    return None

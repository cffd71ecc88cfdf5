"""Answers that happen outside a DRF view (unknown route, a crash in middleware) still speak
the platform envelope."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.v1 import messages
from config.api.v1.responses import envelope


def envelope_response(status: int, message: str) -> JsonResponse:
    body = envelope(success=False, message=message, errors=[messages.REASONS.get(status, "Error")])
    return JsonResponse(body, status=status)


@csrf_exempt
def route_not_found(request, *args, **kwargs):
    return envelope_response(404, messages.NOT_FOUND)


def server_error(request, *args, **kwargs):
    return envelope_response(500, messages.UNEXPECTED)

"""Answers outside a DRF view (an unknown route, a crash in middleware) in the Error shape."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.services import messages
from config.api.services.exceptions import error_body


@csrf_exempt
def route_not_found(request, *args, **kwargs):
    return JsonResponse(error_body(404, messages.RESOURCE_NOT_FOUND), status=404)


def server_error(request, *args, **kwargs):
    return JsonResponse(error_body(500, messages.UNEXPECTED), status=500)

"""Answers outside a DRF view (an unknown route, a crash in middleware) as {"error": ...}."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.v2 import messages


@csrf_exempt
def route_not_found(request, *args, **kwargs):
    return JsonResponse({"error": messages.NOT_FOUND}, status=404)


def server_error(request, *args, **kwargs):
    return JsonResponse({"error": messages.INTERNAL}, status=500)

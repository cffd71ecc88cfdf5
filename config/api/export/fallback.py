"""Answers outside a DRF view (an unknown route, a crash in middleware) as {"message": ...}."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.export import messages


@csrf_exempt
def route_not_found(request, *args, **kwargs):
    return JsonResponse({"message": messages.NOT_FOUND}, status=404)


def server_error(request, *args, **kwargs):
    return JsonResponse({"message": messages.INTERNAL}, status=500)

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as real_urlpatterns


class BareView(APIView):
    """The baseline: a DRF endpoint with no auth, no database, returning a constant."""

    authentication_classes = []
    permission_classes = []

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"ok": True})


urlpatterns = [path("bench/bare", BareView.as_view()), *real_urlpatterns]

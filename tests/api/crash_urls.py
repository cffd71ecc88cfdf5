"""The real URLs plus two views that fail on purpose, to test the 500 answers."""

from django.urls import path

from config import urls as real_urls
from config.api.export.views import PublicExportAPIView
from config.api.v1.views import PlatformAPIView


class CrashingView(PlatformAPIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise RuntimeError("secret internals: password=hunter2")


class CrashingExportView(PublicExportAPIView):
    def get(self, request):
        raise RuntimeError("secret internals: password=hunter2")


def crashing_django_view(request):
    raise RuntimeError("secret internals outside DRF")


urlpatterns = [
    path("api/v1/_test/crash", CrashingView.as_view()),
    path("api/v1/_test/crash-plain", crashing_django_view),
    path("v1/_test/crash", CrashingExportView.as_view()),
    path("v1/_test/crash-plain", crashing_django_view),
    *real_urls.urlpatterns,
]
handler500 = real_urls.handler500

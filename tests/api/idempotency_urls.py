"""The real URLs plus a platform API view that fails on its first call and answers 201 after,
as a request whose first attempt met a passing fault (a 5xx) would."""

from django.urls import path

from config import urls as real_urls
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PlatformAPIView

# Failures still to come; the test sets it, the view takes one per call.
FAILURES: list[int] = []


class FlakyView(PlatformAPIView):
    def post(self, request):
        if FAILURES:
            FAILURES.pop()
            raise RuntimeError("a passing fault")
        return ApiResponse({"done": True}, message="Done", status=201)


urlpatterns = [path("api/v1/_test/flaky", FlakyView.as_view()), *real_urls.urlpatterns]
handler500 = real_urls.handler500

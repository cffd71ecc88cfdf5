"""/v1/: the messages export API, then a catch-all in its error shape (only for paths that begin
with /v1/: the platform API's /api/v1/ and campaign API v2's /v2/ never reach it)."""

from django.urls import re_path

from config.api.export.fallback import route_not_found
from messaging.api.export import urls as messaging_urls

app_name = "export"

urlpatterns = [
    *messaging_urls.urlpatterns,
    re_path(r"^.*$", route_not_found, name="not-found"),
]

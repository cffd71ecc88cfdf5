"""/v2/campaign/: campaign API v2, then a catch-all in its error shape."""

from django.urls import re_path

from config.api.v2.fallback import route_not_found
from messaging.api.v2 import urls as messaging_urls

app_name = "v2"

urlpatterns = [
    *messaging_urls.urlpatterns,
    re_path(r"^.*$", route_not_found, name="not-found"),
]

"""/services/: the message campaigns of a workspace, then a catch-all in the Error shape."""

from django.urls import re_path

from config.api.services.fallback import route_not_found
from messaging.api.services import urls as messaging_urls

app_name = "services"

urlpatterns = [
    *messaging_urls.urlpatterns,
    re_path(r"^.*$", route_not_found, name="not-found"),
]

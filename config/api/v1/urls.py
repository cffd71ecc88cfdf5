"""/api/v1/: each app's platform API routes, then a catch-all so unknown routes get the envelope."""

from django.urls import include, path, re_path

from config.api.v1.fallback import route_not_found

app_name = "v1"

urlpatterns = [
    path("", include("accounts.api.v1.urls")),
    path("", include("billing.api.v1.urls")),
    path("", include("recipients.api.v1.urls")),
    path("", include("files.api.v1.urls")),
    path("", include("templates.api.v1.urls")),
    path("", include("campaigns.api.v1.urls")),
    re_path(r"^.*$", route_not_found, name="not-found"),
]

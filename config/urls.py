from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView

from config import admin_files, health, metrics
from config.api.export import fallback as export_fallback
from config.api.services import fallback as services_fallback
from config.api.v1 import fallback as v1_fallback
from config.api.v2 import fallback as v2_fallback
from messaging.api.receipts import views as receipts_views

# The back office names itself, and "View site" opens the API documentation (there is no public site).
admin.site.site_header = "Postroom back office"
admin.site.site_title = "Postroom"
admin.site.index_title = "Postroom administration"
admin.site.site_url = reverse_lazy("docs")

urlpatterns = [
    path("api/v1/", include("config.api.v1.urls")),
    path("services/", include("config.api.services.urls")),
    path("v2/campaign/", include("config.api.v2.urls")),
    # The messages export API. Django matches a prefix from the start of the path, so /api/v1/
    # and /v2/ never reach it.
    path("v1/", include("config.api.export.urls")),
    # The services API's OAuth2 token endpoint (client credentials only: accounts.oauth).
    path("oauth/token/", TokenView.as_view(), name="oauth-token"),
    path("messaging/receipts/", receipts_views.receipts_view, name="messaging-receipts"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    # The admin, with its stored-file view (config.admin_files); storage itself is never public.
    path("admin/", admin_files.site_urls(admin.site)),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]


def handler500(request, *args, **kwargs):
    """A crash outside a DRF view: the surface's 500 shape, no internals."""
    if request.path.startswith("/api/v1/"):
        return v1_fallback.server_error(request)
    if request.path.startswith("/services/"):
        return services_fallback.server_error(request)
    if request.path.startswith("/v2/campaign/"):
        return v2_fallback.server_error(request)
    if request.path.startswith("/v1/"):
        return export_fallback.server_error(request)
    return defaults.server_error(request)

"""/api/v1/: each app's platform API routes, then a catch-all so unknown routes get the envelope.

The apps' routes are joined into one flat list rather than included one app after another: a
path that fails an include makes Django record every route it tried (for its 404 page), which
cost more than the matching itself on the busiest endpoints."""

from django.urls import re_path

from accounts.api.v1 import urls as accounts_urls
from billing.api.v1 import urls as billing_urls
from campaigns.api.v1 import urls as campaigns_urls
from config.api.v1.fallback import route_not_found
from files.api.v1 import urls as files_urls
from recipients.api.v1 import urls as recipients_urls
from templates.api.v1 import urls as templates_urls
from webhooks.api.v1 import urls as webhooks_urls

app_name = "v1"

urlpatterns = [
    *accounts_urls.urlpatterns,
    *billing_urls.urlpatterns,
    *recipients_urls.urlpatterns,
    *files_urls.urlpatterns,
    *templates_urls.urlpatterns,
    *campaigns_urls.urlpatterns,
    *webhooks_urls.urlpatterns,
    re_path(r"^.*$", route_not_found, name="not-found"),
]

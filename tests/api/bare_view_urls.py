"""The real URLs plus a view that forgot its surface's base class."""

from django.urls import path

from config import urls as real_urls
from tests.api.test_principal import ForgotItsBase

urlpatterns = [path("api/v1/_test/bare", ForgotItsBase.as_view()), *real_urls.urlpatterns]

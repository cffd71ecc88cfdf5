"""The principal: each surface's authenticator puts one object on the request, and rights, rate
limits and API logging read only that; a view that forgot its surface's base class is refused.
Every route of every surface is classified: public, or the right it needs."""

import pytest
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import api_logging, services
from accounts.principal import SESSION, Principal
from config.api.export.views import ExportAPIView
from config.api.jwt import SessionJWTAuthentication
from config.api.services.views import ServicesAPIView
from config.api.v1.views import PlatformAPIView, PublicPlatformAPIView
from config.api.v2.views import V2APIView
from tests.accounts.factories import UserFactory
from tests.platform_api import assert_envelope, bearer, login

pytestmark = pytest.mark.django_db

BALANCE = "/api/v1/account/balance"
GROUPS = "/api/v1/groups"


def test_a_session_token_yields_its_principal(api_user, tokens):
    # given
    raw = RequestFactory().post(BALANCE, HTTP_AUTHORIZATION=f"Bearer {tokens['token']}")

    # when
    user, principal = SessionJWTAuthentication().authenticate(Request(raw))

    # then
    assert isinstance(principal, Principal) and principal.user == user == api_user
    assert principal.company == api_user.company and principal.workspace is None
    assert principal.credential_kind == SESSION and principal.credential_id
    assert "Balance.Read" in principal.rights and principal.may("Balance.Read")
    assert not principal.may("No.Such.Right") and principal.may(None)


class ForgotItsBase(APIView):
    """A view written without its surface's base class: DRF's defaults alone apply."""

    def get(self, request):
        return Response({"companies": "all of them"})


@pytest.mark.urls("tests.api.bare_view_urls")
def test_a_view_without_a_surface_base_class_is_refused(authed_client):
    response = authed_client.get("/api/v1/_test/bare")
    assert response.status_code == 403 and b"all of them" not in response.content


def test_the_company_rate_limit_is_counted_per_principal_company(api_client, company, api_key, settings):
    # given: two users of one company and one of another, four writes a day per company
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "write": "4/day"}
    colleague = services.api_key_issue(user=UserFactory(company=company)).secret
    stranger = services.api_key_issue(user=UserFactory()).secret
    first, second, third = (bearer(api_client.__class__(), login(api_client.__class__(), key)["token"])
                            for key in (api_key, colleague, stranger))  # fmt: skip

    # when
    ours = [c.post(BALANCE).status_code for c in (first, second, first, second, first, second)]
    theirs = [third.post(BALANCE).status_code for _ in range(2)]

    # then: the company's budget is shared by its users; another company has its own
    assert ours == [200, 200, 200, 200, 429, 429]
    assert theirs == [200, 200]


def test_api_logging_records_the_principal(authed_client, company, staff_user, api_user, tokens):
    from datetime import timedelta

    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    assert_envelope(authed_client.post(BALANCE), 200)
    api_logging.flush()

    from accounts.models import ApiLogEntry

    entry = ApiLogEntry.unscoped.get(company=company)
    assert entry.user_id == api_user.pk and entry.session_id is not None


# ---- every route of every surface is classified -------------------------------------------------

# Routes anyone may call; everything else names the right it needs, per method.
PUBLIC = {
    "v1:account-login", "v1:account-refresh", "v1:not-found", "services:not-found", "v2:not-found", "schema",
    "docs", "export:not-found", "export:messages-download",
}  # fmt: skip
SURFACE_BASES = (PlatformAPIView, ServicesAPIView, V2APIView, ExportAPIView)
SURFACE_PREFIXES = ("api/v1/", "services/", "v2/", "v1/")


def routes(patterns=None, namespace="", prefix=""):
    """(route name, view class or None for a plain view) of every DRF view the project serves,
    and of every plain view under a surface's prefix."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry.url_patterns, inner, route)
            continue
        view_class = getattr(entry.callback, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            yield f"{namespace}{entry.name}", view_class
        elif route.startswith(SURFACE_PREFIXES):
            yield f"{namespace}{entry.name}", None


def rights_by_method(view_class) -> dict[str, str | None]:
    rights = {}
    for method in view_class.http_method_names:
        if method in ("options", "head") or not hasattr(view_class, method):
            continue
        view = view_class()
        view.request = Request(RequestFactory().generic(method.upper(), "/"))
        rights[method] = view.get_required_right()
    return rights


def test_every_route_of_every_surface_is_public_or_names_its_right():
    served = dict(routes())
    assert "v1:account-balance" in served
    unclassified = []
    for name, view_class in sorted(served.items()):
        if name in PUBLIC:
            continue
        if view_class is None or not issubclass(view_class, SURFACE_BASES):
            unclassified.append(f"{name}: no surface base class, and not listed as public")
        elif issubclass(view_class, PublicPlatformAPIView):
            unclassified.append(f"{name}: a public base class, but not listed as public")
        elif missing := [method for method, right in rights_by_method(view_class).items() if not right]:
            unclassified.append(f"{name}: no right for {missing}")
    assert not unclassified, unclassified
    assert set(served) >= PUBLIC, f"stale public names: {PUBLIC - set(served)}"

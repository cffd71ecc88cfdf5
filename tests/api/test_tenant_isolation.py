"""The tenant sweep: every /api/v1/ route that names an object (in its path, query or body) is
called with an object of ANOTHER company, and must answer 404 exactly like a missing object.

Adding a route forces a decision here: it either gets a sweep case in FOREIGN_ID_CASES or is
listed in TAKES_NO_OBJECT_ID (and then reads nothing but the caller's own company).
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.platform_api import assert_envelope


@dataclass(frozen=True)
class ForeignIdCase:
    method: str
    # Builds the request for a route, given an object created in another company:
    # returns (path, data) for the client call.
    request: Callable[[object], tuple[str, dict | None]]
    # Creates the foreign object (receives the other company).
    make_foreign: Callable[[object], object]
    message: str | None = None


FOREIGN_ID_CASES: dict[str, ForeignIdCase] = {}

TAKES_NO_OBJECT_ID = {
    "v1:account-login",
    "v1:account-refresh",
    "v1:account-balance",
    "v1:not-found",
}


def api_v1_route_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if str(entry.pattern).startswith("api/v1/") or namespace:
                names |= api_v1_route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and namespace.startswith("v1:"):
            assert entry.name, f"every /api/v1/ route needs a name: {entry.pattern}"
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_platform_route_is_classified_for_the_sweep():
    routes = api_v1_route_names()
    assert routes, "the walk found no /api/v1/ routes"
    unclassified = routes - set(FOREIGN_ID_CASES) - TAKES_NO_OBJECT_ID
    assert not unclassified, f"add a tenant-sweep case (or classify) for: {sorted(unclassified)}"
    assert not (set(FOREIGN_ID_CASES) | TAKES_NO_OBJECT_ID) - routes, "stale names in the sweep"


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(FOREIGN_ID_CASES))
def test_another_companys_object_is_404(route, authed_client, other_company):
    case = FOREIGN_ID_CASES[route]
    path, data = case.request(case.make_foreign(other_company))
    response = getattr(authed_client, case.method)(path, data, format="json")
    assert_envelope(response, 404, case.message)

"""The tenant sweep of /v2/campaign/: every route is called with another company's campaign,
message and template, and answers exactly as for a missing one. A new route fails the
classification test until it has cases."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts import services as account_services
from messaging.models import Message
from tests.accounts.factories import CompanyFactory, UserFactory
from tests.messaging.gateway import Answer
from tests.messaging.test_api_v2 import CLIENTS, call, create
from tests.templates.factories import WHATSAPP_JSON, MessageTemplateFactory

pytestmark = pytest.mark.django_db

MISSING_ID = 9_000_000_000
MISSING_KEY = "0" * 30


def v2_route_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= v2_route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and namespace.startswith("v2:"):
            names.add(f"{namespace}{entry.name}")
    return names


def client_of(company) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_X_API_KEY=account_services.api_key_issue(user=UserFactory(company=company)).secret
    )
    return client


@pytest.fixture
def foreign(via_gateway) -> dict:
    """Another company's campaign (sent, its messages failed) and template."""
    company = CompanyFactory()
    via_gateway.answer = lambda request: Answer(status=400)
    campaign = create(client_of(company), JSON=WHATSAPP_JSON).json()
    return {
        "id": campaign["ID"],
        "key": Message.unscoped.filter(company=company).first().message_key,
        "template": str(MessageTemplateFactory(company=company).pk),
    }


# route -> (method, path, body) for an object id; the same request with a missing id must answer alike.
CASES = {
    "v2:create": lambda ids: (
        "post",
        "create",
        {"name": "x", "clients": CLIENTS, "TempMsgID": ids["template"]},
    ),
    "v2:campaign-messages": lambda ids: ("get", f"getCampMsgs?campaignID={ids['id']}", None),
    "v2:resend": lambda ids: ("post", "resendMsg", {"messageKey": ids["key"]}),
    "v2:update": lambda ids: ("put", "update", {"id": ids["id"], "name": "x"}),
    "v2:delete": lambda ids: ("delete", "delete", {"id": ids["id"]}),
}
# Lists: another company's campaigns never show.
LISTS = {"v2:get-all"}
NOT_AN_OBJECT_ROUTE = {"v2:not-found"}


def test_every_v2_route_is_swept():
    assert v2_route_names() == set(CASES) | LISTS | NOT_AN_OBJECT_ROUTE


@pytest.mark.parametrize("route", sorted(CASES))
def test_another_companys_object_answers_as_a_missing_one(route, company, foreign):
    ours = client_of(company)
    missing = {"id": MISSING_ID, "key": MISSING_KEY, "template": "c8630dcb-dc36-4968-8ca4-26a78893c1e6"}

    theirs = call(ours, *CASES[route](foreign))
    absent = call(ours, *CASES[route](missing))

    assert theirs.status_code in (400, 404)
    assert (theirs.status_code, theirs.json()) == (absent.status_code, absent.json())


def test_another_companys_campaigns_are_not_listed(company, foreign):
    assert call(client_of(company), "get", "getAll").json() == {"Campaigns": [], "Total": 0}

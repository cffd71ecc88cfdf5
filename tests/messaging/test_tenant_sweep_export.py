"""The tenant sweep of /v1/ (the messages export API): every route that names a campaign is
called with another company's campaign, by its UUID and by its campaign API v2 ID, and answers
exactly as for a missing one; the list shows none of theirs; the signed download opens only
what its own signature covers. A new route fails the classification test until it has cases."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts import services as account_services
from messaging.models import MessageExport
from tests.accounts.factories import CompanyFactory, UserFactory
from tests.export_api import BASE, answer, call, export_client
from tests.messaging.test_export_api import fired_campaign
from tests.platform_api import login

pytestmark = pytest.mark.django_db

MISSING_UUID = "00000000-0000-0000-0000-000000000000"
MISSING_NUMBER = 9_000_000_000


def export_route_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= export_route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and namespace.startswith("export:"):
            names.add(f"{namespace}{entry.name}")
    return names


# route -> the body naming a campaign; the same body naming a missing one must answer alike.
CASES = {
    "export:messages-publish": lambda campaign_id: ("messages/publish", {"campaign_id": campaign_id}),
    "export:messages-pages": lambda campaign_id: ("messages/pages", {"campaign_id": campaign_id}),
    "export:messages-fetch": lambda campaign_id: (
        "messages/fetch",
        {"campaign_id": campaign_id, "file_num": 0, "export_type": "json"},
    ),
}
LISTS = {"export:campaign-all"}
SIGNED = {"export:messages-download"}  # the signature is the credential: see the tests below
NOT_AN_OBJECT_ROUTE = {"export:not-found"}


def test_every_export_route_is_swept():
    assert export_route_names() == set(CASES) | LISTS | SIGNED | NOT_AN_OBJECT_ROUTE


def client_of(company) -> APIClient:
    user = UserFactory(company=company)
    token = login(APIClient(), account_services.api_key_issue(user=user).secret)["token"]
    return export_client(token, account_services.messages_api_code_rotate(company=company))


@pytest.fixture
def foreign() -> dict:
    """Another company's published campaign, its client and its v2 ID (if it has one)."""
    company = CompanyFactory()
    campaign = fired_campaign(company)
    theirs = client_of(company)
    assert call(theirs, "messages/publish", {"campaign_id": str(campaign.pk)}).status_code == 202
    return {"company": company, "campaign": campaign, "client": theirs}


@pytest.mark.parametrize("route", sorted(CASES))
def test_another_companys_campaign_answers_as_a_missing_one(route, company, foreign):
    ours = client_of(company)
    jobs_before = MessageExport.unscoped.count()

    theirs = answer(call(ours, *CASES[route](str(foreign["campaign"].pk))))
    absent = answer(call(ours, *CASES[route](MISSING_UUID)))
    absent_number = answer(call(ours, *CASES[route](MISSING_NUMBER)))

    assert theirs == absent == absent_number == (404, {"message": "Campaign not found."})
    assert MessageExport.unscoped.count() == jobs_before


def test_another_companys_campaigns_are_not_listed(company, foreign):
    workspaces = call(client_of(company), "campaign/all").json()["data"]
    assert workspaces and all(workspace["campaigns"] == [] for workspace in workspaces)


def test_a_download_link_names_its_own_page_only(company, foreign):
    body = {"campaign_id": str(foreign["campaign"].pk), "file_num": 0, "export_type": "url"}
    url = call(foreign["client"], "messages/fetch", body).json()["data"]
    token = url.rsplit("/", 1)[1]
    value, rest = token.split(":", 1)

    # The link opens its page for whoever holds it (it is the credential) ...
    assert APIClient().get(url).status_code == 200
    # ... and a token whose signed part is changed (another company, another page) opens nothing.
    for altered in (value[:-1] + ("A" if value[-1] != "A" else "B"), value + "AA", "e30"):
        response = APIClient().get(f"{BASE}messages/download/{altered}:{rest}")
        assert answer(response) == (403, {"message": "Download link expired or invalid."})

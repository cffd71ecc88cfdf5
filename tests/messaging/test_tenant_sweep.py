"""The tenant sweep of /services/: every route is called with another company's workspace,
campaign, group and clone source, and answers exactly as for a missing one (404, or the 400 item
of an unknown id in the body). A new route fails the classification test until it has cases."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.selectors import default_workspace
from messaging.services import CampaignFields, message_campaign_create
from tests.accounts.factories import CompanyFactory
from tests.recipients.factories import RecipientGroupFactory

pytestmark = pytest.mark.django_db

ZERO = "00000000-0000-0000-0000-000000000000"


def services_route_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= services_route_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and namespace.startswith("services:"):
            names.add(f"{namespace}{entry.name}")
    return names


SWEPT = {"services:campaigns", "services:campaign"}
NOT_AN_OBJECT_ROUTE = {"services:not-found"}


def test_every_services_route_is_swept():
    assert services_route_names() == SWEPT | NOT_AN_OBJECT_ROUTE


@pytest.fixture
def foreign():
    """Another company's workspace, group and message campaign."""
    company = CompanyFactory()
    workspace = default_workspace(company=company)
    group = RecipientGroupFactory(company=company)
    campaign = message_campaign_create(
        company=company,
        workspace=workspace,
        data=CampaignFields(
            name="Theirs", status="draft", sending_type="sms", schedule_type="now", template="Hi",
            sender="X", recipient_lists=[str(group.pk)],
        ),
    )  # fmt: skip
    return {"workspace": workspace, "group": group, "campaign": campaign}


def payload(group_id, **extra):
    return {
        "name": "N", "status": "draft", "sending_type": "sms", "schedule_type": "now", "template": "Hi",
        "sender": "X", "recipient_lists": str(group_id), **extra,
    }  # fmt: skip


def test_another_companys_workspace_is_404_on_every_method(client, group, foreign):
    base = f"/services/{foreign['workspace'].pk}/campaigns"
    one = f"{base}/{foreign['campaign'].pk}"

    assert client.get(base).status_code == 404
    assert client.post(base, payload(group.pk), format="json").status_code == 404
    for method in ("get", "put", "patch", "delete"):
        response = getattr(client, method)(one, payload(group.pk), format="json")
        assert response.status_code == 404, method


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_companys_campaign_in_my_workspace_is_404_like_a_missing_one(
    client, campaigns_url, group, foreign, method
):
    theirs = getattr(client, method)(
        f"{campaigns_url}/{foreign['campaign'].pk}", payload(group.pk), format="json"
    )
    missing = getattr(client, method)(f"{campaigns_url}/{ZERO}", payload(group.pk), format="json")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    foreign["campaign"].refresh_from_db()


def test_another_companys_group_or_clone_source_is_an_unknown_id(client, campaigns_url, foreign):
    by_group = client.post(campaigns_url, payload(foreign["group"].pk), format="json")
    by_clone = client.post(campaigns_url, {"clone_uuid": str(foreign["campaign"].pk)}, format="json")

    assert by_group.status_code == by_clone.status_code == 400
    assert by_group.json()["items"][0]["name"] == "recipient_lists"
    assert by_clone.json()["items"][0]["name"] == "clone_uuid"


def test_the_list_shows_only_my_workspaces_campaigns(client, campaigns_url, foreign):
    assert client.get(campaigns_url).json()["data"] == []

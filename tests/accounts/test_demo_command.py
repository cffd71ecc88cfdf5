import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Company, Workspace
from tests.platform_api import assert_envelope, bearer, login

pytestmark = pytest.mark.django_db


def _demo() -> dict:
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_demo_creates_a_new_working_company_each_call(api_client):
    # when
    first, second = _demo(), _demo()

    # then
    assert first["company_id"] != second["company_id"]
    assert Company.objects.filter(pk__in=[first["company_id"], second["company_id"]]).count() == 2
    tokens = login(api_client, first["api_key"])
    body = assert_envelope(bearer(api_client, tokens["token"]).post("/api/v1/account/balance"), 200)
    assert Decimal(str(body["data"]["Balance"])) == Decimal("10000.00")
    assert body["data"]["CurrencyCode"] == "GBP"
    groups = assert_envelope(api_client.get("/api/v1/groups"), 200)["data"]["data"]
    assert [g["id"] for g in groups] == [first["default_group_id"]]
    assert groups[0]["recipientCount"] == 50
    recipients = assert_envelope(api_client.get("/api/v1/recipients", {"limit": 1000}), 200)["data"]
    assert recipients["total"] == 50 and len(recipients["data"]) == 50


def test_demo_has_a_template_per_format_and_a_campaign_in_preview(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        demo = _demo()
    client = bearer(api_client, login(api_client, demo["api_key"])["token"])
    templates = assert_envelope(client.get("/api/v1/template"), 200)["data"]
    assert sorted(i["id"] for i in templates["items"]) == sorted(demo["template_ids"])
    assert (
        len({(i["pageSize"], i["pageOrientation"], i["windowGummedCode"]) for i in templates["items"]}) == 10
    )
    campaigns = assert_envelope(client.get("/api/v1/campaigns"), 200)["data"]["items"]
    assert [(c["campaignId"], c["status"], c["recipientCount"]) for c in campaigns] == [
        (demo["campaign_id"], "Preview", 50)
    ]
    assert client.get(f"/api/v1/campaigns/{demo['campaign_id']}/preview").status_code == 200


def test_demo_company_has_one_default_workspace_printed_as_service_uuid():
    # when
    demo = _demo()

    # then
    (workspace,) = Workspace.objects.for_company(Company.objects.get(pk=demo["company_id"]))
    assert workspace.is_default
    assert demo["service_uuid"] == str(workspace.pk)

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Company
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

import base64
import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Company, OAuthApplication, Workspace
from accounts.selectors import messages_api_code_matches
from campaigns.models import Campaign, MessageStatus
from messaging.models import Message
from messaging.services.delivery import messages_deliver_due
from messaging.services.firing import campaigns_fire_due
from recipients.models import Recipient
from templates.models import MessageTemplate
from tests.export_api import call, export_client
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


def test_demo_has_an_oauth_client_of_the_services_api(api_client):
    # when
    demo = _demo()

    # then: its credentials get a token that reads the demo's workspace, and the secret is hashed
    application = OAuthApplication.objects.get(client_id=demo["oauth_client_id"])
    assert str(application.company_id) == demo["company_id"]
    assert check_password(demo["oauth_client_secret"], application.client_secret)
    basic = base64.b64encode(f"{demo['oauth_client_id']}:{demo['oauth_client_secret']}".encode()).decode()
    token = api_client.post(
        "/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert token.status_code == 200, token.content
    listing = APIClient().get(
        f"/services/{demo['service_uuid']}/campaigns",
        HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}",
    )
    assert listing.status_code == 200
    assert [c["uuid"] for c in listing.json()["data"]] == [demo["messages_campaign_id"]]  # the export's


def test_demo_recipients_have_an_email_and_a_mobile_each():
    demo = _demo()

    recipients = Recipient.objects.for_company(Company.objects.get(pk=demo["company_id"]))
    assert recipients.count() == 50
    assert not recipients.filter(email="").exists() and not recipients.filter(mobile="").exists()
    assert len(set(recipients.values_list("mobile", flat=True))) == 50


def test_the_banner_names_the_oauth_client_and_the_messages_walkthrough():
    out = StringIO()
    call_command("demo", "--base-url", "http://127.0.0.1:9000/", stdout=out)

    banner = out.getvalue()
    client_id = re.search(r"OAuth client id: +(\S+)", banner).group(1)
    secret = re.search(r"OAuth client secret: +(\S+) \(shown once\)", banner).group(1)
    assert OAuthApplication.objects.get(client_id=client_id)
    assert (
        f"curl -s -u '{client_id}:{secret}' -d grant_type=client_credentials http://127.0.0.1:9000/oauth/token/"
        in banner
    )
    assert re.search(
        rf"BASE=http://127\.0\.0\.1:9000 CLIENT_ID={client_id} CLIENT_SECRET={secret} SERVICE=\S+ GROUP=\S+ "
        r"examples/messages\.sh",
        banner,
    )


def test_demo_has_a_whatsapp_message_template_with_two_variables():
    demo = _demo()

    template = MessageTemplate.objects.for_company(Company.objects.get(pk=demo["company_id"])).get(
        pk=demo["v2_template_id"]
    )
    assert str(template.company_id) == demo["company_id"]
    assert (template.name, template.language, template.variable_count) == ("order_confirmation", "en_US", 2)
    assert template.body == "Hello {{1}}, your order {{2}} is confirmed."
    message = json.loads(template.json)
    assert message["to"] == "<accountID>" and message["type"] == "template"
    assert message["template"]["name"] == "order_confirmation"
    assert message["template"]["language"] == {"policy": "deterministic", "code": "en_US"}


def test_the_banner_names_the_v2_template():
    out = StringIO()
    call_command("demo", stdout=out)

    template_id = re.search(r"v2 template: +(\S+) \(campaign API v2's TempMsgID", out.getvalue()).group(1)
    assert MessageTemplate.unscoped.get(pk=template_id).name == "order_confirmation"


def test_demo_has_an_sms_campaign_ready_to_publish_through_the_messages_export_api(
    api_client, django_capture_on_commit_callbacks
):
    # given: the demo, with what its commit queues run as a worker would run it
    with django_capture_on_commit_callbacks(execute=True):
        demo = _demo()
    client = export_client(login(api_client, demo["api_key"])["token"], demo["messages_api_code"])

    # when
    listed = call(client, "campaign/all", {})

    # then: its one message campaign, generated for all 50 sample recipients and never sent
    assert listed.status_code == 200, listed.content
    campaigns = [c for workspace in listed.json()["data"] for c in workspace["campaigns"]]
    assert [(c["campaign_id"], c["channel"], c["stage"], c["total_messages"]) for c in campaigns] == [
        (demo["messages_campaign_id"], "sms", "Ready to Publish", 50)
    ]
    campaign = Campaign.unscoped.select_related("message_settings").get(pk=demo["messages_campaign_id"])
    assert campaign.status == MessageStatus.STOPPED and campaign.message_settings.next_at is None
    assert campaigns_fire_due().occurrences == [] and messages_deliver_due().sent == 0
    assert set(Message.unscoped.filter(campaign_id=campaign.pk).values_list("status", flat=True)) == {
        "queued"
    }

    # and: it publishes, and its page holds each recipient's message
    assert call(client, "messages/publish", {"campaign_id": demo["messages_campaign_id"]}).status_code == 202
    body = {"campaign_id": demo["messages_campaign_id"], "file_num": 0, "export_type": "json"}
    rows = call(client, "messages/fetch", body).json()["data"]
    names = Recipient.objects.for_company(campaign.company).values_list("first_name", flat=True)
    assert sorted(row["message"] for row in rows) == sorted(
        f"Hi {name}, 20% off in store this week. Reply STOP to opt out." for name in names
    )


def test_the_demo_api_code_is_the_companys_and_shown_once(api_client):
    demo = _demo()
    company = Company.objects.get(pk=demo["company_id"])

    assert messages_api_code_matches(company=company, api_code=demo["messages_api_code"])
    assert demo["messages_api_code"] not in (company.messages_api_code_hash, company.messages_api_code_prefix)

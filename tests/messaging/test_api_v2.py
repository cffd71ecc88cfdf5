"""Campaign API v2 (/v2/campaign/) through HTTP: the spec's create examples and every rule of its
table with the exact message and in order, the other endpoints, X-API-Key, bad input, counters."""

import json
import re
import uuid
from datetime import UTC, timedelta

import pytest
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from messaging.models import CampaignClient, CampaignPurge, ClientCampaign, Message
from messaging.services import delivery
from messaging.services.clients import COPY_CHUNK_ROWS
from tests.accounts.factories import CompanyFactory, UserFactory
from tests.messaging.gateway import Answer
from tests.messaging.test_delivery_flow import SECRET, post_receipt
from tests.templates.factories import WHATSAPP_JSON, MessageTemplateFactory

pytestmark = pytest.mark.django_db

BASE = "/v2/campaign/"
RESPONSE_KEYS = [
    "ID", "Name", "TemplateName", "Lang", "CreatedAt", "UpdatedAt", "SendAt", "Status", "AgentID",
    "Message", "JSON", "SentCount", "DeliveredCount", "FailedCount", "Total", "Clients", "CompanyID",
    "ReportHeaders", "TempMsgID", "Error", "SocketKey",
]  # fmt: skip
LATER = (timezone.now() + timedelta(days=30)).replace(microsecond=0).isoformat()
CLIENTS = [
    {"accountID": "+966539078942", "params": ["John", "ORD-12345"]},
    {"accountID": "966539078943", "params": ["Jane", "ORD-12346"]},
]


@pytest.fixture
def user(company):
    return UserFactory(company=company)


@pytest.fixture
def key(user) -> str:
    return account_services.api_key_issue(user=user).secret


@pytest.fixture
def v2(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return client


@pytest.fixture
def template(company):
    return MessageTemplateFactory(company=company)


def call(client, method: str, path: str, body=None, **extra):
    """A request, with what it leaves for after its commit run (tasks run in-process in tests)."""
    data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
    with TestCase.captureOnCommitCallbacks(execute=True):
        return getattr(client, method)(BASE + path, data, content_type="application/json", **extra)


def create(client, **body):
    return call(client, "post", "create", {"name": "Order Confirmation Campaign", "clients": CLIENTS, **body})


def error_of(response) -> tuple[int, dict]:
    return response.status_code, response.json()


# ---- create: the spec's four examples, with a second client ------------------------------------


def test_example_1_only_a_template_fills_message_and_json(v2, template, user, company):
    response = create(v2, TempMsgID=str(template.pk), SendAt=LATER)

    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == RESPONSE_KEYS
    assert body["Message"] == template.body
    assert body["JSON"] == template.json
    assert (body["TemplateName"], body["Lang"], body["TempMsgID"]) == (
        template.name,
        "en_US",
        str(template.pk),
    )
    assert body["Status"] == "scheduled"
    assert body["Clients"] == [
        {"AccountID": "+966539078942", "Params": ["John", "ORD-12345"]},
        {"AccountID": "+966539078943", "Params": ["Jane", "ORD-12346"]},
    ]
    assert (body["AgentID"], body["CompanyID"]) == (user.pk, company.number)
    assert (body["ReportHeaders"], body["SocketKey"], body["Error"]) == (None, "", "")
    assert (body["SentCount"], body["DeliveredCount"], body["FailedCount"], body["Total"]) == (0, 0, 0, 0)
    assert isinstance(body["ID"], int)
    assert body["SendAt"].startswith(LATER[:19]) or body["SendAt"].endswith("Z")


def test_example_2_a_given_json_overrides_the_templates(v2, template):
    given = WHATSAPP_JSON.replace("ns", "<namespace>")

    body = create(v2, TempMsgID=str(template.pk), JSON=given, SendAt=LATER).json()

    assert (body["JSON"], body["Message"]) == (given, template.body)


def test_example_3_a_given_message_overrides_the_body(v2, template):
    text = "Thank you for your order, John! Your order number is ORD-12345."

    body = create(v2, TempMsgID=str(template.pk), JSON=WHATSAPP_JSON, message=text, SendAt=LATER).json()

    assert (body["Message"], body["JSON"]) == (text, WHATSAPP_JSON)


def test_example_4_all_fields_are_used_as_given(v2, template):
    clients = [{"accountID": "+966539078942", "params": ["https://example.com/image1.png", ""]}] * 2

    response = call(
        v2,
        "post",
        "create",
        {
            "name": "Welcome Back Campaign",
            "message": "We are happy to see you back again.",
            "clients": clients,
            "JSON": WHATSAPP_JSON,
            "TempMsgID": str(template.pk),
            "SendAt": LATER,
        },
    )

    body = response.json()
    assert (body["Name"], body["Message"], body["JSON"]) == (
        "Welcome Back Campaign",
        "We are happy to see you back again.",
        WHATSAPP_JSON,
    )


def test_a_shared_template_may_be_used_by_any_company(v2):
    shared = MessageTemplateFactory(company=None)

    assert create(v2, TempMsgID=str(shared.pk), SendAt=LATER).status_code == 200


# ---- create: the rule table, in order ------------------------------------------------------------


def test_name_is_required_first(v2):
    response = call(v2, "post", "create", {"clients": CLIENTS[:1]})

    assert error_of(response) == (400, {"error": "invalid request: name required"})


def test_at_least_two_clients(v2, template):
    response = call(
        v2, "post", "create", {"name": "x", "clients": CLIENTS[:1], "TempMsgID": str(template.pk)}
    )

    assert error_of(response) == (400, {"error": "invalid request: at least 2 clients required"})


@pytest.mark.parametrize("which", ["unknown", "malformed", "another company's"])
def test_a_template_must_be_one_the_company_sees(v2, which):
    template_id = {
        "unknown": str(uuid.uuid4()),
        "malformed": "c8630dcb",
        "another company's": str(MessageTemplateFactory(company=CompanyFactory()).pk),
    }[which]

    response = create(v2, TempMsgID=template_id)

    assert error_of(response) == (400, {"error": "invalid request: template not found"})


def test_json_or_a_template_is_required(v2):
    response = create(v2, message="Hello")

    assert error_of(response) == (400, {"error": "invalid request: JSON or TempMsgID required"})


def test_the_first_client_needs_params_for_the_jsons_variables(v2):
    with_three = WHATSAPP_JSON.replace('"components": []', '"components": [{"text": "{{1}} {{2}} {{3}}"}]')

    response = create(v2, JSON=with_three)

    assert error_of(response) == (400, {"error": "invalid request: not enough params for variables in JSON"})


def test_every_client_needs_params_for_the_templates_variables(v2, template):
    clients = [CLIENTS[0], {"accountID": "+966539078943", "params": ["Jane"]}]

    response = call(v2, "post", "create", {"name": "x", "clients": clients, "TempMsgID": str(template.pk)})

    assert error_of(response) == (
        400,
        {"error": "invalid request: each client must have params for all template variables"},
    )


def test_extra_params_are_ignored(v2):
    # example 2's JSON has no variables; the clients send two params each
    assert create(v2, JSON=WHATSAPP_JSON, SendAt=LATER).status_code == 200


def test_nothing_is_written_when_a_rule_refuses(v2, template):
    create(v2, TempMsgID=str(template.pk), JSON="[1, 2]")

    assert not ClientCampaign.unscoped.exists() and not CampaignClient.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"JSON": "[1, 2]"}, "invalid request: JSON"),
        ({"JSON": "{not json"}, "invalid request: JSON"),
        ({"JSON": {"to": "x"}}, "invalid request: JSON"),
        ({"JSON": WHATSAPP_JSON, "SendAt": "next tuesday"}, "invalid request: SendAt"),
        ({"JSON": WHATSAPP_JSON, "SendAt": "2025-03-03T14:32:25"}, "invalid request: SendAt"),
        ({"JSON": WHATSAPP_JSON, "SendAt": 12}, "invalid request: SendAt"),
        ({"JSON": WHATSAPP_JSON, "name": 5}, "invalid request: name"),
        ({"JSON": WHATSAPP_JSON, "clients": "all"}, "invalid request: clients"),
        ({"JSON": WHATSAPP_JSON, "clients": ["+966539078942", "+966539078943"]}, "invalid request: clients"),
        (
            {"JSON": WHATSAPP_JSON, "clients": [{"accountID": "+966539078942", "params": {"a": 1}}] * 2},
            "invalid request: params",
        ),
        (
            {"JSON": WHATSAPP_JSON, "clients": [{"accountID": "+966539078942", "params": [None]}] * 2},
            "invalid request: params",
        ),
        ({"JSON": WHATSAPP_JSON, "clients": [{"params": []}] * 2}, "invalid request: accountID"),
        ({"JSON": WHATSAPP_JSON, "clients": [{"accountID": "call me"}] * 2}, "invalid request: accountID"),
        ({"JSON": WHATSAPP_JSON, "clients": [{"accountID": ["+1"]}] * 2}, "invalid request: accountID"),
        ({"JSON": WHATSAPP_JSON, "TempMsgID": 7}, "invalid request: TempMsgID"),
    ],
)
def test_bad_fields_are_400_naming_the_field(v2, body, error):
    response = call(v2, "post", "create", {"name": "x", "clients": CLIENTS, **body})

    assert error_of(response) == (400, {"error": error})


@pytest.mark.parametrize("raw", ["{", "[1, 2]", '"text"', "null", '{"name": "\\ud800"}'])
def test_a_body_that_is_not_an_object_is_400(v2, raw):
    response = call(v2, "post", "create", raw)

    assert response.status_code == 400
    assert response.json()["error"].startswith("invalid request: ")


def nested(depth: int) -> str:
    """A JSON object `depth` levels deep: {"a":{"a":...1...}}."""
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(("depth", "status"), [(63, 200), (64, 400), (2000, 400)])
def test_a_body_may_nest_64_levels_deep(v2, depth, status):
    body = json.dumps({"name": "x", "clients": CLIENTS, "JSON": WHATSAPP_JSON})
    raw = body[:-1] + f', "ignored": {nested(depth)}}}'  # with the body's own object: depth + 1

    response = call(v2, "post", "create", raw)

    assert response.status_code == status, response.content
    if status == 400:
        assert response.json() == {"error": "invalid request: malformed JSON"}


def test_params_nested_too_deep_are_refused_by_the_parser(v2):
    clients = [{"accountID": "+966539078942", "params": ["deep"]}, CLIENTS[1]]
    body = json.dumps({"name": "x", "clients": clients, "JSON": WHATSAPP_JSON})

    response = call(v2, "post", "create", body.replace('"deep"', "[" * 70 + "]" * 70))

    assert error_of(response) == (400, {"error": "invalid request: malformed JSON"})


def test_a_backslash_before_u_d800_is_text_not_a_surrogate(v2):
    clients = [{"accountID": "+966539078942", "params": ["\\ud800", "x"]}, CLIENTS[1]]

    response = create(v2, clients=clients, JSON=WHATSAPP_JSON)

    assert response.status_code == 200, response.content
    assert response.json()["Clients"][0]["Params"] == ["\\ud800", "x"]


def test_a_later_spelling_of_a_client_key_wins(v2):
    clients = [{"accountID": "call me", "ACCOUNTID": "+966539078942", "params": ["a", "b"]}, CLIENTS[1]]

    response = create(v2, clients=clients, JSON=WHATSAPP_JSON)

    assert response.status_code == 200, response.content
    assert response.json()["Clients"][0] == {"AccountID": "+966539078942", "Params": ["a", "b"]}


def test_numbers_as_params_become_text_and_keys_ignore_case(v2):
    clients = [
        {"ACCOUNTID": 966539078942, "Params": [1, 2.5]},
        {"accountid": "+966539078943", "PARAMS": ["a"]},
    ]

    response = call(
        v2, "post", "create", {"NAME": "x", "Clients": clients, "json": WHATSAPP_JSON, "sendat": LATER}
    )

    assert response.status_code == 200, response.content
    assert response.json()["Clients"][0] == {"AccountID": "+966539078942", "Params": ["1", "2.5"]}


@pytest.mark.parametrize(
    "params",
    [
        ["John", "ORD-1"],  # nothing to escape: written the short way
        ['say "hi"', "back\\slash", "tab\there", "new\nline", "\u00e9t\u00e9 \U0001f600", ""],
        [],
    ],
)
def test_params_are_stored_exactly_as_sent(v2, params):
    clients = [
        {"accountID": "+966539078942", "params": params},
        {"accountID": "966539078943", "params": ["x"]},
    ]

    response = call(v2, "post", "create", {"name": "x", "clients": clients, "JSON": "{}", "SendAt": LATER})

    assert response.status_code == 200, response.content
    stored = CampaignClient.objects.order_by("position").values_list("account_id", "params")
    assert list(stored) == [("+966539078942", params), ("+966539078943", ["x"])]


def test_many_clients_are_stored_in_their_order(v2):
    # more than one chunk of the COPY that writes them on PostgreSQL
    count = 2 * COPY_CHUNK_ROWS + 1
    clients = [{"accountID": f"+4477{i:08d}", "params": [f"Client {i}"]} for i in range(1, count + 1)]

    response = call(v2, "post", "create", {"name": "x", "clients": clients, "JSON": "{}", "SendAt": LATER})

    assert response.status_code == 200, response.content
    stored = list(CampaignClient.objects.order_by("position").values_list("position", "account_id", "params"))
    assert stored == [(i, f"+4477{i:08d}", [f"Client {i}"]) for i in range(1, count + 1)]


def test_at_most_100000_clients(v2, settings):
    clients = [{"accountID": "+966539078942"}] * 100_001

    response = call(v2, "post", "create", {"name": "x", "clients": clients, "JSON": WHATSAPP_JSON})

    assert error_of(response) == (400, {"error": "invalid request: at most 100000 clients"})


# ---- sending: generation, delivery, counters ---------------------------------------------------


def sent_now(client, **body) -> dict:
    response = create(client, **body)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_campaign_without_send_at_sends_each_client_its_message(v2, template, via_gateway):
    campaign = sent_now(v2, TempMsgID=str(template.pk))

    sent = {r.body["to"]: r.body for r in via_gateway.received}
    assert set(sent) == {"+966539078942", "+966539078943"}
    john = sent["+966539078942"]
    assert john["text"] == "Hello John, your order ORD-12345 is confirmed."
    assert john["payload"]["to"] == "+966539078942"
    # the template's components were empty: a body component carries the client's params
    assert john["payload"]["template"]["components"] == [
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "John"}, {"type": "text", "text": "ORD-12345"}],
        }
    ]
    messages = call(v2, "get", f"getCampMsgs?campaignID={campaign['ID']}").json()
    assert messages["CampaignID"] == campaign["ID"] and messages["Total"] == 2
    assert [m["AccountID"] for m in messages["Messages"]] == ["+966539078942", "+966539078943"]
    first = messages["Messages"][0]
    assert list(first) == [
        "MessageKey",
        "AccountID",
        "Status",
        "Error",
        "Attempts",
        "Message",
        "SentAt",
        "DeliveredAt",
    ]
    assert (first["Status"], first["Attempts"], first["DeliveredAt"]) == ("sent", 1, None)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["SentAt"]), first["SentAt"]
    listed = call(v2, "get", "getAll").json()["Campaigns"][0]
    assert (listed["Status"], listed["SentCount"], listed["Total"]) == ("completed", 2, 2)


def test_counters_equal_a_recount_after_delivery_and_receipts(v2, settings, via_gateway, client):
    settings.MESSAGING_RECEIPT_SECRET = SECRET
    clients = [{"accountID": f"+4477009000{i:02}", "params": []} for i in range(6)]
    via_gateway.answer = lambda r: Answer(status=400) if r.body["to"].endswith("05") else Answer()
    campaign = sent_now(v2, clients=clients, JSON=WHATSAPP_JSON)
    keys = dict(Message.unscoped.values_list("address", "message_key"))
    post_receipt(
        client,
        {
            "receipts": [
                {"message_key": keys["+447700900000"], "status": "delivered"},
                {"message_key": keys["+447700900001"], "status": "delivered"},
                {"message_key": keys["+447700900002"], "status": "failed", "error": "absent"},
            ]
        },
    )

    body = call(v2, "get", "getAll").json()["Campaigns"][0]
    statuses = list(Message.unscoped.values_list("status", flat=True))
    recount = (
        sum(s in ("sent", "delivered") for s in statuses),
        statuses.count("delivered"),
        statuses.count("failed"),
        len(statuses),
    )
    assert (
        (body["SentCount"], body["DeliveredCount"], body["FailedCount"], body["Total"])
        == recount
        == (4, 2, 2, 6)
    )
    assert body["Error"] in ("absent", "gateway answered 400")
    assert body["ID"] == campaign["ID"] and body["Status"] == "completed"


# ---- resend ----------------------------------------------------------------------------------------


@pytest.fixture
def failed_key(v2, via_gateway) -> str:
    via_gateway.answer = lambda r: Answer(status=400)
    sent_now(v2, JSON=WHATSAPP_JSON)
    message = Message.unscoped.order_by("client").first()
    assert message.status == "failed"
    return message.message_key


def test_a_failed_message_is_resent_at_once(v2, via_gateway, failed_key):
    via_gateway.answer = lambda r: Answer(status=200)

    response = call(v2, "post", "resendMsg", {"messageKey": failed_key.lower()})

    assert (response.status_code, response.json()) == (200, {"MessageKey": failed_key, "Status": "sent"})
    message = Message.unscoped.get(message_key=failed_key)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    body = call(v2, "get", "getAll").json()["Campaigns"][0]
    assert (body["SentCount"], body["FailedCount"]) == (1, 1)


def test_a_gateway_failure_on_resend_is_502_and_the_attempt_is_recorded(v2, via_gateway, failed_key):
    via_gateway.answer = lambda r: Answer(status=500)

    response = call(v2, "post", "resendMsg", {"messageKey": failed_key})

    assert error_of(response) == (502, {"error": "upstream service call failed"})
    message = Message.unscoped.get(message_key=failed_key)
    assert (message.status, message.attempts, message.last_error) == ("failed", 2, "gateway answered 500")


def test_only_failed_messages_are_resent(v2, via_gateway):
    sent_now(v2, JSON=WHATSAPP_JSON)
    key = Message.unscoped.first().message_key

    response = call(v2, "post", "resendMsg", {"messageKey": key})

    assert error_of(response) == (400, {"error": "invalid request: only failed messages can be resent"})


@pytest.mark.parametrize("body", [{}, {"messageKey": 5}, {"messageKey": ""}, {"messageKey": "k\x00"}])
def test_resend_needs_a_message_key(v2, body):
    assert error_of(call(v2, "post", "resendMsg", body)) == (400, {"error": "invalid request: messageKey"})


def test_an_unknown_message_is_404(v2):
    response = call(v2, "post", "resendMsg", {"messageKey": "C030200170205C476A3B882B2702FF"})

    assert error_of(response) == (404, {"error": "message not found"})


# ---- update --------------------------------------------------------------------------------------------


def test_a_scheduled_campaign_changes_name_and_send_time_only(v2, template):
    campaign = create(v2, TempMsgID=str(template.pk), SendAt=LATER).json()
    later = (timezone.now() + timedelta(days=60)).replace(microsecond=0)

    response = call(
        v2,
        "put",
        "update",
        {"id": campaign["ID"], "name": "test22", "SendAt": later.isoformat(), "message": "ignored"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["Name"], body["Message"], body["Status"]) == ("test22", template.body, "scheduled")
    assert body["SendAt"] == later.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    settings = ClientCampaign.unscoped.get(pk=campaign["ID"]).campaign.message_settings
    assert settings.next_at == later


def test_a_campaign_already_sent_is_not_updated(v2, via_gateway):
    campaign = sent_now(v2, JSON=WHATSAPP_JSON)

    response = call(v2, "put", "update", {"id": campaign["ID"], "name": "renamed"})

    assert error_of(response) == (
        400,
        {"error": "only scheduled campaigns can be updated (name and SendAt fields only)"},
    )
    assert ClientCampaign.unscoped.get(pk=campaign["ID"]).campaign.name == "Order Confirmation Campaign"


def test_a_send_time_moved_into_the_past_sends_at_once(v2, via_gateway):
    campaign = create(v2, JSON=WHATSAPP_JSON, SendAt=LATER).json()

    call(v2, "put", "update", {"id": campaign["ID"], "SendAt": "2025-03-04T11:31:25.000Z"})

    assert len(via_gateway.received) == 2


@pytest.mark.parametrize("campaign_id", ["387", -1, 0, 2**64, None, 1.5, True])
def test_update_needs_an_integer_id(v2, campaign_id):
    response = call(v2, "put", "update", {"id": campaign_id, "name": "x"})

    assert error_of(response) == (400, {"error": "invalid request: id"})


# ---- delete ----------------------------------------------------------------------------------------


def test_delete_answers_the_campaign_as_deleted_once(v2, template):
    campaign = create(v2, TempMsgID=str(template.pk), SendAt=LATER).json()

    response = call(v2, "delete", "delete", {"id": campaign["ID"]})

    assert response.status_code == 200
    assert (response.json()["Status"], response.json()["ID"]) == ("deleted", campaign["ID"])
    assert len(response.json()["Clients"]) == 2
    assert CampaignPurge.objects.count() == 1 and not CampaignClient.objects.exists()
    again = call(v2, "delete", "delete", {"id": campaign["ID"]})
    assert error_of(again) == (404, {"error": "campaign not found"})


def test_delete_takes_the_id_from_the_query_too(v2):
    campaign = create(v2, JSON=WHATSAPP_JSON, SendAt=LATER).json()

    assert v2.delete(f"{BASE}delete?id={campaign['ID']}").status_code == 200


def test_delete_without_an_id_is_400(v2):
    assert error_of(v2.delete(f"{BASE}delete")) == (400, {"error": "invalid request: id"})


def test_a_deleted_campaigns_pending_messages_are_never_sent(v2, settings, via_gateway):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    campaign = create(v2, JSON=WHATSAPP_JSON, SendAt=LATER).json()
    call(v2, "delete", "delete", {"id": campaign["ID"]})

    delivery.messages_deliver_due()

    assert via_gateway.received == []


# ---- lists ---------------------------------------------------------------------------------------------


def test_get_all_lists_the_companys_campaigns_newest_first(v2):
    ids = [create(v2, JSON=WHATSAPP_JSON, SendAt=LATER, name=f"c{i}").json()["ID"] for i in range(3)]

    body = call(v2, "get", "getAll?resultSize=2").json()

    assert [c["ID"] for c in body["Campaigns"]] == ids[::-1][:2]
    assert body["Total"] == 3
    assert all(c["Clients"] is None and list(c) == RESPONSE_KEYS for c in body["Campaigns"])


@pytest.mark.parametrize("size", ["0", "-1", "1000000000", "abc", "1001", "1.5"])
def test_result_size_is_1_to_1000(v2, size):
    assert error_of(call(v2, "get", f"getAll?resultSize={size}")) == (
        400,
        {"error": "invalid request: resultSize"},
    )
    assert error_of(call(v2, "get", f"getCampMsgs?campaignID=1&resultSize={size}")) == (
        400,
        {"error": "invalid request: resultSize"},
    )


@pytest.mark.parametrize("query", ["", "?campaignID=", "?campaignID=abc", "?campaignID=-3"])
def test_campaign_messages_need_an_integer_campaign_id(v2, query):
    assert error_of(call(v2, "get", f"getCampMsgs{query}")) == (400, {"error": "invalid request: campaignID"})


def test_campaign_messages_of_an_unknown_campaign_are_404(v2):
    assert error_of(call(v2, "get", "getCampMsgs?campaignID=999999")) == (
        404,
        {"error": "campaign not found"},
    )


# ---- X-API-Key -------------------------------------------------------------------------------------------


def test_a_missing_or_wrong_key_is_401(key):
    assert error_of(APIClient().get(BASE + "getAll")) == (401, {"error": "unauthorized"})
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="sk_live_wrong")
    assert error_of(client.get(BASE + "getAll")) == (401, {"error": "unauthorized"})


def test_a_rotated_key_is_401(v2, user):
    account_services.api_key_issue(user=user)

    assert error_of(v2.get(BASE + "getAll")) == (401, {"error": "unauthorized"})


def test_a_user_without_api_access_is_401(v2, user):
    user.api_access_enabled = False
    user.save(update_fields=["api_access_enabled"])

    assert error_of(v2.get(BASE + "getAll")) == (401, {"error": "unauthorized"})


def test_an_inactive_company_is_401(v2, company):
    company.is_active = False
    company.save(update_fields=["is_active"])

    assert error_of(v2.get(BASE + "getAll")) == (401, {"error": "unauthorized"})


def test_an_unknown_route_is_404_in_the_surfaces_shape(v2):
    assert error_of(v2.get(BASE + "nothing")) == (404, {"error": "not found"})


def test_a_wrong_method_is_405(v2):
    assert error_of(v2.get(BASE + "create")) == (405, {"error": "method not allowed"})


# ---- tenancy ----------------------------------------------------------------------------------------------


def test_another_companys_campaign_and_messages_are_404(v2, via_gateway):
    theirs = APIClient()
    theirs.credentials(
        HTTP_X_API_KEY=account_services.api_key_issue(user=UserFactory(company=CompanyFactory())).secret
    )
    via_gateway.answer = lambda r: Answer(status=400)
    campaign = sent_now(theirs, JSON=WHATSAPP_JSON)
    key = Message.unscoped.first().message_key

    assert error_of(call(v2, "get", f"getCampMsgs?campaignID={campaign['ID']}"))[0] == 404
    assert error_of(call(v2, "put", "update", {"id": campaign["ID"], "name": "x"})) == (
        404,
        {"error": "campaign not found"},
    )
    assert error_of(call(v2, "delete", "delete", {"id": campaign["ID"]}))[0] == 404
    assert error_of(call(v2, "post", "resendMsg", {"messageKey": key})) == (
        404,
        {"error": "message not found"},
    )
    assert call(v2, "get", "getAll").json() == {"Campaigns": [], "Total": 0}


# ---- hostile input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"name": "a\x00b"}, "invalid request: name"),
        ({"message": "a\x00b"}, "invalid request: message"),
        ({"clients": [{"accountID": "+966539078942\x00"}] * 2}, "invalid request: accountID"),
        ({"clients": [{"accountID": "+966539078942", "params": ["a\x00"]}] * 2}, "invalid request: params"),
        ({"JSON": '{"to": "\\u0000"}'}, "invalid request: JSON"),
        ({"JSON": '{"\\u0000": 1}'}, "invalid request: JSON"),
        (
            {"clients": [{"accountID": "+966539078942", "params": ["x" * 1001]}] * 2},
            "invalid request: params",
        ),
        ({"clients": [{"accountID": "+966539078942", "params": ["x"] * 101}] * 2}, "invalid request: params"),
        ({"name": "x" * 201}, "invalid request: name"),
        ({"JSON": '{"a": "' + "x" * 70_000 + '"}'}, "invalid request: JSON"),
        ({"SendAt": "9999-99-99T99:99:99Z"}, "invalid request: SendAt"),
    ],
)
def test_hostile_values_are_400_and_write_nothing(v2, body, error):
    response = call(v2, "post", "create", {"name": "x", "clients": CLIENTS, "JSON": WHATSAPP_JSON, **body})

    assert error_of(response) == (400, {"error": error})
    assert not ClientCampaign.unscoped.exists()


def test_deep_nesting_is_400(v2):
    raw = '{"name": "x", "clients": ' + "[" * 100 + "]" * 100 + "}"

    response = call(v2, "post", "create", raw)

    assert response.status_code == 400 and response.json()["error"].startswith("invalid request: ")


def test_huge_numbers_are_400_or_text(v2):
    huge = call(v2, "post", "create", '{"name": "x", "clients": [], "id": ' + "9" * 5000 + "}")
    assert huge.status_code == 400

    response = call(v2, "put", "update", {"id": 10**30, "name": "x"})
    assert error_of(response) == (400, {"error": "invalid request: id"})

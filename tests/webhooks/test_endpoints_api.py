"""/api/v1/webhooks: endpoint management in the v1 envelope, with exact statuses and messages."""

import base64

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory
from tests.platform_api import assert_envelope, bearer, login
from tests.webhooks.factories import DeliveryFactory, EndpointFactory
from webhooks.events import SUBSCRIBABLE
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

URL = "https://example.com/postroom/hooks"


def _create(client, **body):
    return client.post("/api/v1/webhooks", {"url": URL, "events": ["order.paid"], **body}, format="json")


def test_create_answers_201_with_the_secret_once(authed_client, company):
    # when
    body = assert_envelope(_create(authed_client, description="Orders"), 201, "Webhook endpoint created")

    # then
    data = body["data"]
    assert (data["url"], data["events"], data["enabled"], data["description"]) == (
        URL,
        ["order.paid"],
        True,
        "Orders",
    )
    assert data["secret"].startswith("whsec_") and len(base64.b64decode(data["secret"][6:])) == 32
    endpoint = Endpoint.objects.for_company(company).get(pk=data["id"])
    assert endpoint.secret == data["secret"]
    details = assert_envelope(
        authed_client.get(f"/api/v1/webhooks/{data['id']}"), 200, "Webhook endpoint details"
    )
    assert "secret" not in details["data"]
    listed = assert_envelope(authed_client.get("/api/v1/webhooks"), 200, "Webhook endpoints")["data"]
    assert listed["total"] == 1 and "secret" not in listed["data"][0]


def test_all_events_and_duplicates(authed_client):
    assert assert_envelope(_create(authed_client, events=["*"]), 201)["data"]["events"] == ["*"]
    twice = ["order.paid", "order.paid", "import.failed"]
    assert assert_envelope(_create(authed_client, events=twice), 201)["data"]["events"] == [
        "order.paid",
        "import.failed",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": None}, "url is required: the http(s) URL to post events to."),
        ({"url": 12}, "url is required: the http(s) URL to post events to."),
        (
            {"url": "ftp://example.com/x"},
            "url must be an http or https URL with a host, without spaces or a user name and password.",
        ),
        (
            {"url": "https://"},
            "url must be an http or https URL with a host, without spaces or a user name and password.",
        ),
        (
            {"url": "https://u:p@example.com/"},
            "url must be an http or https URL with a host, without spaces or a user name and password.",
        ),
        (
            {"url": "https://exa mple.com/"},
            "url must be an http or https URL with a host, without spaces or a user name and password.",
        ),
        (
            {"url": "https://example.com/\x00"},
            "url must be an http or https URL with a host, without spaces or a user name and password.",
        ),
        (
            {"url": "https://example.com:99999/"},
            "url must be an http or https URL with a host, without spaces or a user name and password.",
        ),
        ({"url": "https://example.com/" + "a" * 5000}, "url must be at most 2000 characters."),
        ({"url": "http://example.com/"}, "url must use https."),
        ({"events": []}, 'events is required: a list of event types, or ["*"] for all of them.'),
        ({"events": "order.paid"}, 'events is required: a list of event types, or ["*"] for all of them.'),
        ({"events": [{"a": [1]}]}, 'events is required: a list of event types, or ["*"] for all of them.'),
        ({"events": ["order.paid", "webhook.test"]}, "Unknown event types: webhook.test."),
        ({"events": ["nope\x00", "x" * 10_000]}, f"Unknown event types: nope, {'x' * 64}."),
        ({"description": "d" * 201}, "description must be text of at most 200 characters."),
        ({"description": ["x"]}, "description must be text of at most 200 characters."),
    ],
)
def test_create_refuses_bad_input_with_a_clear_400(authed_client, settings, body, message):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    response = _create(authed_client, **body)
    assert_envelope(response, 400, message)
    assert not Endpoint.unscoped.exists()


def test_unknown_events_name_the_known_ones(authed_client):
    body = assert_envelope(
        _create(authed_client, events=["order.shipped"]), 400, "Unknown event types: order.shipped."
    )
    assert body["errors"] == [f"Known event types: {', '.join(sorted(SUBSCRIBABLE))}, or * for all of them."]


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "12", "null"])
def test_a_body_that_is_not_an_object_is_refused(authed_client, raw):
    response = authed_client.post("/api/v1/webhooks", raw, content_type="application/json")
    assert_envelope(response, 400, "The request body must be a JSON object.")


def test_deeply_nested_json_is_refused_not_crashed(authed_client):
    raw = '{"url": "https://example.com/", "events": ' + "[" * 5000 + "]" * 5000 + "}"
    response = authed_client.post("/api/v1/webhooks", raw, content_type="application/json")
    assert response.status_code == 400


def test_http_is_allowed_where_https_is_not_required(authed_client, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = False
    assert_envelope(_create(authed_client, url="http://localhost:8000/hooks"), 201)


def test_workspace_of_the_company_or_404(authed_client, company, other_company):
    from accounts.selectors import default_workspace

    mine = default_workspace(company=company)
    theirs = default_workspace(company=other_company)
    data = assert_envelope(_create(authed_client, workspaceId=str(mine.pk)), 201)["data"]
    assert data["workspaceId"] == str(mine.pk)
    assert_envelope(_create(authed_client, workspaceId=str(theirs.pk)), 404, "Workspace not found.")
    assert_envelope(_create(authed_client, workspaceId=5), 400, "workspaceId must be a workspace's id.")


def test_update_changes_only_what_is_given(authed_client, company):
    endpoint = EndpointFactory(company=company, events=["order.paid"], description="old")
    response = authed_client.patch(
        f"/api/v1/webhooks/{endpoint.pk}", {"Events": ["*"], "enabled": False}, format="json"
    )
    data = assert_envelope(response, 200, "Webhook endpoint updated")["data"]
    assert (data["events"], data["enabled"], data["description"], data["url"]) == (
        ["*"],
        False,
        "old",
        endpoint.url,
    )
    assert_envelope(
        authed_client.patch(f"/api/v1/webhooks/{endpoint.pk}", {"enabled": "yes"}, format="json"),
        400,
        "enabled must be true or false.",
    )
    assert_envelope(
        authed_client.patch(f"/api/v1/webhooks/{endpoint.pk}", {"url": "nope"}, format="json"),
        400,
        "url must be an http or https URL with a host, without spaces or a user name and password.",
    )


def test_enabling_again_clears_why_it_was_disabled(authed_client, company):
    from django.utils import timezone

    endpoint = EndpointFactory(
        company=company, enabled=False, failing_since=timezone.now(), disabled_reason="x"
    )
    authed_client.patch(f"/api/v1/webhooks/{endpoint.pk}", {"enabled": True}, format="json")
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.failing_since, endpoint.disabled_reason) == (True, None, "")


def test_a_disabled_endpoint_takes_no_test_event_and_no_replay(authed_client, company):
    # given: a failed delivery of an endpoint that was switched off since
    endpoint = EndpointFactory(company=company, enabled=False)
    delivery = DeliveryFactory(endpoint=endpoint, status=Delivery.Status.FAILED, attempts=10)
    base = f"/api/v1/webhooks/{endpoint.pk}"

    # when
    tested = authed_client.post(f"{base}/test")
    replayed = authed_client.post(f"{base}/deliveries/{delivery.pk}/replay")

    # then: both refused alike, and nothing queued
    message = "This webhook endpoint is disabled. Enable it first."
    assert assert_envelope(tested, 400, message) == assert_envelope(replayed, 400, message)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 10)
    assert list(Delivery.unscoped.filter(endpoint=endpoint)) == [delivery]


def test_delete(authed_client, company):
    endpoint = EndpointFactory(company=company)
    assert_envelope(authed_client.delete(f"/api/v1/webhooks/{endpoint.pk}"), 200, "Webhook endpoint deleted")
    assert not Endpoint.unscoped.filter(pk=endpoint.pk).exists()
    assert_envelope(
        authed_client.delete(f"/api/v1/webhooks/{endpoint.pk}"), 404, "Webhook endpoint not found."
    )


def test_rotate_secret_shows_the_new_one_once(authed_client, company):
    endpoint = EndpointFactory(company=company)
    body = assert_envelope(
        authed_client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret"), 200, "Webhook secret rotated"
    )
    endpoint.refresh_from_db()
    assert body["data"]["secret"] == endpoint.secret and endpoint.secret.startswith("whsec_")


@pytest.mark.parametrize("endpoint_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "x" * 3000])
def test_missing_or_malformed_ids_are_404(authed_client, endpoint_id):
    assert_envelope(authed_client.get(f"/api/v1/webhooks/{endpoint_id}"), 404, "Webhook endpoint not found.")
    assert_envelope(
        authed_client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries"), 404, "Webhook endpoint not found."
    )


def test_a_read_only_user_reads_but_does_not_write(company, authed_client):
    from accounts import services as account_services
    from accounts.roles import READ_ONLY

    endpoint = EndpointFactory(company=company)
    user = UserFactory(company=company, roles=(READ_ONLY,))
    client = bearer(
        APIClient(), login(APIClient(), account_services.api_key_issue(user=user).secret)["token"]
    )
    assert_envelope(client.get(f"/api/v1/webhooks/{endpoint.pk}"), 200)
    assert_envelope(_create(client), 403)
    assert_envelope(client.delete(f"/api/v1/webhooks/{endpoint.pk}"), 403)


def test_paging_of_the_list(authed_client, company):
    for _ in range(3):
        EndpointFactory(company=company)
    data = assert_envelope(authed_client.get("/api/v1/webhooks", {"limit": 2}), 200)["data"]
    assert (data["total"], len(data["data"]), data["hasMore"], data["nextOffset"]) == (3, 2, True, 2)
    assert_envelope(authed_client.get("/api/v1/webhooks", {"offset": -1}), 400, "offset must be 0 or more.")


def test_create_with_an_idempotency_key_creates_once(authed_client, company):
    body = {"url": URL, "events": ["order.paid"]}
    first = authed_client.post("/api/v1/webhooks", body, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    again = authed_client.post("/api/v1/webhooks", body, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert Endpoint.objects.for_company(company).count() == 1

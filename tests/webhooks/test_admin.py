"""The back office for webhooks: endpoints made, changed, deleted, given new secrets and sent a test
event through the services (a secret shown once, on the page that follows); events read-only;
deliveries with their attempts, and a replay action."""

import uuid

import pytest
from django.contrib.admin.utils import quote
from django.utils import timezone
from standardwebhooks import Webhook

from tests.admin_support import delete_in_admin, messages_of
from tests.webhooks.factories import DeliveryFactory, EndpointFactory, EventFactory
from webhooks.models import Attempt, Delivery, Endpoint

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/webhooks/endpoint/"
DELIVERIES = "/admin/webhooks/delivery/"


def _delivery(endpoint, *, status="failed"):
    delivery = DeliveryFactory(endpoint=endpoint, status=status, attempts=10)
    Attempt.objects.create(
        delivery=delivery,
        attempted_at=timezone.now(),
        status_code=503,
        error="The receiver answered with status 503.",
    )
    return delivery


def test_an_endpoint_made_in_the_admin_shows_its_secret_once(admin_client, company, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {
            "company": company.pk,
            "url": "https://example.com/h",
            "events": ["order.paid", "import.failed"],
            "description": "x",
        },
    )
    assert response.status_code == 200, response.content[:2000]
    endpoint = Endpoint.objects.for_company(company).get()
    assert endpoint.events == ["order.paid", "import.failed"]
    assert endpoint.secret in response.text and "no-cache" in response["Cache-Control"]
    assert endpoint.secret not in admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/").text


def test_the_service_refusal_is_shown_on_the_form(admin_client, company, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    response = admin_client.post(
        f"{ENDPOINTS}add/", {"company": company.pk, "url": "http://example.com/h", "events": ["*"]}
    )
    assert response.status_code == 200 and "url must use https." in response.text
    assert not Endpoint.unscoped.exists()


def test_change_and_delete_through_the_services(admin_client, company):
    endpoint = EndpointFactory(
        company=company, enabled=False, disabled_reason="Every delivery failed for 5 days."
    )
    response = admin_client.post(
        f"{ENDPOINTS}{endpoint.pk}/change/",
        {"url": endpoint.url, "events": ["*"], "description": "", "enabled": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""
    assert delete_in_admin(admin_client, ENDPOINTS, [endpoint.pk]).status_code == 302
    assert not Endpoint.unscoped.exists()


def test_rotate_action_shows_the_new_secrets(admin_client, company):
    endpoint = EndpointFactory(company=company)
    old = endpoint.secret
    response = admin_client.post(ENDPOINTS, {"action": "rotate_secret", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.text


def test_send_test_action_posts_a_signed_test_event_to_enabled_endpoints(
    admin_client, company, receiver, django_capture_on_commit_callbacks
):
    # given: an endpoint at a local receiver, and one switched off
    hooks = receiver()
    endpoint = EndpointFactory(company=company, url=hooks.url, events=["order.paid"])
    disabled = EndpointFactory(company=company, url=hooks.url, enabled=False)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            ENDPOINTS, {"action": "send_test", "_selected_action": [endpoint.pk, disabled.pk]}
        )

    # then: one test event, to the enabled endpoint only (whatever types it wants)
    assert response.status_code == 302
    assert messages_of(response) == [f"{disabled}: disabled, no test event sent.", "1 test events queued."]
    [received] = hooks.received
    body = Webhook(endpoint.secret).verify(received.body, received.headers)
    assert body["type"] == "webhook.test" and body["data"]["webhook"]["id"] == str(endpoint.pk)
    assert not Delivery.unscoped.filter(endpoint=disabled).exists()


def test_deliveries_show_their_attempts_and_replay(admin_client, company, django_capture_on_commit_callbacks):
    delivery = _delivery(EndpointFactory(company=company, url="http://10.0.0.1/h"))
    page = admin_client.get(f"{DELIVERIES}{delivery.pk}/change/")
    assert page.status_code == 200 and "The receiver answered with status 503." in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(DELIVERIES, {"action": "replay", "_selected_action": [delivery.pk]})
    assert response.status_code == 302
    assert messages_of(response) == ["1 deliveries queued again."]
    delivery.refresh_from_db()
    assert (
        delivery.attempts == 1 and Attempt.objects.filter(delivery=delivery).count() == 2
    )  # sent again (refused)


def test_events_are_read_only(admin_client, company):
    # an id the admin must quote in its URLs ("evt_22" unquoted is 'evt"')
    event = EventFactory(company=company, id=f"evt_22{uuid.uuid4().hex[2:]}")
    assert admin_client.get(f"/admin/webhooks/event/?q={event.pk}").status_code == 200
    assert admin_client.get(f"/admin/webhooks/event/{quote(event.pk)}/change/").status_code == 200
    assert admin_client.get("/admin/webhooks/event/add/").status_code == 403

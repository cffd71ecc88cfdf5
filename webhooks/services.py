"""Every write of webhook endpoints: create, update, delete, rotate the secret, send a test event,
replay a delivery; and the email that tells a company its endpoint was switched off. Plain
functions with the acting company first; they raise domain errors (webhooks.errors)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from accounts.selectors import get_workspace_for_company
from webhooks import selectors
from webhooks.errors import WebhookEndpointDisabled, WebhookErrorCode, WebhookInvalid
from webhooks.events import SUBSCRIBABLE, EventType, queue_deliveries
from webhooks.models import Delivery, Endpoint, Event, new_secret

ALL_EVENTS = "*"
MAX_URL_LENGTH = Endpoint._meta.get_field("url").max_length
MAX_DESCRIPTION_LENGTH = Endpoint._meta.get_field("description").max_length
# How many unknown event types a refusal names (the rest of a hostile list is not repeated back).
NAMED_UNKNOWN = 5
NAMED_LENGTH = 64
_CONTROL = {chr(code) for code in range(32)} | {"\x7f", " "}


def endpoint_url_clean(url) -> str:
    """A URL a webhook may be posted to: http(s), a host, no user name or password, no spaces or
    control characters, https unless WEBHOOKS_REQUIRE_HTTPS is off. Where it leads (public
    addresses only) is checked on every delivery, as DNS answers change."""
    if not isinstance(url, str) or not url:
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_URL_REQUIRED, field="url")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_URL_TOO_LONG, field="url", maximum=MAX_URL_LENGTH)
    if any(character in _CONTROL for character in url):
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_URL_INVALID, field="url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not one)
    except ValueError:
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_URL_INVALID, field="url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_URL_INVALID, field="url")
    if scheme != "https" and settings.WEBHOOKS_REQUIRE_HTTPS:
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_URL_NOT_HTTPS, field="url")
    return url


def endpoint_events_clean(events) -> list[str]:
    """A non-empty list of event types an endpoint may want (every type but webhook.test), each
    once, or ["*"] for all of them."""
    if not isinstance(events, list) or not events:
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_EVENTS_REQUIRED, field="events")
    if any(not isinstance(name, str) for name in events):
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_EVENTS_REQUIRED, field="events")
    if ALL_EVENTS in events:
        return [ALL_EVENTS]
    unknown = [name for name in dict.fromkeys(events) if name not in SUBSCRIBABLE]
    if unknown:
        named = [name[:NAMED_LENGTH].replace("\x00", "") for name in unknown[:NAMED_UNKNOWN]]
        raise WebhookInvalid(
            WebhookErrorCode.WEBHOOK_EVENTS_INVALID,
            field="events",
            unknown=named,
            known=sorted(SUBSCRIBABLE),
        )
    return list(dict.fromkeys(events))


def endpoint_description_clean(description) -> str:
    if description is None:
        return ""
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH or "\x00" in description:
        raise WebhookInvalid(
            WebhookErrorCode.WEBHOOK_DESCRIPTION_INVALID, field="description", maximum=MAX_DESCRIPTION_LENGTH
        )
    return description


def endpoint_create(*, company: Company, url, events, description=None, workspace_id=None) -> Endpoint:
    """A new endpoint of `company`, enabled, with a new secret (the caller shows it once)."""
    url = endpoint_url_clean(url)
    events = endpoint_events_clean(events)
    description = endpoint_description_clean(description)
    workspace = None
    if workspace_id not in (None, ""):
        workspace = get_workspace_for_company(company=company, workspace_id=workspace_id)
    return Endpoint.objects.for_company(company).create(
        company=company,
        workspace=workspace,
        url=url,
        events=events,
        description=description,
        secret=new_secret(),
    )


def endpoint_update(*, company: Company, endpoint_id, changes: dict) -> Endpoint:
    """Change what `changes` names of url, events, enabled and description. Enabling an endpoint
    clears why it was switched off and starts its failure clock anew."""
    cleaned = {}
    if "url" in changes:
        cleaned["url"] = endpoint_url_clean(changes["url"])
    if "events" in changes:
        cleaned["events"] = endpoint_events_clean(changes["events"])
    if "description" in changes:
        cleaned["description"] = endpoint_description_clean(changes["description"])
    if "enabled" in changes:
        if not isinstance(changes["enabled"], bool):
            raise WebhookInvalid(WebhookErrorCode.WEBHOOK_ENABLED_INVALID, field="enabled")
        cleaned["enabled"] = changes["enabled"]
    with transaction.atomic():
        endpoint = selectors.get_endpoint_for_company(
            company=company, endpoint_id=endpoint_id, for_update=True
        )
        reenabled = cleaned.get("enabled") is True and not endpoint.enabled
        if reenabled:
            cleaned["failing_since"], cleaned["disabled_reason"] = None, ""
        for field, value in cleaned.items():
            setattr(endpoint, field, value)
        endpoint.save(update_fields=[*cleaned, "updated_at"])
        if reenabled:
            _deliver_soon(endpoint)  # what waited while it was off
    return endpoint


def endpoint_delete(*, company: Company, endpoint_id) -> None:
    """The endpoint goes, with its deliveries and their attempts (the events stay)."""
    with transaction.atomic():
        endpoint = selectors.get_endpoint_for_company(
            company=company, endpoint_id=endpoint_id, for_update=True
        )
        endpoint.delete()


def endpoint_rotate_secret(*, company: Company, endpoint_id) -> Endpoint:
    """A new secret (the caller shows it once); deliveries are signed with it from now on, so the
    old one stops verifying at once."""
    with transaction.atomic():
        endpoint = selectors.get_endpoint_for_company(
            company=company, endpoint_id=endpoint_id, for_update=True
        )
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


def endpoint_send_test(*, company: Company, endpoint_id) -> Delivery:
    """A webhook.test event to this endpoint only (whatever types it wants)."""
    with transaction.atomic():
        endpoint = _enabled_endpoint(company=company, endpoint_id=endpoint_id)
        event = Event.objects.for_company(company).create(
            company=company,
            workspace_id=endpoint.workspace_id,
            type=EventType.TEST,
            occurred_at=timezone.now(),
            data={"webhook": {"id": str(endpoint.pk), "url": endpoint.url}},
        )
        queue_deliveries(event, [endpoint])
    return Delivery.objects.for_company(company).get(endpoint=endpoint, event=event)


def delivery_replay(*, company: Company, endpoint_id, delivery_id) -> Delivery:
    """Send a delivery again, now, with a new retry schedule (its earlier attempts stay in the log).
    It keeps its event's webhook-id: a receiver that already has it may ignore it."""
    with transaction.atomic():
        endpoint = _enabled_endpoint(company=company, endpoint_id=endpoint_id)
        delivery = selectors.get_delivery_for_company(
            company=company, endpoint=endpoint, delivery_id=delivery_id, for_update=True
        )
        delivery.status, delivery.attempts = Delivery.Status.PENDING, 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        _deliver_soon(endpoint)
    return delivery


def _enabled_endpoint(*, company: Company, endpoint_id) -> Endpoint:
    """The endpoint, refused while it is switched off: nothing is sent to it on demand then."""
    endpoint = selectors.get_endpoint_for_company(company=company, endpoint_id=endpoint_id)
    if not endpoint.enabled:
        raise WebhookEndpointDisabled()
    return endpoint


def _deliver_soon(endpoint: Endpoint) -> None:
    from webhooks.tasks import deliver_endpoint

    endpoint_id = str(endpoint.pk)
    transaction.on_commit(lambda: deliver_endpoint.delay(endpoint_id))


def endpoint_disabled_email_send(*, endpoint_id) -> int:
    """Tell the company's active users that their endpoint was switched off, and why. Returns the
    number of messages sent (0 when the endpoint is gone or enabled again)."""
    endpoint = Endpoint.unscoped.select_related("company").filter(pk=endpoint_id, enabled=False).first()
    if endpoint is None:
        return 0
    company = endpoint.company
    users = company.users.filter(is_active=True).exclude(email="").order_by("email")
    recipients = list(users.values_list("email", flat=True))
    if not recipients:
        return 0
    return send_mail(
        subject="Postroom: a webhook endpoint was disabled",
        message=_disabled_text(endpoint),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def _disabled_text(endpoint: Endpoint) -> str:
    since = f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC" if endpoint.failing_since else "a while"
    return "\n".join(
        [
            f"The webhook endpoint {endpoint.url} of {endpoint.company.name} was disabled:",
            endpoint.disabled_reason or "its deliveries kept failing.",
            "",
            f"Every delivery to it has failed since {since}. Events that happen while it is disabled",
            "are not sent to it. Fix the receiver, then enable the endpoint again",
            f'(PATCH /api/v1/webhooks/{endpoint.pk} with {{"enabled": true}}); its pending deliveries',
            "are then sent, and failed ones can be replayed from the delivery log.",
        ]
    )

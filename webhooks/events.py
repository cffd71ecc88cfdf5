"""Recording events: the one call every app makes when something a webhook reports happens.

`record_event` runs inside the caller's transaction: it writes the Event (the outbox) and one
pending Delivery per enabled endpoint of the company that wants the type, and asks a worker to
deliver once the transaction commits. A rolled-back change leaves no event; a worker that dies
before delivering leaves pending deliveries that the `deliver-due-webhooks` beat sends.

`data` is the object as the API shows it. The shapes belong to the API surfaces, which stand above
every app, so each surface registers its shape of an object kind here (from its app's
AppConfig.ready(), like recipients.usage) and the app names the kind and the object.
"""

from collections.abc import Callable
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from webhooks.models import Delivery, Endpoint, Event


class EventType(StrEnum):
    IMPORT_FINISHED = "import.finished"
    IMPORT_FAILED = "import.failed"
    CAMPAIGN_STATUS_CHANGED = "campaign.status_changed"
    PREVIEW_READY = "preview.ready"
    PREVIEW_FAILED = "preview.failed"
    ORDER_CREATED = "order.created"
    ORDER_PAID = "order.paid"
    ORDER_RELEASED = "order.released"
    PRINT_FILES_WRITTEN = "print_files.written"
    OCCURRENCE_FIRED = "occurrence.fired"
    MESSAGES_DELIVERY_SUMMARY = "messages.delivery_summary"
    EXPORT_READY = "export.ready"
    # Sent only by "send a test event" to one endpoint.
    TEST = "webhook.test"


SUBSCRIBABLE = frozenset(EventType) - {EventType.TEST}

Shape = Callable[[object], dict]
_shapes: dict[str, Shape] = {}


def register_shape(kind: str, shape: Shape) -> None:
    """Name the function that shows an object of `kind` as the API does (one per kind)."""
    _shapes[kind] = shape


def shape_of(kind: str, obj) -> dict:
    try:
        shape = _shapes[kind]
    except KeyError:
        raise LookupError(f"No webhook shape registered for {kind!r}") from None
    return shape(obj)


def record_event(
    *, company, type: EventType, kind: str, obj, extra: dict | None = None, workspace=None
) -> Event:
    """Record that `type` happened to `obj` (shown by the shape registered for `kind`, with `extra`
    beside it), in the caller's transaction, and queue its deliveries."""
    data = {kind: shape_of(kind, obj), **(extra or {})}
    workspace_id = getattr(workspace, "pk", workspace)
    event = Event.objects.for_company(company).create(
        company=company, workspace_id=workspace_id, type=type, occurred_at=timezone.now(), data=data
    )
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.for_company(company).filter(enabled=True)
        if endpoint.wants(type, workspace_id)
    ]
    if endpoints:
        queue_deliveries(event, endpoints)
    return event


def queue_deliveries(event: Event, endpoints: list[Endpoint]) -> None:
    """One pending delivery of `event` per endpoint, due now, sent once the transaction commits."""
    Delivery.objects.for_company(event.company_id).bulk_create(
        [
            Delivery(
                company_id=event.company_id,
                endpoint=endpoint,
                event=event,
                occurred_at=event.occurred_at,
                next_attempt_at=event.occurred_at,
            )
            for endpoint in endpoints
        ],
        ignore_conflicts=True,
    )
    endpoint_ids = [str(endpoint.pk) for endpoint in endpoints]
    transaction.on_commit(lambda: _deliver_soon(endpoint_ids))


def _deliver_soon(endpoint_ids: list[str]) -> None:
    from webhooks.tasks import deliver_endpoint

    for endpoint_id in endpoint_ids:
        deliver_endpoint.delay(endpoint_id)

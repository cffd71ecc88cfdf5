"""Reads of webhook endpoints and their deliveries, always scoped to a company: another company's
endpoint or delivery is not found, exactly like a missing one."""

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch

from webhooks.errors import WebhookDeliveryNotFound, WebhookNotFound
from webhooks.models import Attempt, Delivery, Endpoint


@dataclass(frozen=True)
class Page:
    total: int
    offset: int
    limit: int
    items: list


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def get_endpoint_for_company(*, company, endpoint_id, for_update: bool = False) -> Endpoint:
    """The company's endpoint; WebhookNotFound alike for a missing, malformed or foreign id."""
    key = _as_uuid(endpoint_id)
    endpoints = Endpoint.objects.for_company(company)
    if for_update:
        endpoints = endpoints.select_for_update()
    found = endpoints.filter(pk=key).first() if key is not None else None
    if found is None:
        raise WebhookNotFound()
    return found


def endpoint_page(*, company, offset: int, limit: int) -> Page:
    endpoints = Endpoint.objects.for_company(company).order_by("created_at", "id")
    return Page(endpoints.count(), offset, limit, list(endpoints[offset : offset + limit]))


def get_delivery_for_company(
    *, company, endpoint: Endpoint, delivery_id, for_update: bool = False
) -> Delivery:
    """One delivery of the company's endpoint; WebhookDeliveryNotFound alike for a missing,
    malformed, another endpoint's or another company's id."""
    key = _as_uuid(delivery_id)
    deliveries = Delivery.objects.for_company(company).filter(endpoint=endpoint)
    if for_update:
        deliveries = deliveries.select_for_update()
    found = deliveries.filter(pk=key).first() if key is not None else None
    if found is None:
        raise WebhookDeliveryNotFound()
    return found


def delivery_page(*, company, endpoint: Endpoint, offset: int, limit: int) -> Page:
    """An endpoint's deliveries, newest first, each with its event's type and its attempts."""
    deliveries = Delivery.objects.for_company(company).filter(endpoint=endpoint)
    rows = (
        deliveries.select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("attempted_at", "id")))
        .order_by("-created_at", "-id")[offset : offset + limit]
    )
    return Page(deliveries.count(), offset, limit, list(rows))

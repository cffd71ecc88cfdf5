"""Helpers of the webhook event tests: the events and deliveries recorded for a company, and a
change rolled back."""

import pytest
from django.db import transaction

from webhooks.models import Delivery, Endpoint, Event


def events_of(company, type: str | None = None) -> list[Event]:
    rows = Event.objects.for_company(company).order_by("occurred_at", "id")
    return list(rows.filter(type=type) if type else rows)


def one_event(company, type: str) -> Event:
    found = events_of(company, type)
    assert len(found) == 1, [(e.type, e.data) for e in events_of(company)]
    return found[0]


def delivered_types(endpoint: Endpoint) -> list[str]:
    """The types of the events queued for the endpoint, in event order."""
    return list(
        Delivery.objects.for_company(endpoint.company_id)
        .filter(endpoint=endpoint)
        .order_by("occurred_at", "event_id")
        .values_list("event__type", flat=True)
    )


class RolledBack(Exception):
    """Raised to roll a test's change back."""


def rolled_back(change) -> None:
    """Run `change()` in a transaction that is then rolled back."""
    with pytest.raises(RolledBack), transaction.atomic():
        change()
        raise RolledBack

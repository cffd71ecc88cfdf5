"""Helpers of the webhook event tests: endpoints made directly (their API is another change's),
and the events and deliveries recorded for a company."""

import factory
import pytest
from django.db import transaction

from webhooks.models import Delivery, Endpoint, Event, new_secret


class EndpointFactory(factory.django.DjangoModelFactory):
    """An enabled endpoint wanting every event type of its company (all its workspaces)."""

    class Meta:
        model = Endpoint

    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    events = factory.LazyFunction(lambda: ["*"])
    secret = factory.LazyFunction(new_secret)
    workspace = None

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.unscoped


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

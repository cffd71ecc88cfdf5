import factory
from django.utils import timezone

from tests.accounts.factories import CompanyFactory, TenantModelFactory
from webhooks.models import Delivery, Endpoint, Event, new_secret


class EndpointFactory(TenantModelFactory):
    class Meta:
        model = Endpoint

    company = factory.SubFactory(CompanyFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/postroom")
    events = factory.LazyFunction(lambda: ["*"])
    secret = factory.LazyFunction(new_secret)


class EventFactory(TenantModelFactory):
    class Meta:
        model = Event

    company = factory.SubFactory(CompanyFactory)
    type = "order.paid"
    occurred_at = factory.LazyFunction(timezone.now)
    data = factory.LazyFunction(dict)


class DeliveryFactory(TenantModelFactory):
    """A delivery of a new event of the endpoint's company to `endpoint`."""

    class Meta:
        model = Delivery

    endpoint = factory.SubFactory(EndpointFactory)
    company = factory.SelfAttribute("endpoint.company")
    event = factory.SubFactory(EventFactory, company=factory.SelfAttribute("..company"))
    occurred_at = factory.SelfAttribute("event.occurred_at")

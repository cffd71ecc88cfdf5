import factory

from recipients import services
from recipients.models import Recipient, RecipientGroup


class RecipientGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecipientGroup

    name = factory.Sequence(lambda n: f"Group {n}")

    @classmethod
    def _create(cls, model_class, *, company, name):
        return services.group_create(company=company, name=name)


class RecipientFactory(factory.django.DjangoModelFactory):
    """A recipient made by the service (so counts and memberships are real)."""

    class Meta:
        model = Recipient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    address1 = factory.Faker("street_address")
    city = factory.Faker("city")
    postcode = factory.Sequence(lambda n: f"SW1A {n % 10}AA")

    @classmethod
    def _create(cls, model_class, *, company, group=None, **values):
        return services.recipient_create(company=company, values=values, group_id=group.pk if group else None)

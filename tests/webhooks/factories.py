import factory
from factory.django import DjangoModelFactory

from tests.accounts.factories import CompanyFactory
from webhooks.models import Endpoint, new_secret


class EndpointFactory(DjangoModelFactory):
    class Meta:
        model = Endpoint

    company = factory.SubFactory(CompanyFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/postroom")
    events = factory.LazyFunction(lambda: ["*"])
    secret = factory.LazyFunction(new_secret)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.unscoped.create(*args, **kwargs)

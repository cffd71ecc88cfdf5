import uuid

import factory
from django.utils import timezone

from accounts.selectors import default_workspace
from messaging.models import Message, Occurrence
from messaging.services import CampaignFields, message_campaign_create


def message_campaign(*, company, group, status="draft", channel="sms", template="Hi {first_name}", **extra):
    """A message campaign of the company's default workspace, made by the service."""
    return message_campaign_create(
        company=company,
        workspace=default_workspace(company=company),
        data=CampaignFields(
            name=extra.pop("name", "Campaign"), status=status, sending_type=channel,
            schedule_type=extra.pop("schedule_type", "now"), template=template, sender="+41587000000",
            recipient_lists=[str(group.pk)], **extra,
        ),
    )  # fmt: skip


class OccurrenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occurrence

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.unscoped.create(*args, **kwargs)

    campaign = None  # required
    company_id = factory.LazyAttribute(lambda o: o.campaign.company_id)
    scheduled_at = factory.LazyFunction(timezone.now)
    content = factory.LazyAttribute(lambda o: {"channel": o.campaign.channel, "sender": "+41587000000"})
    targeting = factory.LazyFunction(dict)


class MessageFactory(factory.django.DjangoModelFactory):
    """A queued message, due now."""

    class Meta:
        model = Message

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.unscoped.create(*args, **kwargs)

    occurrence = None  # required
    campaign_id = factory.LazyAttribute(lambda m: m.occurrence.campaign_id)
    company_id = factory.LazyAttribute(lambda m: m.occurrence.company_id)
    recipient_id = factory.LazyFunction(uuid.uuid4)
    channel = "sms"
    address = factory.Sequence(lambda n: f"+4477009{n:05d}")
    body = "Hi"
    message_key = factory.LazyFunction(lambda: uuid.uuid4().hex[:30].upper())
    next_attempt_at = factory.LazyFunction(timezone.now)

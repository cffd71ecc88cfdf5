import uuid

import factory
from django.utils import timezone

from accounts.selectors import default_workspace
from campaigns.models import Campaign, MessageStatus
from messaging.models import Message, Occurrence
from messaging.services import CampaignFields, message_campaign_create
from tests.accounts.factories import TenantModelFactory


class MessageCampaignFactory(TenantModelFactory):
    """An active message campaign (its settings are not needed: an occurrence carries its own
    snapshot)."""

    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Message campaign {n}")
    channel = "sms"
    status = MessageStatus.ACTIVE


class OccurrenceFactory(TenantModelFactory):
    """One firing of a message campaign, as the schedule snapshots it: `template` and `groups`
    (RecipientGroups) make its content and targeting; `content` adds to the content (webpush_*)."""

    class Meta:
        model = Occurrence

    campaign = factory.SubFactory(
        MessageCampaignFactory,
        company=factory.SelfAttribute("..company"),
        channel=factory.SelfAttribute("..channel"),
    )
    scheduled_at = factory.LazyFunction(timezone.now)

    class Params:
        channel = "sms"
        template = "Hello {first_name}"
        groups = ()
        query = None
        extra_content = factory.Dict({})

    content = factory.LazyAttribute(
        lambda o: {"channel": o.channel, "sender": "Postroom", "template": o.template, **o.extra_content}
    )
    targeting = factory.LazyAttribute(
        lambda o: {"recipient_lists": [str(group.pk) for group in o.groups], "query": o.query}
    )


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


class MessageFactory(TenantModelFactory):
    """A queued message of an occurrence, due now."""

    class Meta:
        model = Message

    occurrence = None  # required
    campaign_id = factory.LazyAttribute(lambda m: m.occurrence.campaign_id)
    company_id = factory.LazyAttribute(lambda m: m.occurrence.company_id)
    recipient_id = factory.LazyFunction(uuid.uuid4)
    channel = "sms"
    address = factory.Sequence(lambda n: f"+4477009{n:05d}")
    body = "Hi"
    message_key = factory.LazyFunction(lambda: uuid.uuid4().hex[:30].upper())
    next_attempt_at = factory.LazyFunction(timezone.now)

import factory
from django.utils import timezone

from campaigns.models import Campaign, MessageStatus
from messaging.models import Occurrence


class TenantModelFactory(factory.django.DjangoModelFactory):
    """Rows are made through the model's `unscoped` manager (each is given its company)."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.unscoped


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

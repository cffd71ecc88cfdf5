import factory

from campaigns import services
from campaigns.models import Campaign
from templates.formats import format_by_code
from tests.templates.factories import PrintTemplateFactory

# A letter product of the seeded catalogue, and a postcard one.
LETTER_OPTIONS = {"stock_weight": "100UNCOAT", "mail_class": "First"}
CARD_OPTIONS = {"stock_weight": "250SILK", "mail_class": "First"}


def campaign_input(
    *, name="Spring Campaign", format_code="A4_LETTER_C5WIN", group=None, recipient=None, **extra
):
    fmt = format_by_code(format_code)
    options = LETTER_OPTIONS if fmt.kind == "letter" else CARD_OPTIONS
    kind, identifier = (
        ("group", str(group.pk)) if group else ("single", str(recipient.pk)) if recipient else (None, None)
    )
    values = {
        "name": name,
        "page_size": fmt.page_size,
        "orientation": fmt.orientation,
        "envelope": fmt.envelope,
        "recipients_type": kind,
        "recipients_id": identifier,
        **options,
        **extra,
    }
    return services.PrintCampaignInput(**values)


class CampaignFactory(factory.django.DjangoModelFactory):
    """A print campaign made by the create service (mode A), with its history and preview."""

    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    format_code = "A4_LETTER_C5WIN"
    group = None
    recipient = None
    default_recipient_name = ""

    @classmethod
    def _create(cls, model_class, *, company, name, format_code, group, recipient, default_recipient_name):
        template = PrintTemplateFactory(company=company, format_code=format_code)
        spec = campaign_input(
            name=name,
            format_code=format_code,
            group=group,
            recipient=recipient,
            default_recipient_name=default_recipient_name,
        )
        return services.campaign_create(company=company, spec=spec, template_id=template.pk).campaign

"""The cost of an approved campaign and the voucher applied to it. `require_priced`, `price` and
`default_send_date` are shared with campaigns.services.scheduling, which charges what they price.

Lock order (with billing's own): the campaign row, then the balance row, then a voucher row, then
an order row / the day's order counter. Nothing locks a balance and then a campaign."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from billing import dates as dispatch_dates
from billing import selectors as catalogue
from billing import services as billing
from billing.models import Product
from billing.pricing import Cost, cost_breakdown, estimated_delivery
from campaigns import status as machine
from campaigns.errors import CampaignHasNoRecipients, CampaignNotApproved, CampaignReadOnly
from campaigns.models import Campaign, Status
from campaigns.selectors import get_campaign_for_company, get_campaign_for_cost, recipient_count


@dataclass(frozen=True)
class CostOptions:
    """Overrides of a campaign's print options for a cost query (None: the campaign's own)."""

    stock_weight: str | None = None
    mail_class: str | None = None
    is_duplex: bool | None = None
    is_admail: bool | None = None
    is_confidential: bool | None = None


@dataclass(frozen=True)
class CampaignCost:
    campaign: Campaign
    product: Product
    cost: Cost
    scheduled_date: date
    estimated_delivery: date


def require_priced(campaign: Campaign, *, awaiting_payment_ok: bool) -> None:
    """Cost, voucher and schedule work on an approved campaign with recipients. Order of the
    answers: read-only, no recipients (a draft without any is told to add them), not approved."""
    if machine.is_read_only(campaign) or (
        campaign.status == Status.AWAITING_PAYMENT and not awaiting_payment_ok
    ):
        raise CampaignReadOnly()
    if recipient_count(campaign) == 0:
        raise CampaignHasNoRecipients()
    if campaign.status not in (Status.APPROVED, Status.AWAITING_PAYMENT):
        raise CampaignNotApproved()


def _product(campaign: Campaign, options: CostOptions | None) -> Product:
    """The catalogue product for the campaign's options with the overrides; its own product when
    the overrides change nothing (the common query repeats the campaign's own flags)."""
    current = campaign.print_options
    wanted = {
        name: getattr(current, name) if getattr(options, name, None) is None else getattr(options, name)
        for name in ("stock_weight", "mail_class", "is_duplex", "is_admail", "is_confidential")
    }
    same = all(
        (str(value).casefold() == str(getattr(current, name)).casefold()) for name, value in wanted.items()
    )
    if same:
        return current.product
    return catalogue.product_for(format_code=current.format_code, **wanted)


def default_send_date(now: datetime | None = None) -> date:
    """Tomorrow where the post goes out (the spec's default send_date)."""
    return dispatch_dates.dispatch_today(now) + timedelta(days=1)


def price(campaign: Campaign, product: Product, *, send_date: date | None = None, now=None) -> CampaignCost:
    """The breakdown for `send_date`, else the campaign's own, else the first dispatch day from
    tomorrow (shown only: from the process's copy of the blocked dates)."""
    day = send_date or campaign.dispatch_date
    if day is None:
        tomorrow = default_send_date(now)
        day = dispatch_dates.next_available_date_shown(after=tomorrow, now=now) or tomorrow
    cost = cost_breakdown(
        unit_price=product.unit_price, recipients=recipient_count(campaign), voucher=campaign.voucher
    )
    delivery = estimated_delivery(send_date=day, mail_class=product.mail_class)
    return CampaignCost(campaign, product, cost, day, delivery)


def campaign_cost(
    *, company, campaign_id, options: CostOptions | None = None, now: datetime | None = None
) -> CampaignCost:
    """The cost breakdown of an approved campaign, for its own print options or the overrides
    (checked against the catalogue for its format: UnsupportedOption lists what is offered).
    Reads the recipient count frozen at approval: nothing scans recipients."""
    campaign = get_campaign_for_cost(company=company, campaign_id=campaign_id)
    require_priced(campaign, awaiting_payment_ok=True)
    return price(campaign, _product(campaign, options), now=now)


@transaction.atomic
def campaign_voucher_apply(*, company, campaign_id, code: str, by=None) -> CampaignCost:
    """Apply a voucher (any case) to an approved campaign; VoucherInvalid if this company may not
    use it now. It counts as redeemed only when the campaign is paid."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    require_priced(campaign, awaiting_payment_ok=False)
    campaign.voucher = billing.voucher_check(company=company, code=code)
    campaign.save(update_fields=["voucher", "updated_at"])
    return price(campaign, campaign.print_options.product)


@transaction.atomic
def campaign_voucher_remove(*, company, campaign_id, by=None) -> CampaignCost:
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    require_priced(campaign, awaiting_payment_ok=False)
    if campaign.voucher_id is not None:
        campaign.voucher = None
        campaign.save(update_fields=["voucher", "updated_at"])
    return price(campaign, campaign.print_options.product)

"""Reads about campaigns, always scoped to a company."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.utils.dateparse import parse_date, parse_datetime

from billing.models import Product, Voucher
from campaigns.errors import CampaignNotFound
from campaigns.models import SNAPSHOT_FIELDS, Campaign, CampaignRecipient, Channel, PrintOptions, StatusChange
from campaigns.status import ACTIVE
from config.db import fetch_one, for_reading
from recipients.models import Recipient, RecipientGroup

# The list's sort fields (the API's names, matched case-insensitively) -> columns.
SORT_FIELDS = {"updateddate": "updated_at", "createddate": "created_at", "name": "name"}
SORT_ORDERS = ("ascending", "descending")


@dataclass(frozen=True)
class Page:
    total: int
    offset: int
    limit: int
    items: list


def as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


def get_campaign_for_company(*, company, campaign_id, for_update: bool = False) -> Campaign:
    """The company's print campaign; CampaignNotFound alike for a missing, malformed or foreign
    id, and for a message campaign (the platform API serves print only)."""
    key = as_uuid(campaign_id)
    campaigns = Campaign.objects.for_company(company).filter(channel=Channel.POST)
    if for_update:
        campaigns = campaigns.select_for_update(of=("self",))
    found = (
        campaigns.select_related("print_options", "recipient_group").filter(pk=key).first() if key else None
    )
    if found is None:
        raise CampaignNotFound()
    return found


def campaign_of_reference(*, company, reference: str) -> Campaign | None:
    """The campaign a billing reference (a payment's or an order's: the campaign id) names, if it
    is still there."""
    key = as_uuid(reference)
    return Campaign.objects.for_company(company).filter(pk=key).first() if key else None


# What the cost of a campaign reads, in one query (the cost endpoint is called often, and building
# this join with the ORM costs several times more than running it).
# (Three tables: every join costs planning time on each call. The voucher and the group, rarely
# needed, are read after it only when needed.)
_COST_SQL = """
SELECT c.status, c.approved_at, c.recipient_count, c.selection, c.recipient_group_id, c.recipient_id,
       c.dispatch_date, c.voucher_id,
       o.format_code, o.stock_weight, o.mail_class, o.is_duplex, o.is_admail, o.is_confidential,
       o.template_id, o.product_id, p.format_code, p.stock_weight, p.mail_class, p.is_duplex, p.is_admail,
       p.is_confidential, p.product_code, p.unit_price, p.is_active
FROM {campaign} c
JOIN {options} o ON o.campaign_id = c.id
JOIN {product} p ON p.id = o.product_id
WHERE c.id = %s AND c.company_id = %s
"""


@lru_cache(maxsize=1)
def _cost_sql() -> str:
    return _COST_SQL.format(
        campaign=Campaign._meta.db_table, options=PrintOptions._meta.db_table, product=Product._meta.db_table
    )


def _uuid(value):
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _day(value):
    return value if value is None or isinstance(value, date) else parse_date(str(value))


def _moment(value):
    return value if value is None or isinstance(value, datetime) else parse_datetime(str(value))


def _money(value):
    # SQLite hands back floats for decimals; str() keeps the two places exactly.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def get_campaign_for_cost(*, company, campaign_id) -> Campaign:
    """The company's campaign with its print options, product, voucher and group (what cost,
    voucher and schedule answers read), from one query; CampaignNotFound like
    get_campaign_for_company. The instances are for reading: save nothing through them."""
    key = as_uuid(campaign_id)
    if key is None:
        raise CampaignNotFound()
    prep = Campaign._meta.pk.get_db_prep_value
    row = fetch_one(_cost_sql(), [prep(key, connection), prep(company.pk, connection)])
    if row is None:
        raise CampaignNotFound()
    (status, approved_at, count, selection, group_id, recipient_id, dispatch_date, voucher_id,
     format_code, stock, mail, duplex, admail, confidential, template_id, product_id, p_format, p_stock,
     p_mail, p_duplex, p_admail, p_confidential, product_code, unit_price, p_active) = row  # fmt: skip
    campaign = for_reading(Campaign, {
        "id": key, "company_id": company.pk, "status": status, "approved_at": _moment(approved_at),
        "recipient_count": count, "selection": selection, "recipient_group_id": _uuid(group_id),
        "recipient_id": _uuid(recipient_id), "dispatch_date": _day(dispatch_date), "voucher_id": voucher_id,
    })  # fmt: skip
    campaign.company = company
    product = for_reading(Product, {
        "id": product_id, "format_code": p_format, "stock_weight": p_stock, "mail_class": p_mail,
        "is_duplex": bool(p_duplex), "is_admail": bool(p_admail), "is_confidential": bool(p_confidential),
        "product_code": product_code, "unit_price": _money(unit_price), "is_active": bool(p_active),
    })  # fmt: skip
    options = for_reading(PrintOptions, {
        "campaign_id": key, "format_code": format_code, "stock_weight": stock, "mail_class": mail,
        "is_duplex": bool(duplex), "is_admail": bool(admail), "is_confidential": bool(confidential),
        "template_id": template_id, "product_id": product_id,
    })  # fmt: skip
    # The related instances made above, cached through the relations' descriptors (a one-to-one
    # caches both ways: options.campaign and campaign.print_options).
    options.product = product
    options.campaign = campaign
    campaign.voucher = Voucher.objects.filter(pk=voucher_id).first() if voucher_id else None
    if group_id is not None and approved_at is None:  # a live count: read before approval only
        campaign.recipient_group = (
            RecipientGroup.objects.for_company(company).filter(pk=_uuid(group_id)).first()
        )
    return campaign


def campaign_page(*, company, sort_field: str, descending: bool, offset: int, limit: int) -> Page:
    column = SORT_FIELDS[sort_field]
    order = [f"-{column}", "-id"] if descending else [column, "id"]
    campaigns = Campaign.objects.for_company(company).filter(channel=Channel.POST)
    total = campaigns.count()
    rows = campaigns.select_related("print_options", "recipient_group").order_by(*order)[
        offset : offset + limit
    ]
    return Page(total, offset, limit, list(rows))


def recipient_count(campaign: Campaign) -> int:
    """Frozen at approval; until then, the selection's count now."""
    if campaign.approved_at is not None:
        return campaign.recipient_count
    if campaign.selection == Campaign.Selection.GROUP:
        return campaign.recipient_group.recipient_count if campaign.recipient_group else 0
    if campaign.selection == Campaign.Selection.SINGLE:
        return 1 if campaign.recipient_id else 0
    return 0


def status_history(campaign: Campaign) -> list[StatusChange]:
    return list(StatusChange.objects.filter(campaign=campaign).order_by("changed_at", "id"))


def first_recipient_fields(campaign: Campaign) -> dict | None:
    """The address fields of the campaign's first recipient: the snapshot's once approved, the
    selection's first member before; None when there is none."""
    if campaign.approved_at is not None:
        return (
            CampaignRecipient.objects.filter(campaign=campaign)
            .order_by("sequence")
            .values(*SNAPSHOT_FIELDS)
            .first()
        )
    recipients = Recipient.objects.for_company(campaign.company)
    if campaign.selection == Campaign.Selection.GROUP and campaign.recipient_group_id:
        recipients = recipients.filter(memberships__group_id=campaign.recipient_group_id).order_by(
            "memberships__id"
        )
    elif campaign.selection == Campaign.Selection.SINGLE and campaign.recipient_id:
        recipients = recipients.filter(pk=campaign.recipient_id)
    else:
        return None
    return recipients.values(*SNAPSHOT_FIELDS).first()


def snapshot_rows(campaign: Campaign):
    """The frozen recipient list in send order (for print output), as dicts."""
    return (
        CampaignRecipient.objects.filter(campaign=campaign)
        .order_by("sequence")
        .values("sequence", "recipient_id", *SNAPSHOT_FIELDS)
        .iterator(chunk_size=2000)
    )


# ---- used by recipients.usage (registered in CampaignsConfig.ready) ----------------------------


def recipients_in_active_campaign(company, recipient_ids: list) -> bool:
    return CampaignRecipient.objects.filter(
        recipient_id__in=recipient_ids, campaign__company=company, campaign__status__in=ACTIVE
    ).exists()


def group_in_active_campaign(company, group_id) -> bool:
    return (
        Campaign.objects.for_company(company).filter(recipient_group_id=group_id, status__in=ACTIVE).exists()
    )

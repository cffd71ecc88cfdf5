"""Reads about campaigns, always scoped to a company."""

import uuid
from dataclasses import dataclass

from campaigns.errors import CampaignNotFound
from campaigns.models import SNAPSHOT_FIELDS, Campaign, CampaignRecipient, StatusChange
from campaigns.status import ACTIVE
from recipients.models import Recipient

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
    """The company's campaign; CampaignNotFound alike for a missing, malformed or foreign id."""
    key = as_uuid(campaign_id)
    campaigns = Campaign.objects.for_company(company)
    if for_update:
        campaigns = campaigns.select_for_update(of=("self",))
    found = (
        campaigns.select_related("print_options", "recipient_group").filter(pk=key).first() if key else None
    )
    if found is None:
        raise CampaignNotFound()
    return found


def campaign_page(*, company, sort_field: str, descending: bool, offset: int, limit: int) -> Page:
    column = SORT_FIELDS[sort_field]
    order = [f"-{column}", "-id"] if descending else [column, "id"]
    campaigns = Campaign.objects.for_company(company)
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

"""Reads of message campaigns, their firings and messages, always scoped to a company and one
of its workspaces."""

import uuid
from dataclasses import dataclass

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from campaigns.models import MESSAGE_CHANNELS, Campaign, MessageStatus
from config.errors import InvalidInput
from messaging.errors import MessageCampaignNotFound, MessagingErrorCode
from messaging.models import Message, Occurrence

# The services API's sort keys -> columns.
SORT_COLUMNS = {
    "created_dt": "created_at",
    "updated_dt": "updated_at",
    "name": "name",
    "next_dt": "message_settings__next_at",
    "last_dt": "message_settings__last_at",
}
RECENT_OCCURRENCES = 100


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


def message_campaigns(*, company, workspace):
    """The workspace's message campaigns (none for another company's workspace)."""
    if workspace is None or workspace.company_id != company.pk:
        return Campaign.objects.for_company(company).none()
    return Campaign.objects.for_company(company).filter(workspace=workspace, channel__in=MESSAGE_CHANNELS)


def get_message_campaign(*, company, workspace, campaign_id, for_update: bool = False) -> Campaign:
    """The workspace's message campaign with its settings; MessageCampaignNotFound alike for a
    missing, malformed, print or another workspace's (or company's) one."""
    key = _as_uuid(campaign_id)
    campaigns = message_campaigns(company=company, workspace=workspace)
    if for_update:
        campaigns = campaigns.select_for_update(of=("self",))
    found = campaigns.select_related("message_settings").filter(pk=key).first() if key else None
    if found is None:
        raise MessageCampaignNotFound()
    return found


@dataclass(frozen=True)
class CampaignPage:
    total: int
    campaigns: list[Campaign]


def message_campaign_page(
    *,
    company,
    workspace,
    order: list[tuple[str, bool]],
    offset: int,
    limit: int,
    sending_type=None,
    status=None,
) -> CampaignPage:
    """One page of the workspace's message campaigns, filtered, in `order` ([(sort key,
    descending)], the services API's keys; id breaks ties)."""
    campaigns = message_campaigns(company=company, workspace=workspace)
    if sending_type:
        campaigns = campaigns.filter(channel=sending_type)
    if status:
        campaigns = campaigns.filter(status=status)
    columns = []
    for key, descending in order:
        column = SORT_COLUMNS.get(key)
        if column is None:
            raise InvalidInput(MessagingErrorCode.SORT_UNKNOWN, field="sort", value=key)
        columns.append(f"-{column}" if descending else column)
    last_descending = order[-1][1] if order else True
    columns.append("-id" if last_descending else "id")
    total = campaigns.count()
    rows = list(campaigns.select_related("message_settings").order_by(*columns)[offset : offset + limit])
    return CampaignPage(total=total, campaigns=rows)


def recent_occurrences(campaign_ids: list) -> dict:
    """campaign id -> its newest RECENT_OCCURRENCES firings, newest first (one query)."""
    found: dict = {key: [] for key in campaign_ids}
    newest_first = [F("scheduled_at").desc(), F("id").desc()]
    rows = (
        Occurrence.unscoped.filter(campaign_id__in=campaign_ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("campaign_id")], order_by=newest_first))
        .filter(rank__lte=RECENT_OCCURRENCES)
        .order_by("campaign_id", *newest_first)
    )
    for occurrence in rows:
        found[occurrence.campaign_id].append(occurrence)
    return found


def message_counts(campaign_ids: list) -> dict:
    """campaign id -> {status: count} over all its messages (counted, never listed)."""
    counts: dict = {key: dict.fromkeys(Message.Status.values, 0) for key in campaign_ids}
    rows = (
        Message.unscoped.filter(campaign_id__in=campaign_ids)
        .values_list("campaign_id", "status")
        .annotate(n=Count("*"))
        .order_by()
    )
    for campaign_id, status, n in rows:
        counts[campaign_id][status] = n
    return counts


def group_in_active_message_campaign(company, group_id) -> bool:
    """Whether an active message campaign of the company targets the group (it fires again)."""
    return (
        message_campaigns_of_company(company)
        .filter(status=MessageStatus.ACTIVE, message_settings__recipient_lists__icontains=str(group_id))
        .exists()
    )


def message_campaigns_of_company(company):
    return Campaign.objects.for_company(company).filter(channel__in=MESSAGE_CHANNELS)

"""Reads of message campaigns, their firings and messages, always scoped to a company and one
of its workspaces."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from django.db import connection
from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils.dateparse import parse_datetime

from campaigns.models import MESSAGE_CHANNELS, Campaign, MessageSettings, MessageStatus
from config.db import fetch_all, fetch_one, for_reading
from config.errors import InvalidInput
from messaging.errors import (
    ClientCampaignNotFound,
    MessageCampaignNotFound,
    MessageNotFound,
    MessagingErrorCode,
)
from messaging.models import CampaignClient, ClientCampaign, Message, Occurrence

# The services API's sort keys -> columns of the list's query (c: the campaign, s: its settings).
SORT_COLUMNS = {
    "created_dt": "c.created_at",
    "updated_dt": "c.updated_at",
    "name": "c.name",
    "next_dt": "s.next_at",
    "last_dt": "s.last_at",
}
RECENT_OCCURRENCES = 100


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


def message_campaigns(*, company, workspace):
    """The workspace's message campaigns of the services API (none for another company's
    workspace). Campaign API v2's campaigns (their own clients) are managed through that API."""
    if workspace is None or workspace.company_id != company.pk:
        return Campaign.objects.for_company(company).none()
    return (
        Campaign.objects.for_company(company)
        .filter(workspace=workspace, channel__in=MESSAGE_CHANNELS)
        .exclude(selection=Campaign.Selection.CLIENTS)
    )


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


_PAGE_SQL = """
SELECT c.id, c.channel, c.name, c.status, c.created_at, c.updated_at,
       s.schedule_type, s.schedule_rrule, s.template, s.sender, s.webpush_title, s.webpush_body,
       s.webpush_target_url, s.webpush_icon, s.webpush_image, s.recipient_lists, s.query_type,
       s.query, s.activated_at, s.next_at, s.last_at,
       (SELECT COUNT(*) FROM {campaign} t WHERE {t_where})
FROM {campaign} c
LEFT JOIN {settings} s ON s.campaign_id = c.id
WHERE {c_where}
ORDER BY {order}
LIMIT %s OFFSET %s
"""
_COUNT_SQL = "SELECT COUNT(*) FROM {campaign} t WHERE {t_where}"


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
    descending)], the services API's keys; id breaks ties), with their settings; and the total.

    The services API's most called read, so one hand-written query (config.db): compiling it with
    the ORM costs more than running it. The total comes in the same query, as a subquery the
    database runs once; a page past the end has no row to carry it, and counts apart."""
    columns = []
    for key, descending in order:
        column = SORT_COLUMNS.get(key)
        if column is None:
            raise InvalidInput(MessagingErrorCode.SORT_UNKNOWN, field="sort", value=key)
        columns.append(f"{column} DESC" if descending else column)
    last_descending = order[-1][1] if order else True
    columns.append("c.id DESC" if last_descending else "c.id")
    if workspace is None or workspace.company_id != company.pk:
        return CampaignPage(total=0, campaigns=[])
    where, params = _page_filter(company, workspace, sending_type, status)
    tables = {"campaign": Campaign._meta.db_table, "settings": MessageSettings._meta.db_table}
    sql = _PAGE_SQL.format(
        **tables, c_where=where.format(t="c"), t_where=where.format(t="t"), order=", ".join(columns)
    )
    rows = fetch_all(sql, [*params, *params, limit, offset])
    if rows:
        total = rows[0][-1]
    elif offset:
        total = fetch_one(_COUNT_SQL.format(**tables, t_where=where.format(t="t")), params)[0]
    else:
        total = 0
    return CampaignPage(total=total, campaigns=[_campaign_of_row(row, company, workspace) for row in rows])


def _page_filter(company, workspace, sending_type, status) -> tuple[str, list]:
    """The list's WHERE, for a table alias `{t}`, and its parameters."""
    prep = Campaign._meta.pk.get_db_prep_value
    channels = ", ".join(["%s"] * len(MESSAGE_CHANNELS))
    where = (
        f"{{t}}.company_id = %s AND {{t}}.workspace_id = %s AND {{t}}.channel IN ({channels}) "
        "AND {t}.selection <> %s"
    )
    params = [
        prep(company.pk, connection),
        prep(workspace.pk, connection),
        *MESSAGE_CHANNELS,
        Campaign.Selection.CLIENTS.value,
    ]
    if sending_type:
        where += " AND {t}.channel = %s"
        params.append(sending_type)
    if status:
        where += " AND {t}.status = %s"
        params.append(status)
    return where, params


def _campaign_of_row(row, company, workspace) -> Campaign:
    (pk, channel, name, status, created_at, updated_at, schedule_type, schedule_rrule, template, sender,
     webpush_title, webpush_body, webpush_target_url, webpush_icon, webpush_image, recipient_lists,
     query_type, query, activated_at, next_at, last_at, _total) = row  # fmt: skip
    campaign = for_reading(Campaign, {
        "id": _as_uuid(pk), "company_id": company.pk, "channel": channel, "workspace_id": workspace.pk,
        "name": name, "status": status, "created_at": _moment(created_at), "updated_at": _moment(updated_at),
    })  # fmt: skip
    settings = for_reading(MessageSettings, {
        "campaign_id": campaign.pk, "schedule_type": schedule_type, "schedule_rrule": schedule_rrule,
        "template": template, "sender": sender, "webpush_title": webpush_title, "webpush_body": webpush_body,
        "webpush_target_url": webpush_target_url, "webpush_icon": webpush_icon, "webpush_image": webpush_image,
        "recipient_lists": _json(recipient_lists), "query_type": query_type, "query": _json(query),
        "activated_at": _moment(activated_at), "next_at": _moment(next_at), "last_at": _moment(last_at),
    })  # fmt: skip
    campaign.company, campaign.workspace = company, workspace
    # Cached through the one-to-one's descriptor, both ways (campaign.message_settings too).
    settings.campaign = campaign
    return campaign


def _moment(value) -> datetime | None:
    """A column's date-time, aware (SQLite gives text in UTC)."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    return moment.replace(tzinfo=UTC)


def _json(value):
    """A JSON column's value (Django's database connections give its text)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


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
    """campaign id -> {status: count} over all its messages, from its counters (messaging.counters:
    sent counts the delivered too), never counted per request."""
    counts: dict = {key: dict.fromkeys(Message.Status.values, 0) for key in campaign_ids}
    rows = MessageSettings.objects.filter(campaign_id__in=campaign_ids).values_list(
        "campaign_id", "total_messages", "sent_count", "delivered_count", "failed_count"
    )
    for campaign_id, total, sent, delivered, failed in rows:
        counts[campaign_id] = {
            Message.Status.QUEUED: max(total - sent - failed, 0),
            Message.Status.SENT: sent - delivered,
            Message.Status.DELIVERED: delivered,
            Message.Status.FAILED: failed,
        }
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


# ---- client campaigns (campaign API v2) ----------------------------------------------------------


class ClientCampaignState(StrEnum):
    """Where a client campaign is, derived from its status and progress (never stored)."""

    SCHEDULED = "scheduled"  # its send time is ahead
    SENDING = "sending"  # fired: messages being written or sent
    COMPLETED = "completed"  # every message sent or failed
    STOPPED = "stopped"
    DELETED = "deleted"


MAX_CLIENT_CAMPAIGN_PAGE = 1000


def client_campaign_state(client_campaign: ClientCampaign, occurrence_status: str | None = None) -> str:
    """`occurrence_status`: its firing's status, when it has fired (None: not known, or none)."""
    campaign = client_campaign.campaign
    settings = campaign.message_settings
    if campaign.status == MessageStatus.STOPPED:
        return ClientCampaignState.STOPPED
    if settings.last_at is None:
        return ClientCampaignState.SCHEDULED
    if occurrence_status == Occurrence.Status.FAILED:
        return ClientCampaignState.COMPLETED  # nothing more will be sent; Error says why
    if occurrence_status in (Occurrence.Status.PENDING, Occurrence.Status.GENERATING):
        return ClientCampaignState.SENDING
    written = settings.total_messages
    settled = settings.sent_count + settings.failed_count
    if written < client_campaign.client_count or settled < written:
        return ClientCampaignState.SENDING
    return ClientCampaignState.COMPLETED


def _client_campaigns(company):
    return ClientCampaign.objects.for_company(company).select_related("campaign__message_settings")


def get_client_campaign(*, company, number, for_update: bool = False) -> ClientCampaign:
    """The company's client campaign by its integer ID (campaign row locked when for_update);
    ClientCampaignNotFound alike for a missing, deleted or another company's one."""
    campaigns = _client_campaigns(company)
    if for_update:
        campaigns = campaigns.select_for_update(of=("campaign",))
    found = campaigns.filter(pk=number).first() if isinstance(number, int) and number > 0 else None
    if found is None:
        raise ClientCampaignNotFound()
    return found


def with_firing_status(client_campaigns):
    """The client campaigns, each with its firing's status as `firing_status` (None before it
    fires), read in the same query: client_campaign_state(row, row.firing_status)."""
    firing = Occurrence.unscoped.filter(campaign_id=OuterRef("campaign_id")).values("status")[:1]
    return client_campaigns.annotate(firing_status=Subquery(firing))


def client_campaign_page(*, company, limit: int) -> tuple[list[tuple[ClientCampaign, str]], int]:
    """The company's newest `limit` client campaigns, each with its state; and how many it has."""
    rows = list(with_firing_status(_client_campaigns(company)).order_by("-id")[:limit])
    total = len(rows) if len(rows) < limit else ClientCampaign.objects.for_company(company).count()
    return [(row, client_campaign_state(row, row.firing_status)) for row in rows], total


def clients_at(client_campaign: ClientCampaign, *, first: int, last: int) -> list[CampaignClient]:
    """The campaign's clients at positions first..last (positions run 1..client_count), read
    through the key (campaign, position)."""
    return list(
        CampaignClient.objects.filter(
            campaign_id=client_campaign.campaign_id, position__gte=first, position__lte=last
        ).order_by("position")
    )


def client_campaign_with_state(client_campaign: ClientCampaign) -> str:
    firing = Occurrence.unscoped.filter(campaign_id=client_campaign.campaign_id).values_list(
        "status", flat=True
    )
    return client_campaign_state(client_campaign, firing.first())


def client_campaign_clients(campaign_id) -> list[tuple[str, list[str]]]:
    """A client campaign's clients in order: [(account_id, params)]."""
    return list(
        CampaignClient.objects.filter(campaign_id=campaign_id)
        .order_by("position")
        .values_list("account_id", "params")
    )


MESSAGE_COLUMNS = (
    "message_key", "address", "status", "last_error", "attempts", "body", "sent_at", "delivered_at",
)  # fmt: skip
_CLIENT_CAMPAIGN_SQL = f"""
SELECT c.campaign_id, s.total_messages FROM {ClientCampaign._meta.db_table} c
JOIN {MessageSettings._meta.db_table} s ON s.campaign_id = c.campaign_id
WHERE c.company_id = %s AND c.id = %s
"""  # noqa: S608 (table names only)
# In the order of the index message_once_per_client: the first `limit` rows are read, no more.
_CLIENT_MESSAGES_SQL = f"""
SELECT {", ".join(MESSAGE_COLUMNS)} FROM {Message._meta.db_table}
WHERE company_id = %s AND campaign_id = %s AND client IS NOT NULL
ORDER BY campaign_id, occurrence_id, client
LIMIT %s
"""  # noqa: S608 (column and table names only)


def client_campaign_messages(*, company, number, limit: int) -> tuple[ClientCampaign, list[dict], int]:
    """A client campaign's first `limit` messages in client order, and how many it has
    (ClientCampaignNotFound as get_client_campaign). Campaign API v2's most called read of a
    campaign, so two hand-written queries (config.db): compiling them with the ORM costs more than
    running them."""
    found = None
    company_key = ClientCampaign._meta.get_field("company").get_db_prep_value(company.pk, connection)
    if isinstance(number, int) and number > 0:
        found = fetch_one(_CLIENT_CAMPAIGN_SQL, [company_key, number])
    if found is None:
        raise ClientCampaignNotFound()
    campaign_key, total = found
    rows = fetch_all(_CLIENT_MESSAGES_SQL, [company_key, campaign_key, limit])
    client_campaign = for_reading(ClientCampaign, {"id": number, "company_id": company.pk})
    return client_campaign, [_message_of_row(row) for row in rows], total


def _message_of_row(row) -> dict:
    message = dict(zip(MESSAGE_COLUMNS, row, strict=True))
    message["sent_at"] = _moment(message["sent_at"])
    message["delivered_at"] = _moment(message["delivered_at"])
    return message


def get_message_for_company(*, company, message_key) -> Message:
    """A message of the company by its key (of a campaign that still exists), with its firing."""
    key = message_key.strip().upper() if isinstance(message_key, str) else ""
    found = (
        Message.objects.for_company(company)
        .filter(message_key=key, campaign__company=company)
        .select_related("occurrence")
        .first()
        if key
        else None
    )
    if found is None:
        raise MessageNotFound()
    return found

"""Reads of message campaigns, their firings and messages, always scoped to a company and one
of its workspaces."""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.selectors import workspaces_of_company
from campaigns.models import MESSAGE_CHANNELS, Campaign, MessageSettings, MessageStatus
from config.db import fetch_all, fetch_one, for_reading
from config.errors import InvalidInput
from messaging import schedules
from messaging.errors import (
    ClientCampaignNotFound,
    ExportCampaignNotFound,
    MessageCampaignNotFound,
    MessageNotFound,
    MessagingErrorCode,
)
from messaging.models import CampaignClient, ClientCampaign, Message, MessageExport, Occurrence

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


# ---- the messages export (/v1/) ------------------------------------------------------------------


class ExportStage(StrEnum):
    """Where a message campaign stands for the messages export API (derived, never stored)."""

    DRAFT = "Draft"  # nothing generated yet
    GENERATING = "Generating"  # a firing's messages are being written
    READY_TO_PUBLISH = "Ready to Publish"  # messages that no finished export holds
    PUBLISHING = "Publishing"  # an export at work
    PUBLISHED = "Published"  # the current export holds every message


EXPORT_AT_WORK = (MessageExport.Status.QUEUED, MessageExport.Status.RUNNING)
GENERATION_UNDER_WAY = (Occurrence.Status.PENDING, Occurrence.Status.GENERATING)
_DIGITS = re.compile(r"[0-9]{1,18}")


def get_exportable_campaign(*, company, campaign_id) -> Campaign:
    """A message campaign of the company, with its settings, by its UUID (text or uuid) or by its
    campaign API v2 ID (an int or a string of digits); ExportCampaignNotFound alike for a missing,
    malformed, print or another company's one."""
    campaigns = message_campaigns_of_company(company).select_related("message_settings")
    found = None
    if isinstance(campaign_id, int) and not isinstance(campaign_id, bool):
        number = campaign_id
    elif isinstance(campaign_id, str) and _DIGITS.fullmatch(campaign_id.strip()):
        number = int(campaign_id.strip())
    else:
        number = None
    if number is not None:
        if 0 < number < 2**63:
            found = campaigns.filter(client_campaign__pk=number).first()
    elif (key := _as_uuid(campaign_id)) is not None:
        found = campaigns.filter(pk=key).first()
    if found is None:
        raise ExportCampaignNotFound()
    return found


def settings_of(campaign: Campaign) -> MessageSettings | None:
    try:
        return campaign.message_settings
    except MessageSettings.DoesNotExist:
        return None


def export_stage(
    *, total_messages: int, generating: bool, export_at_work: bool, published_rows: int | None
) -> ExportStage:
    """`published_rows`: the rows of the campaign's current export (None: never published). New
    messages since (a later firing) make it Ready to Publish again."""
    if export_at_work:
        return ExportStage.PUBLISHING
    if generating:
        return ExportStage.GENERATING
    if not total_messages:
        return ExportStage.DRAFT
    if published_rows is not None and published_rows == total_messages:
        return ExportStage.PUBLISHED
    return ExportStage.READY_TO_PUBLISH


def campaigns_by_workspace(*, company) -> list[dict]:
    """Every workspace of the company with its message campaigns (the services API's and
    campaign API v2's), newest first: id, name, channel, status, export stage, first and last
    firing (ISO 8601; the last None while open-ended) and messages written. Two queries."""
    workspaces = workspaces_of_company(company=company)
    by_workspace: dict = {workspace.pk: [] for workspace in workspaces}
    default = next((workspace.pk for workspace in workspaces if workspace.is_default), None)
    for campaign in _exportable_campaigns_annotated(company):
        # A message campaign always has a workspace; one made without (by hand) shows in the default.
        entries = by_workspace.get(campaign.workspace_id, by_workspace.get(default))
        if entries is not None:
            entries.append(_campaign_entry(campaign))
    return [
        {
            "workspace_id": str(workspace.pk),
            "workspace_name": workspace.name,
            "campaigns": by_workspace[workspace.pk],
        }
        for workspace in workspaces
    ]


def _exportable_campaigns_annotated(company):
    of_campaign = {"campaign_id": OuterRef("pk")}
    first_firing = Occurrence.unscoped.filter(**of_campaign).order_by("scheduled_at").values("scheduled_at")
    exports = MessageExport.unscoped.filter(**of_campaign)
    return (
        message_campaigns_of_company(company)
        .select_related("message_settings")
        .annotate(
            first_fired_at=Subquery(first_firing[:1]),
            generating=Exists(Occurrence.unscoped.filter(**of_campaign, status__in=GENERATION_UNDER_WAY)),
            export_at_work=Exists(exports.filter(status__in=EXPORT_AT_WORK)),
            published_rows=Subquery(exports.filter(is_current=True).values("rows")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def _campaign_entry(campaign: Campaign) -> dict:
    settings = settings_of(campaign)
    total = settings.total_messages if settings is not None else 0
    stage = export_stage(
        total_messages=total,
        generating=campaign.generating,
        export_at_work=campaign.export_at_work,
        published_rows=campaign.published_rows,
    )
    start = campaign.first_fired_at or (settings.next_at if settings is not None else None)
    if start is None and settings is not None:
        start = _planned_firing(settings)
    return {
        "campaign_id": str(campaign.pk),
        "name": campaign.name,
        "channel": campaign.channel,
        "status": campaign.status,
        "stage": stage.value,
        "start_date": _iso(start),
        "end_date": _iso(_final_firing(campaign, settings)),
        "total_messages": total,
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return _moment(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")


def _schedule(settings: MessageSettings, activated_at: datetime) -> schedules.Schedule | None:
    try:
        return schedules.parse_schedule(
            schedule_type=settings.schedule_type,
            schedule_rrule=settings.schedule_rrule,
            activated_at=activated_at,
        )
    except InvalidInput:  # stored before a rule tightened: no date rather than a failed list
        return None


def _planned_firing(settings: MessageSettings) -> datetime | None:
    """A draft's firing when its schedule names one (a `once` time)."""
    if settings.schedule_type != MessageSettings.ScheduleType.ONCE:
        return None
    schedule = _schedule(settings, timezone.now())
    return schedule.dtstart if schedule is not None else None


def _final_firing(campaign: Campaign, settings: MessageSettings | None) -> datetime | None:
    """The last firing: made already when nothing is left to fire (finished, stopped), planned
    for a `now` or `once` one still to fire and for a rule that ends; None while open-ended."""
    if settings is None:
        return None
    if settings.next_at is None:
        if campaign.status == MessageStatus.DRAFT:
            return _planned_firing(settings)
        return settings.last_at
    if settings.schedule_type != MessageSettings.ScheduleType.SCHEDULED:
        return settings.next_at
    rule = settings.schedule_rrule.upper()
    if "COUNT=" not in rule and "UNTIL=" not in rule:
        return None
    schedule = _schedule(settings, settings.activated_at or timezone.now())
    return schedules.last_firing(schedule, activated_at=settings.activated_at) if schedule else None

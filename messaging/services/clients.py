"""Client campaigns (campaign API v2): a message campaign with its own list of clients, each with
the params of its template's {{n}} variables, sent once (now, or at SendAt).

A client campaign is a campaigns.Campaign (channel whatsapp, selection `clients`, the company's
default workspace) with its MessageSettings (a `once` schedule; the JSON message as its template)
and a ClientCampaign beside it (the integer ID, what it was made from). Its clients are written
with one COPY on PostgreSQL. From there the messaging core fires, generates (one message per
client, messaging.generation) and delivers it like any message campaign."""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain, islice

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.selectors import default_workspace
from campaigns import status as campaign_status
from campaigns.models import Campaign, Channel, MessageSettings, MessageStatus
from messaging import counters
from messaging.delivery import Outgoing, Result, backend_for
from messaging.errors import (
    ClientCampaignErrorCode,
    InvalidInput,
    RuleViolation,
    UpstreamFailed,
)
from messaging.models import CampaignClient, CampaignPurge, ClientCampaign, Message
from messaging.selectors import (
    ClientCampaignState,
    client_campaign_clients,
    client_campaign_state,
    get_client_campaign,
    get_message_for_company,
)
from messaging.services.campaigns import activate_schedule, wake_beat_if_due
from templates.models import variables_needed
from templates.selectors import message_template_for_company

MIN_CLIENTS = 2
MAX_CLIENTS = 100_000
MAX_PARAMS = 100
MAX_PARAM_CHARS = 1_000
MAX_NAME_CHARS = 200
MAX_MESSAGE_CHARS = 10_000
MAX_JSON_CHARS = 64 * 1024
# E.164: up to 15 digits, the first not 0; the + is optional on the way in and always stored.
ACCOUNT_ID = re.compile(r"\+?([1-9][0-9]{6,14})")
# AccountIDs in their stored form, one a line.
ALL_STORED_ACCOUNT_IDS = re.compile(r"(?:\+[1-9][0-9]{6,14}\n)*")
# What a JSON string must escape: with none of it in any param, a param list is written as
# ["param", ...] directly (and needs no escaping in COPY's text format either).
JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')
COPY_BATCH_SQLITE = 5_000


@dataclass(frozen=True)
class ClientCampaignFields:
    """A create request's fields ('' or None: not given). The clients come as two columns, their
    AccountIDs and their params, in order: a create has up to 100,000 of them."""

    name: str | None
    account_ids: list[str]
    params: list[list[str]]
    message: str = ""
    json: str = ""
    template_id: str = ""
    send_at: datetime | None = None


@dataclass(frozen=True)
class ClientCampaignWritten:
    """A client campaign as a write left it, with its clients ([(account_id, params)], in order)."""

    client_campaign: ClientCampaign
    clients: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class DeletedClientCampaign(ClientCampaignWritten):
    """A client campaign as it was when deleted (its rows are gone)."""

    state: ClientCampaignState = ClientCampaignState.DELETED


def client_campaign_create(*, company, user, data: ClientCampaignFields, now=None) -> ClientCampaignWritten:
    """Check the request (in the spec's order), then make the campaign with its clients and
    start its schedule: it fires at send_at, or at once when that is absent or past."""
    now = now or timezone.now()
    name = (data.name or "").strip()
    if not name:
        raise InvalidInput(ClientCampaignErrorCode.NAME_REQUIRED, field="name")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(ClientCampaignErrorCode.FIELD_INVALID, field="name", maximum=MAX_NAME_CHARS)
    client_count = len(data.account_ids)
    if client_count < MIN_CLIENTS:
        raise InvalidInput(ClientCampaignErrorCode.TOO_FEW_CLIENTS, field="clients", minimum=MIN_CLIENTS)
    if client_count > MAX_CLIENTS:
        raise InvalidInput(ClientCampaignErrorCode.TOO_MANY_CLIENTS, field="clients", maximum=MAX_CLIENTS)
    template = None
    if data.template_id:
        template = message_template_for_company(company=company, template_id=data.template_id)
        if template is None:
            raise InvalidInput(ClientCampaignErrorCode.MESSAGE_TEMPLATE_NOT_FOUND, field="template_id")
    if not data.json and template is None:
        raise InvalidInput(ClientCampaignErrorCode.CONTENT_REQUIRED, field="json")
    message = data.message or (template.body if template else "")
    json_text = data.json or (template.json if template else "")
    document = _json_message(json_text)
    _check_params(data.params, json_text=json_text, template=template)
    account_ids = _account_ids(data.account_ids)
    if len(message) > MAX_MESSAGE_CHARS:
        raise InvalidInput(ClientCampaignErrorCode.FIELD_INVALID, field="message", maximum=MAX_MESSAGE_CHARS)
    send_at = data.send_at if data.send_at is not None and data.send_at > now else now
    first_params = len(data.params[0])
    body_variables = variables_needed(template.body) if template else first_params
    with transaction.atomic():
        campaign = Campaign.objects.for_company(company).create(
            company=company,
            workspace=default_workspace(company=company),
            channel=Channel.WHATSAPP,
            name=name,
            status=MessageStatus.DRAFT,
            selection=Campaign.Selection.CLIENTS,
            recipient_count=client_count,
            created_by=user,
        )
        settings = MessageSettings.objects.create(
            campaign=campaign,
            **_schedule_values(send_at),
            template=_with_body_component(document, body_variables) if document is not None else "",
            sender="",
        )
        client_campaign = ClientCampaign.objects.for_company(company).create(
            company=company,
            campaign=campaign,
            template_id=template.pk if template else None,
            template_name=template.name if template else "",
            language=template.language if template else "",
            message=message,
            json=json_text,
            send_at=send_at,
            client_count=client_count,
        )
        _write_clients(campaign, account_ids, data.params)
        campaign_status.start(campaign)
        activate_schedule(campaign, settings, now=now)
    client_campaign.campaign = campaign
    return ClientCampaignWritten(client_campaign, list(zip(account_ids, data.params, strict=True)))


def client_campaign_update(
    *, company, campaign_number, name: str | None, send_at: datetime | None, now=None
) -> ClientCampaignWritten:
    """Rename a campaign that has not sent yet, or move its send time (a time past sends it at
    once); anything else about it stays. A campaign that is sending, sent, stopped or gone is
    refused, changed in nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        client_campaign = get_client_campaign(company=company, number=campaign_number, for_update=True)
        campaign = client_campaign.campaign
        settings = campaign.message_settings
        if client_campaign_state(client_campaign) != ClientCampaignState.SCHEDULED:
            raise RuleViolation(ClientCampaignErrorCode.NOT_SCHEDULED, field="id")
        name = (name or "").strip()
        if len(name) > MAX_NAME_CHARS:
            raise InvalidInput(ClientCampaignErrorCode.FIELD_INVALID, field="name", maximum=MAX_NAME_CHARS)
        if name:
            campaign.name = name
            campaign.save(update_fields=["name", "updated_at"])
        if send_at is not None:
            # The single firing moves (a time past: at once); the beat fires it once.
            send_at = max(send_at, now)
            for field, value in _schedule_values(send_at).items():
                setattr(settings, field, value)
            settings.next_at = send_at
            settings.save(update_fields=["schedule_type", "schedule_rrule", "next_at"])
            client_campaign.send_at = send_at
            client_campaign.save(update_fields=["send_at"])
            wake_beat_if_due(settings, now)
    return ClientCampaignWritten(client_campaign, client_campaign_clients(campaign.pk))


def client_campaign_delete(*, company, campaign_number) -> DeletedClientCampaign:
    """Gone at once, with its clients, schedule and pending messages (never sent now); the
    messages themselves are removed later, in batches (CampaignPurge)."""
    with transaction.atomic():
        client_campaign = get_client_campaign(company=company, number=campaign_number, for_update=True)
        campaign = client_campaign.campaign
        clients = client_campaign_clients(campaign.pk)
        CampaignPurge.objects.get_or_create(campaign_id=campaign.pk, defaults={"company_id": company.pk})
        campaign.delete()  # with its settings, clients, firings and history
    return DeletedClientCampaign(client_campaign, clients)


def message_resend(*, company, message_key: str, now=None) -> Message:
    """Send a failed message again, now, through its channel's backend (the caller waits, so
    the wait is short: MESSAGING_RESEND_TIMEOUT_SECONDS). The attempt is recorded either way;
    a provider that refuses or does not answer is UpstreamFailed."""
    message = get_message_for_company(company=company, message_key=message_key)
    if message.status != Message.Status.FAILED:
        raise RuleViolation(ClientCampaignErrorCode.ONLY_FAILED_RESENDABLE, field="message_key")
    sender = (message.occurrence.content or {}).get("sender") or ""
    outcome = backend_for(message.channel).send_now(
        Outgoing(
            message_key=message.message_key,
            channel=message.channel,
            sender=sender,
            address=message.address,
            body=message.body,
            payload=message.payload,
        ),
        timeout=django_settings.MESSAGING_RESEND_TIMEOUT_SECONDS,
    )
    now = now or timezone.now()
    failed = Message.unscoped.filter(pk=message.pk, status=Message.Status.FAILED)
    with transaction.atomic():
        if outcome.result == Result.SENT:
            moved = failed.update(
                status=Message.Status.SENT,
                sent_at=now,
                last_error="",
                attempts=F("attempts") + 1,
                provider_id=outcome.provider_id,
            )
            counters.move(message.campaign_id, Message.Status.FAILED, Message.Status.SENT, moved)
        else:
            failed.update(attempts=F("attempts") + 1, last_error=outcome.error[:300])
    if outcome.result != Result.SENT:
        raise UpstreamFailed(reason=outcome.error)
    message.refresh_from_db()
    return message


# ---- checks -----------------------------------------------------------------------------------


def _json_message(json_text: str):
    """The JSON message as an object (None when there is none)."""
    if not json_text:
        return None
    if len(json_text) > MAX_JSON_CHARS:
        raise InvalidInput(ClientCampaignErrorCode.FIELD_INVALID, field="json", maximum=MAX_JSON_CHARS)
    try:
        document = json.loads(json_text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or _holds_nul(document):
        raise InvalidInput(ClientCampaignErrorCode.JSON_NOT_AN_OBJECT, field="json")
    return document


def _holds_nul(document) -> bool:
    """Whether a key or string of the parsed JSON holds a NUL (`\\u0000`), which no jsonb value
    can hold. Walks with its own stack: the parser already bounded the depth."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _check_params(params: list[list[str]], *, json_text: str, template) -> None:
    """The first client has params for every {{n}} of the JSON message; every client has params
    for every variable of the template (BODY and JSON), or of the JSON message without one.
    More params than needed are fine."""
    if len(params[0]) < variables_needed(json_text):
        raise InvalidInput(ClientCampaignErrorCode.JSON_PARAMS_MISSING, field="params")
    needed = variables_needed(template.body, template.json) if template else variables_needed(json_text)
    if needed and min(map(len, params)) < needed:
        raise InvalidInput(ClientCampaignErrorCode.TEMPLATE_PARAMS_MISSING, field="params")


def _account_ids(values: list[str]) -> list[str]:
    """The AccountIDs as stored (E.164 with its +); InvalidInput names the first bad one. When
    all are already stored's form, as they nearly always are, one match over all of them says so."""
    if ALL_STORED_ACCOUNT_IDS.fullmatch("\n".join(values) + "\n"):
        return values
    return [_account_id(value, position) for position, value in enumerate(values, 1)]


def _account_id(value: str, position: int) -> str:
    match = ACCOUNT_ID.fullmatch((value or "").strip())
    if match is None:
        raise InvalidInput(ClientCampaignErrorCode.ACCOUNT_ID_INVALID, field="account_id", position=position)
    return "+" + match.group(1)


def _schedule_values(send_at: datetime) -> dict:
    """A single firing at send_at (UTC, to the second, as `once` schedules are kept)."""
    return {
        "schedule_type": MessageSettings.ScheduleType.ONCE,
        "schedule_rrule": send_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }


def _with_body_component(document: dict, variables: int) -> str:
    """The JSON message to send: a template message whose components are empty gets a body
    component of the client's params ({{1}}..{{n}}), so each message carries its params."""
    template = document.get("template")
    if variables and isinstance(template, dict) and template.get("components") == []:
        parameters = [{"type": "text", "text": f"{{{{{n}}}}}"} for n in range(1, variables + 1)]
        document = {
            **document,
            "template": {**template, "components": [{"type": "body", "parameters": parameters}]},
        }
    return json.dumps(document, ensure_ascii=False)


# ---- writing the clients ----------------------------------------------------------------------

COPY_CLIENTS = "COPY {table} (campaign_id, position, account_id, params) FROM STDIN"
# Sent a chunk at a time, the rows are parsed and stored by PostgreSQL while the next are built.
COPY_CHUNK_ROWS = 5_000


def _write_clients(campaign: Campaign, account_ids: list[str], params: list[list[str]]) -> None:
    """The clients in their order: one COPY on PostgreSQL, batched INSERTs elsewhere."""
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.copy(COPY_CLIENTS.format(table=CampaignClient._meta.db_table)) as copy,
        ):
            campaign_id = campaign.pk
            plain = _plain(params)
            rows = zip(account_ids, _params_json(params, plain=plain), strict=True)
            if plain:  # nothing to escape in COPY's text format either: the rows as text, in chunks
                lines = (
                    f"{campaign_id}\t{position}\t{account_id}\t{values}\n"
                    for position, (account_id, values) in enumerate(rows, 1)
                )
                while chunk := "".join(islice(lines, COPY_CHUNK_ROWS)):
                    copy.write(chunk)
            else:
                for position, (account_id, values) in enumerate(rows, 1):
                    copy.write_row((campaign_id, position, account_id, values))
        return
    CampaignClient.objects.bulk_create(
        (
            CampaignClient(campaign=campaign, position=position, account_id=account_id, params=values)
            for position, (account_id, values) in enumerate(zip(account_ids, params, strict=True), 1)
        ),
        batch_size=COPY_BATCH_SQLITE,
    )


def _plain(params: list[list[str]]) -> bool:
    """No param holds a character JSON escapes (a quote, a backslash, a control character)."""
    return JSON_ESCAPED.search("".join(chain.from_iterable(params))) is None


def _params_json(params: list[list[str]], *, plain: bool) -> list[str]:
    """Each client's params as JSON text: built directly when they are `plain`, which costs a
    fraction of a json.dumps for each of 100,000 clients."""
    if not plain:
        return [json.dumps(values, ensure_ascii=False) for values in params]
    return ['["' + '", "'.join(values) + '"]' if values else "[]" for values in params]

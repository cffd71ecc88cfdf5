"""Message campaigns: create (or clone), update, stop/resume and delete, for one workspace.

A campaign is a campaigns.Campaign of a message channel with its MessageSettings beside it; its
status moves only through campaigns.status.transition (the message table). Its schedule is kept
as `next_at`: set exactly while the campaign is active and something is left to fire, so the
schedule beat (messaging.services.firing) claims due rows by that one indexed column."""

import json
import re
import uuid
from dataclasses import dataclass, fields, replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from campaigns import status as campaign_status
from campaigns.models import Campaign, MessageSettings, MessageStatus
from messaging import schedules, segmentation
from messaging.errors import InvalidInput, MessagingErrorCode, NotFound
from messaging.models import CampaignPurge
from messaging.selectors import get_message_campaign
from recipients.models import RecipientGroup

MAX_RECIPIENT_LISTS = 100
# Channels whose template is plain text; email takes text or a JSON message; the rest JSON.
TEXT_CHANNELS = frozenset({"sms", "webpush"})
TEXT_OR_JSON_CHANNELS = frozenset({"email"})
WEBPUSH_FIELDS = ("webpush_title", "webpush_body", "webpush_target_url", "webpush_icon", "webpush_image")
REQUIRED = ("name", "status", "sending_type", "schedule_type", "template", "sender", "recipient_lists")


@dataclass(frozen=True)
class CampaignFields:
    """A campaign as a request gives it (None: not given)."""

    name: str | None = None
    status: str | None = None
    sending_type: str | None = None
    schedule_type: str | None = None
    schedule_rrule: str | None = None
    template: str | None = None
    sender: str | None = None
    recipient_lists: list[str] | None = None
    query_type: str | None = None
    query: object = None  # a SegmentationQuery as an object or a JSON string
    webpush_title: str | None = None
    webpush_body: str | None = None
    webpush_target_url: str | None = None
    webpush_icon: str | None = None
    webpush_image: str | None = None


def message_campaign_create(
    *,
    company,
    workspace,
    data: CampaignFields,
    clone_uuid=None,
    template_vars=None,
    now: datetime | None = None,
) -> Campaign:
    """A new campaign of the workspace, draft or active (an active one starts its schedule). With
    `clone_uuid`, a copy of that campaign of the workspace with `data`'s given fields overriding
    it and `template_vars` filled into its content."""
    now = now or timezone.now()
    if clone_uuid is not None:
        data = _clone_fields(company=company, workspace=workspace, clone_uuid=clone_uuid, overrides=data)
        data = _fill_template_vars(data, template_vars)
    _require(data, REQUIRED)
    if data.status not in (MessageStatus.DRAFT, MessageStatus.ACTIVE):
        raise InvalidInput(MessagingErrorCode.CREATE_STATUS_INVALID, field="status")
    values = _checked_settings(company=company, data=data, now=now)
    with transaction.atomic():
        campaign = Campaign.objects.for_company(company).create(
            company=company,
            workspace=workspace,
            channel=data.sending_type,
            name=data.name,
            status=MessageStatus.DRAFT,
        )
        settings = MessageSettings.objects.create(campaign=campaign, **values)
        campaign_status.start(campaign)
        if data.status == MessageStatus.ACTIVE:
            activate_schedule(campaign, settings, now=now)
    return campaign


def message_campaign_update(*, company, workspace, campaign_id, data: CampaignFields, now=None) -> Campaign:
    """Replace the campaign's content, targeting and schedule (the services API's PUT: the POST
    payload). Firings already made keep what they sent; an active campaign's next firing is
    worked out anew from now. A status that differs is then applied as PATCH applies it."""
    now = now or timezone.now()
    _require(data, REQUIRED)
    with transaction.atomic():
        campaign = get_message_campaign(
            company=company, workspace=workspace, campaign_id=campaign_id, for_update=True
        )
        values = _checked_settings(company=company, data=data, now=now)
        settings = campaign.message_settings
        for name, value in values.items():
            setattr(settings, name, value)
        campaign.name = data.name
        campaign.channel = data.sending_type
        campaign.save(update_fields=["name", "channel", "updated_at"])
        if campaign.status == MessageStatus.ACTIVE:
            _schedule_from(campaign, settings, now=now)
        settings.save()
        if data.status != campaign.status:
            _set_status(campaign, settings, data.status, now=now, field="status")
    return campaign


def message_campaign_set_status(
    *, company, workspace, campaign_id, status: str, now=None, by=None
) -> Campaign:
    """PATCH: `stopped` halts firings (and queued deliveries) in any state; `active` starts a
    draft's schedule, or resumes from now (missed firings are not replayed), or finishes the
    campaign when nothing is left to fire. `by`: the staff user acting in the back office (the
    status history names them); None for an API client."""
    now = now or timezone.now()
    if status not in (MessageStatus.ACTIVE, MessageStatus.STOPPED):
        raise InvalidInput(MessagingErrorCode.STATUS_CHANGE_INVALID, field="status")
    with transaction.atomic():
        campaign = get_message_campaign(
            company=company, workspace=workspace, campaign_id=campaign_id, for_update=True
        )
        _set_status(campaign, campaign.message_settings, status, now=now, field="status", by=by)
    return campaign


def message_campaign_delete(*, company, workspace, campaign_id) -> None:
    """Gone at once with its settings, firings and history; its messages are removed later, in
    batches (CampaignPurge), so a campaign of a million messages deletes as fast as any."""
    with transaction.atomic():
        campaign = get_message_campaign(
            company=company, workspace=workspace, campaign_id=campaign_id, for_update=True
        )
        CampaignPurge.objects.get_or_create(campaign_id=campaign.pk, defaults={"company_id": company.pk})
        campaign.delete()


# ---- status and schedule ----------------------------------------------------------------------


def _set_status(campaign, settings, status: str, *, now, field: str, by=None) -> None:
    if status == campaign.status:
        return
    if status == MessageStatus.STOPPED:
        settings.next_at = None
        settings.save(update_fields=["next_at"])
        campaign_status.transition(campaign, MessageStatus.STOPPED, by=by)
    elif status == MessageStatus.ACTIVE:
        if campaign.status == MessageStatus.DRAFT:
            activate_schedule(campaign, settings, now=now, by=by)
        else:
            _resume(campaign, settings, now=now, by=by)
    else:
        raise InvalidInput(MessagingErrorCode.STATUS_NOT_SETTABLE, field=field, status=status)


def activate_schedule(campaign, settings, *, now, by=None) -> None:
    """Draft -> active: the schedule begins now (a `now` or past `once` campaign fires at once)."""
    settings.activated_at = now
    schedule = _schedule_of(settings, activated_at=now)
    settings.next_at = schedules.first_firing(schedule, activated_at=now)
    settings.save(update_fields=["activated_at", "next_at"])
    campaign_status.transition(campaign, MessageStatus.ACTIVE, by=by)
    if settings.next_at is None:
        campaign_status.transition(campaign, MessageStatus.FINISHED, by=by)
    else:
        wake_beat_if_due(settings, now)


def _resume(campaign, settings, *, now, by=None) -> None:
    """Stopped or finished -> active from now; finished when nothing is left to fire."""
    if settings.activated_at is None:
        settings.activated_at = now
    _schedule_from(campaign, settings, now=now)
    settings.save(update_fields=["activated_at", "next_at"])
    target = MessageStatus.ACTIVE if settings.next_at is not None else MessageStatus.FINISHED
    if target != campaign.status:
        campaign_status.transition(campaign, target, by=by)
    wake_beat_if_due(settings, now)


def _schedule_from(campaign, settings, *, now) -> None:
    """The next firing from `now` on (never one that was missed)."""
    schedule = _schedule_of(settings, activated_at=settings.activated_at or now)
    settings.next_at = schedules.next_firing(
        schedule, after=now, inclusive=True, activated_at=settings.activated_at or now
    )


def _schedule_of(settings, *, activated_at):
    return schedules.parse_schedule(
        schedule_type=settings.schedule_type,
        schedule_rrule=settings.schedule_rrule,
        activated_at=activated_at,
    )


def wake_beat_if_due(settings, now) -> None:
    """A firing due now need not wait for the beat's next tick."""
    if settings.next_at is not None and settings.next_at <= now:
        from messaging.tasks import campaigns_fire_due

        transaction.on_commit(campaigns_fire_due.delay)


# ---- checking a request's fields ----------------------------------------------------------------


def _require(data: CampaignFields, names) -> None:
    for name in names:
        value = getattr(data, name)
        if value is None or value == "" or value == []:
            raise InvalidInput(MessagingErrorCode.FIELD_REQUIRED, field=name)


def _checked_settings(*, company, data: CampaignFields, now) -> dict:
    """The MessageSettings values of `data`, every rule checked."""
    schedule = schedules.parse_schedule(
        schedule_type=data.schedule_type, schedule_rrule=data.schedule_rrule, activated_at=now
    )
    query = None
    if data.query_type == MessageSettings.QueryType.SEGMENTATION:
        parsed = segmentation.parse_query(data.query)
        if parsed is None:
            raise InvalidInput(MessagingErrorCode.SEGMENTATION_QUERY_REQUIRED, field="query")
        query = parsed.as_json()
    elif data.query not in (None, "", {}):
        parsed = segmentation.parse_query(data.query)  # checked even when not applied
        query = parsed.as_json() if parsed is not None else None
    _check_template(data.sending_type, data.template)
    return {
        "schedule_type": schedule.kind,
        # A recurrence is kept as given: without a DTSTART of its own it starts at activation,
        # which a draft has not reached yet.
        "schedule_rrule": data.schedule_rrule.strip()
        if schedule.kind == "scheduled"
        else schedule.rrule_text,
        "template": data.template,
        "sender": data.sender,
        "recipient_lists": _checked_groups(company, data.recipient_lists),
        "query_type": data.query_type or MessageSettings.QueryType.ALL,
        "query": query,
        **{name: getattr(data, name) or "" for name in WEBPUSH_FIELDS},
    }


def _check_template(channel: str, template: str) -> None:
    if channel in TEXT_CHANNELS:
        return
    try:
        message = json.loads(template)
    except ValueError:
        message = None
    if not isinstance(message, dict) and channel not in TEXT_OR_JSON_CHANNELS:
        raise InvalidInput(MessagingErrorCode.TEMPLATE_NOT_JSON, field="template")


def _checked_groups(company, group_ids: list[str]) -> list[str]:
    """The listed groups' ids (deduplicated, in order): each must be one of the company's."""
    unique = list(dict.fromkeys(group_ids))
    if len(unique) > MAX_RECIPIENT_LISTS:
        raise InvalidInput(
            MessagingErrorCode.TOO_MANY_RECIPIENT_LISTS, field="recipient_lists", maximum=MAX_RECIPIENT_LISTS
        )
    keys = {}
    for value in unique:
        key = _uuid_text(value)
        if key is None:
            raise InvalidInput(
                MessagingErrorCode.RECIPIENT_LIST_NOT_FOUND, field="recipient_lists", value=value[:100]
            )
        keys[key] = value
    found = {
        str(pk)
        for pk in RecipientGroup.objects.for_company(company)
        .filter(pk__in=list(keys))
        .values_list("pk", flat=True)
    }
    for key, value in keys.items():
        if key not in found:
            raise InvalidInput(
                MessagingErrorCode.RECIPIENT_LIST_NOT_FOUND, field="recipient_lists", value=value[:100]
            )
    return list(keys)


def _uuid_text(value: str) -> str | None:
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        return None


# ---- cloning ----------------------------------------------------------------------------------------


def _clone_fields(*, company, workspace, clone_uuid, overrides: CampaignFields) -> CampaignFields:
    try:
        source = get_message_campaign(company=company, workspace=workspace, campaign_id=clone_uuid)
    except NotFound:
        raise InvalidInput(MessagingErrorCode.CLONE_SOURCE_NOT_FOUND, field="clone_uuid") from None
    settings = source.message_settings
    copied = CampaignFields(
        name=source.name,
        # A running or draft source gives the same; a stopped or finished one gives a draft.
        status=source.status
        if source.status in (MessageStatus.ACTIVE, MessageStatus.DRAFT)
        else MessageStatus.DRAFT,
        sending_type=source.channel,
        schedule_type=settings.schedule_type,
        schedule_rrule=settings.schedule_rrule,
        template=settings.template,
        sender=settings.sender,
        recipient_lists=list(settings.recipient_lists),
        query_type=settings.query_type,
        query=settings.query,
        **{name: getattr(settings, name) for name in WEBPUSH_FIELDS},
    )
    given = {
        f.name: getattr(overrides, f.name)
        for f in fields(overrides)
        if getattr(overrides, f.name) is not None
    }
    return replace(copied, **given)


_VARIABLE = re.compile(r"\{([^{}]+)\}")


def _fill_template_vars(data: CampaignFields, template_vars) -> CampaignFields:
    """`{key}` of template_vars replaced in the content, in one pass (a value holding `{x}` stays
    as it is); other braces are left for the recipients' variables."""
    if not template_vars:
        return data
    if not isinstance(template_vars, dict) or not all(
        isinstance(v, str | int | float) for v in template_vars.values()
    ):
        raise InvalidInput(MessagingErrorCode.TEMPLATE_VARS_INVALID, field="template_vars")
    values = {str(k): str(v) for k, v in template_vars.items()}

    def fill(text):
        if not text:
            return text
        return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    return replace(
        data, template=fill(data.template), **{name: fill(getattr(data, name)) for name in WEBPUSH_FIELDS}
    )

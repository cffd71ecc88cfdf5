"""The schedule beat: fire every active message campaign whose next firing has come.

Each firing is one Occurrence, which snapshots what the campaign sends and to whom (an edit
later changes only later firings), made once however many beats run: campaign rows are claimed
with SELECT ... FOR UPDATE SKIP LOCKED (every writer of a campaign's settings locks the campaign
row first, so beats and API requests never wait on each other in opposite orders), and an
occurrence is unique per (campaign, scheduled_at)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from campaigns import status as campaign_status
from campaigns.models import Campaign, MessageSettings, MessageStatus
from messaging import schedules
from messaging.models import Occurrence
from messaging.services.campaigns import WEBPUSH_FIELDS
from webhooks.events import EventType, record_event

BATCH = 100


@dataclass(frozen=True)
class Fired:
    occurrences: list[int]  # ids of the occurrences made now, for generation
    finished: int  # campaigns whose last firing this was


def campaigns_fire_due(*, now=None, batch: int = BATCH, only=None) -> Fired:
    """Fire up to `batch` due campaigns (the beat calls again while a batch comes back full);
    `only`: of these campaign ids alone (the demo fires its own campaign, and no other)."""
    now = now or timezone.now()
    occurrences, finished = [], 0
    with transaction.atomic():
        due = (
            Campaign.unscoped.select_for_update(skip_locked=True, of=("self",))
            .select_related("message_settings", "client_campaign", "company")
            .filter(status=MessageStatus.ACTIVE, message_settings__next_at__lte=now)
        )
        if only is not None:
            due = due.filter(pk__in=only)
        due = list(due.order_by("message_settings__next_at")[:batch])
        for campaign in due:
            occurrence = _fire(campaign, campaign.message_settings, now=now)
            if occurrence is not None:
                occurrences.append(occurrence.pk)
            if campaign.status == MessageStatus.FINISHED:
                finished += 1
        if occurrences:
            from messaging.tasks import occurrence_generate

            transaction.on_commit(lambda: [occurrence_generate.delay(pk) for pk in occurrences])
    return Fired(occurrences=occurrences, finished=finished)


def _fire(campaign: Campaign, settings: MessageSettings, *, now) -> Occurrence | None:
    fired_at = settings.next_at
    occurrence, created = Occurrence.unscoped.get_or_create(
        campaign=campaign,
        scheduled_at=fired_at,
        defaults={
            "company_id": campaign.company_id,
            "content": content_of(campaign, settings),
            "targeting": targeting_of(campaign, settings),
        },
    )
    if created:
        record_event(
            company=campaign.company,
            type=EventType.OCCURRENCE_FIRED,
            kind="occurrence",
            obj=occurrence,
            workspace=campaign.workspace_id,
        )
    schedule = schedules.parse_schedule(
        schedule_type=settings.schedule_type,
        schedule_rrule=settings.schedule_rrule,
        activated_at=settings.activated_at,
    )
    # From now on: a beat that was down does not replay the firings it missed.
    settings.last_at = fired_at
    settings.next_at = schedules.next_firing(
        schedule, after=max(fired_at, now), activated_at=settings.activated_at
    )
    settings.save(update_fields=["last_at", "next_at"])
    if settings.next_at is None:
        campaign_status.transition(campaign, MessageStatus.FINISHED, note="last firing")
    return occurrence if created else None


def content_of(campaign: Campaign, settings: MessageSettings) -> dict:
    content = {
        "channel": campaign.channel,
        "sender": settings.sender,
        "template": settings.template,
        **{name: getattr(settings, name) for name in WEBPUSH_FIELDS},
    }
    if campaign.selection == Campaign.Selection.CLIENTS:
        content["message"] = campaign.client_campaign.message
    return content


def targeting_of(campaign: Campaign, settings: MessageSettings) -> dict:
    if campaign.selection == Campaign.Selection.CLIENTS:
        return {"clients": True}
    segmented = settings.query_type == MessageSettings.QueryType.SEGMENTATION
    return {"recipient_lists": list(settings.recipient_lists), "query": settings.query if segmented else None}

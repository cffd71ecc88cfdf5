"""The campaign status machine: which moves are allowed, and the one function that makes them.

Every status change goes through `transition`, which refuses a move the table of the campaign's
kind does not allow and writes the history row in the same transaction. A campaign's kind follows
its channel: post is print (`Status`), every other channel is message (`MessageStatus`); a status
of the other kind is never a move (draft, the first status of both, has a table per kind too). From Scheduled on (and once cancelled) a print campaign is
read-only: writing endpoints call `require_writable` first. Moves past Scheduled (printing,
dispatch) are made by the dispatch machinery, which is not a writing endpoint.
"""

from enum import StrEnum

from django.utils import timezone

from accounts.models import Company
from campaigns.errors import CampaignReadOnly, InvalidStatusTransition
from campaigns.models import Campaign, Channel, MessageStatus, Status, StatusChange
from webhooks.events import EventType, record_event, shape_of


class Kind(StrEnum):
    PRINT = "print"
    MESSAGE = "message"


PRINT_MOVES: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.PREVIEW, Status.CANCELLED}),
    Status.PREVIEW: frozenset({Status.DRAFT, Status.APPROVED, Status.CANCELLED}),
    # Back to Preview when an approved campaign is edited; on to payment or straight to Scheduled.
    Status.APPROVED: frozenset({Status.PREVIEW, Status.AWAITING_PAYMENT, Status.SCHEDULED, Status.CANCELLED}),
    # A provisional booking: paid (Scheduled), or released (back to Approved), or cancelled.
    Status.AWAITING_PAYMENT: frozenset({Status.SCHEDULED, Status.APPROVED, Status.CANCELLED}),
    Status.SCHEDULED: frozenset({Status.PRINTING, Status.CANCELLED}),
    Status.PRINTING: frozenset({Status.DISPATCHED}),
    Status.DISPATCHED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# The services API: a campaign is created draft or active; PATCH takes `active` or `stopped` in
# any state. `stopped` halts firings: a move to stopped from every other status (a draft or a
# finished campaign too, so the status reads what the client asked for). `active` resumes from
# now, or returns the campaign to finished when nothing is left to fire: so stopped may move to
# active or to finished, and finished back to active (its schedule was extended and something is
# left); which of the two a resume makes is the caller's rule (what is left to fire), not the
# table's. An active campaign finishes when its last firing is done, or is stopped. Nothing goes
# back to draft. PATCH with the current status is no move (no history row): callers skip it.
MESSAGE_MOVES: dict[str, frozenset[str]] = {
    MessageStatus.DRAFT: frozenset({MessageStatus.ACTIVE, MessageStatus.STOPPED}),
    MessageStatus.ACTIVE: frozenset({MessageStatus.STOPPED, MessageStatus.FINISHED}),
    MessageStatus.STOPPED: frozenset({MessageStatus.ACTIVE, MessageStatus.FINISHED}),
    MessageStatus.FINISHED: frozenset({MessageStatus.ACTIVE, MessageStatus.STOPPED}),
}

TABLES: dict[Kind, dict[str, frozenset[str]]] = {Kind.PRINT: PRINT_MOVES, Kind.MESSAGE: MESSAGE_MOVES}

READ_ONLY = frozenset({Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED, Status.CANCELLED})
# Approved and not yet finished: its frozen recipients and its group are in use.
ACTIVE = frozenset({Status.APPROVED, Status.AWAITING_PAYMENT, Status.SCHEDULED, Status.PRINTING})


def kind_of(campaign: Campaign) -> Kind:
    return Kind.PRINT if campaign.channel == Channel.POST else Kind.MESSAGE


def is_read_only(campaign: Campaign) -> bool:
    return campaign.status in READ_ONLY


def require_writable(campaign: Campaign) -> None:
    if is_read_only(campaign):
        raise CampaignReadOnly()


def can_move(campaign: Campaign, to_status: str) -> bool:
    """Whether the table of the campaign's kind allows the move from its current status."""
    return to_status in TABLES[kind_of(campaign)].get(campaign.status, frozenset())


def start(campaign: Campaign, *, by=None) -> StatusChange:
    """The first history row of a new campaign (its initial status)."""
    return StatusChange.objects.create(
        campaign=campaign, from_status="", status=campaign.status, changed_at=timezone.now(), changed_by=by
    )


def note(campaign: Campaign, text: str, *, by=None) -> StatusChange:
    """A history row that records an event without a move (a hold, say): status unchanged."""
    return StatusChange.objects.create(
        campaign=campaign,
        from_status=campaign.status,
        status=campaign.status,
        changed_at=timezone.now(),
        changed_by=by,
        note=text[:300],
    )


def transition(campaign: Campaign, to_status: str, *, by=None, note: str = "") -> StatusChange:
    """Move `campaign` (locked by the caller) to `to_status` and record it; InvalidStatusTransition
    if the table of its kind does not allow the move."""
    if not can_move(campaign, to_status):
        raise InvalidStatusTransition()
    change = StatusChange.objects.create(
        campaign=campaign,
        from_status=campaign.status,
        status=to_status,
        changed_at=timezone.now(),
        changed_by=by,
        note=note[:300],
    )
    campaign.status = to_status
    campaign.save(update_fields=["status", "updated_at"])
    _record_status_changed(campaign, change)
    return change


def event_kind(campaign: Campaign) -> str:
    """The webhook kind a campaign is shown as: the surface that shows it (print campaigns on the
    platform API, message campaigns on the services API, client campaigns on campaign API v2)."""
    if kind_of(campaign) == Kind.PRINT:
        return "campaign"
    if campaign.selection == Campaign.Selection.CLIENTS:
        return "client_campaign"
    return "message_campaign"


def _record_status_changed(campaign: Campaign, change: StatusChange) -> None:
    """The `campaign.status_changed` event, in the transaction of the move: the campaign as its
    surface shows it, and the move (`change`) in that surface's words."""
    kind = event_kind(campaign)
    record_event(
        # Only the company's key is needed: no query for its row.
        company=Company(pk=campaign.company_id),
        type=EventType.CAMPAIGN_STATUS_CHANGED,
        kind=kind,
        obj=campaign,
        extra={"change": shape_of(f"{kind}_status_change", change)},
        workspace=campaign.workspace_id,
    )

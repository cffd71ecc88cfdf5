"""The campaign status machine: which moves are allowed, and the one function that makes them.

Every status change goes through `transition`, which refuses a move the table does not allow and
writes the history row in the same transaction. From Scheduled on (and once cancelled) a
campaign is read-only: writing endpoints call `require_writable` first. Moves past Scheduled
(printing, dispatch) are made by the dispatch machinery, which is not a writing endpoint.
"""

from django.utils import timezone

from campaigns.errors import CampaignReadOnly, InvalidStatusTransition
from campaigns.models import Campaign, Status, StatusChange

ALLOWED: dict[str, frozenset[str]] = {
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

READ_ONLY = frozenset({Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED, Status.CANCELLED})
# Approved and not yet finished: its frozen recipients and its group are in use.
ACTIVE = frozenset({Status.APPROVED, Status.AWAITING_PAYMENT, Status.SCHEDULED, Status.PRINTING})


def is_read_only(campaign: Campaign) -> bool:
    return campaign.status in READ_ONLY


def require_writable(campaign: Campaign) -> None:
    if is_read_only(campaign):
        raise CampaignReadOnly()


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED[from_status]


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
    if the table does not allow the move."""
    if not can_move(campaign.status, to_status):
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
    return change

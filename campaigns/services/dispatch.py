"""Dispatch on the day (the beat task): hold unpaid bookings, move due campaigns to Printing, print
them and record them Dispatched."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from billing import dates as dispatch_dates
from billing import selectors as catalogue
from billing.pricing import estimated_delivery
from campaigns import printing
from campaigns import status as machine
from campaigns.models import Campaign, Status


@dataclass
class DispatchDue:
    held: list = field(default_factory=list)
    printing: list = field(default_factory=list)  # ids to print and dispatch (campaign_dispatch)


def campaigns_dispatch_due(*, now: datetime | None = None, campaign_ids=None) -> DispatchDue:
    """What the dispatch beat does first, across companies: campaigns still awaiting payment on
    their send date are held (once, with the reason in their history, never printed); Scheduled
    campaigns due today move to Printing. Returns the Printing campaigns due (those just moved and
    any a stopped run left behind) for campaign_dispatch. Each row is locked with SKIP LOCKED and
    its status checked again, so two beats at once move each campaign once. With `campaign_ids`,
    only those campaigns (staff's "dispatch due now")."""
    today = dispatch_dates.dispatch_today(now)
    due = DispatchDue()
    campaigns = (
        Campaign.unscoped.all() if campaign_ids is None else Campaign.unscoped.filter(pk__in=campaign_ids)
    )
    unpaid = campaigns.filter(status=Status.AWAITING_PAYMENT, dispatch_date__lte=today, held_at__isnull=True)
    for campaign_id in unpaid.values_list("pk", flat=True):
        with transaction.atomic():
            campaign = _lock_skipping(campaign_id, Status.AWAITING_PAYMENT, held_at__isnull=True)
            if campaign is None:
                continue
            order = catalogue.order_for_reference(company=campaign.company_id, reference=str(campaign.pk))
            campaign.held_at = timezone.now()
            campaign.save(update_fields=["held_at", "updated_at"])
            machine.note(
                campaign,
                f"Held: the send date {campaign.dispatch_date:%Y-%m-%d} came while still awaiting payment"
                + (f" of order {order.number}" if order else "")
                + "; not printed.",
            )
            due.held.append(campaign.pk)
    scheduled = campaigns.filter(status=Status.SCHEDULED, dispatch_date__lte=today)
    for campaign_id in scheduled.values_list("pk", flat=True):
        with transaction.atomic():
            campaign = _lock_skipping(campaign_id, Status.SCHEDULED)
            if campaign is not None:
                machine.transition(campaign, Status.PRINTING, note="Printing the print-ready files.")
    in_print = campaigns.filter(status=Status.PRINTING, dispatch_date__lte=today)
    due.printing = list(in_print.order_by("dispatch_date", "pk").values_list("pk", flat=True))
    return due


def campaigns_dispatch_request(*, campaign_ids, now: datetime | None = None) -> DispatchDue:
    """Staff's "dispatch due now" for these campaigns: what the dispatch beat does, for them only
    (campaigns_dispatch_due), with each Printing one printed and dispatched in the background
    (the `dispatch_campaign` task, once the transaction commits). Campaigns that are not due are
    in neither list of the result."""
    from campaigns.tasks import dispatch_campaign  # the tasks call these services: import at use

    due = campaigns_dispatch_due(now=now, campaign_ids=campaign_ids)
    for campaign_id in due.printing:
        key = str(campaign_id)
        transaction.on_commit(lambda key=key: dispatch_campaign.delay(key))
    return due


def campaign_dispatch(*, campaign_id, now: datetime | None = None) -> bool:
    """Print a Printing campaign (campaigns.printing.print_files_write: idempotent, and it guards
    its own run, so a concurrent call gets PrintRunBusy and a finished run is returned as it is)
    and record it Dispatched with the estimated delivery date, under the campaign row lock and only
    if it is still Printing. False when there was nothing to do. Printing runs outside any
    transaction: no lock is held while a million letters are written."""
    if not Campaign.unscoped.filter(pk=campaign_id, status=Status.PRINTING).exists():
        return False
    run = printing.print_files_write(campaign_id=campaign_id)
    with transaction.atomic():
        campaign = (
            Campaign.unscoped.select_for_update(of=("self",))
            .select_related("print_options")
            .filter(pk=campaign_id, status=Status.PRINTING)
            .first()
        )
        if campaign is None:  # another run recorded it meanwhile
            return False
        posted = dispatch_dates.dispatch_today(now)
        delivery = estimated_delivery(send_date=posted, mail_class=campaign.print_options.mail_class)
        machine.transition(
            campaign,
            Status.DISPATCHED,
            note=f"Dispatched {posted:%Y-%m-%d}; estimated delivery {delivery:%Y-%m-%d} "
            f"({run.letters} letters, print run attempt {run.attempt}).",
        )
    return True


def _lock_skipping(campaign_id, status: str, **more) -> Campaign | None:
    return (
        Campaign.unscoped.select_for_update(skip_locked=True, of=("self",))
        .select_related("print_options")
        .filter(pk=campaign_id, status=status, **more)
        .first()
    )

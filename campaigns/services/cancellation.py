"""Staff cancel a print campaign that has not gone to print yet, and its money goes back.
Lock order: see campaigns.services.pricing (campaign row, then balance, voucher, order)."""

from django.db import transaction

from billing import selectors as catalogue
from billing import services as billing
from billing.models import Order
from campaigns import status as machine
from campaigns.errors import InvalidStatusTransition
from campaigns.models import Campaign, Status
from campaigns.selectors import get_campaign_for_company


@transaction.atomic
def campaign_cancel(*, company, campaign_id, by) -> Campaign:
    """Cancel a print campaign from any status the table lets go to Cancelled (Draft up to
    Scheduled: not once printing), under the campaign row lock. What it paid from the balance is
    refunded in full and a pending order (provisional booking) is rejected, in the same
    transaction, each noted in its history. Cancelled is final and read-only; a voucher counted
    as redeemed stays counted. InvalidStatusTransition where the table refuses."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    if not machine.can_move(campaign, Status.CANCELLED):
        raise InvalidStatusTransition()
    reference = str(campaign.pk)
    notes = ["Cancelled by staff"]
    payment = catalogue.payment_for_reference(company=company, reference=reference)
    if payment is not None and payment.amount > payment.refunded:
        entry = billing.payment_refund(
            company=company, reference=reference, by=by, reason=f"Campaign {reference} cancelled"
        )
        notes.append(f"{entry.amount} {company.currency} refunded to the balance")
    order = catalogue.order_for_reference(company=company, reference=reference)
    if order is not None and order.status == Order.Status.PENDING:
        billing.order_reject(order=order, by=by, reason="The campaign was cancelled.")
        notes.append(f"order {order.number} rejected")
    campaign.held_at = None
    campaign.save(update_fields=["held_at", "updated_at"])
    machine.transition(campaign, Status.CANCELLED, by=by, note="; ".join(notes) + ".")
    return campaign

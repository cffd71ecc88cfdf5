"""Scheduling an approved campaign (paid by balance, or a provisional booking by invoice) and the
staff decisions on provisional bookings. Lock order: see campaigns.services.pricing."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from billing import dates as dispatch_dates
from billing import services as billing
from billing.errors import VoucherInvalid
from billing.models import Order
from campaigns import status as machine
from campaigns.models import Campaign, Status
from campaigns.selectors import as_uuid, get_campaign_for_company
from campaigns.services.pricing import default_send_date, price, require_priced


@dataclass(frozen=True)
class ScheduleResult:
    campaign: Campaign
    payment_status: str  # "ACCEPTED" (paid by balance) or "PENDING" (provisional booking)
    order_number: str | None = None


ACCEPTED, PENDING = "ACCEPTED", "PENDING"


def campaign_schedule(
    *,
    company,
    campaign_id,
    send_date: date | None = None,
    next_available: bool = False,
    use_balance: bool = True,
    by=None,
    now: datetime | None = None,
) -> ScheduleResult:
    """Schedule an approved campaign for `send_date` (default tomorrow; with `next_available`, the
    first dispatch day at or after it). Paid by balance: the total is debited once (under the
    campaign and balance row locks, a unique payment per campaign), the voucher redeemed, and
    the campaign is Scheduled. Else a provisional booking: an order ORD-YYYYMMDD-NNN is made and
    its invoice emailed, and the campaign awaits payment. One transaction: a refusal writes
    nothing. A concurrent second call waits for the campaign lock and then finds it read-only."""
    with transaction.atomic():
        campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
        require_priced(campaign, awaiting_payment_ok=False)
        wanted = send_date or default_send_date(now)
        if next_available:
            day = dispatch_dates.next_available_date(after=wanted, now=now)
        else:
            day = dispatch_dates.dispatch_date_check(day=wanted, now=now)
        priced = price(campaign, campaign.print_options.product, send_date=day)
        cost, reference = priced.cost, str(campaign.pk)
        if use_balance:
            if cost.total > 0:
                billing.payment_take(
                    company=company,
                    reference=reference,
                    amount=cost.total,
                    by=by,
                    voucher=campaign.voucher,
                    discount=cost.discount,
                )
            elif campaign.voucher is not None:  # wholly discounted: nothing to debit
                billing.voucher_redeem(
                    company=company, voucher=campaign.voucher, reference=reference, discount=cost.discount
                )
            to_status, order_number = Status.SCHEDULED, None
            note = f"Paid {cost.total} {cost.currency} from the balance; send date {day:%Y-%m-%d}."
        else:
            order = billing.order_create(
                company=company,
                reference=reference,
                cost=cost,
                voucher=campaign.voucher,
                send_date=day,
                by=by,
                now=now,
            )
            to_status, order_number = Status.AWAITING_PAYMENT, order.number
            note = (
                f"Provisional booking: order {order.number}, {cost.total} {cost.currency} due by invoice; "
                f"send date {day:%Y-%m-%d}."
            )
        campaign.total_cost, campaign.dispatch_date, campaign.held_at = cost.total, day, None
        campaign.save(update_fields=["total_cost", "dispatch_date", "held_at", "updated_at"])
        machine.transition(campaign, to_status, by=by, note=note)
    return ScheduleResult(campaign, ACCEPTED if use_balance else PENDING, order_number)


# ---- staff decisions on provisional bookings (from the admin) ------------------------------------


def _campaign_of_order(order: Order) -> Campaign | None:
    key = as_uuid(order.reference)
    if key is None:
        return None
    return (
        Campaign.unscoped.select_for_update(of=("self",))
        .select_related("print_options")
        .filter(pk=key, company_id=order.company_id)
        .first()
    )


@transaction.atomic
def campaign_order_approve(*, order: Order, by, now: datetime | None = None) -> Order:
    """Staff confirm an order's invoice is paid: the order is approved, the voucher counted as
    redeemed and the campaign moves from awaiting payment to Scheduled, in one transaction. A
    campaign whose send date has passed meanwhile (held) gets the next dispatch day."""
    campaign = _campaign_of_order(order)
    decided = billing.order_approve(order=order, by=by)
    if campaign is None or campaign.status != Status.AWAITING_PAYMENT:
        return decided
    note = f"Order {decided.number} paid (approved by staff)"
    if decided.voucher_id is not None:
        try:
            billing.voucher_redeem(
                company=campaign.company,
                voucher=decided.voucher,
                reference=str(campaign.pk),
                discount=decided.discount,
            )
        except VoucherInvalid as exc:  # the invoice was issued (and paid) with the discount
            note += f"; voucher not counted ({exc.reason})"
    day = campaign.dispatch_date
    if day is None or day < dispatch_dates.first_possible_day(now):
        day = dispatch_dates.next_available_date(after=dispatch_dates.first_possible_day(now), now=now)
        note += f"; the send date had passed, now {day:%Y-%m-%d}"
    else:
        note += f"; send date {day:%Y-%m-%d}"
    campaign.dispatch_date, campaign.held_at = day, None
    campaign.save(update_fields=["dispatch_date", "held_at", "updated_at"])
    machine.transition(campaign, Status.SCHEDULED, by=by, note=note + ".")
    return decided


@transaction.atomic
def campaign_order_reject(*, order: Order, by, reason: str) -> Order:
    """Staff turn a booking down (with a reason): the order is rejected and the campaign goes back
    to Approved with the reason in its history, in one transaction."""
    campaign = _campaign_of_order(order)
    decided = billing.order_reject(order=order, by=by, reason=reason)
    if campaign is not None and campaign.status == Status.AWAITING_PAYMENT:
        campaign.dispatch_date, campaign.held_at = None, None
        campaign.save(update_fields=["dispatch_date", "held_at", "updated_at"])
        machine.transition(
            campaign, Status.APPROVED, by=by, note=f"Order {decided.number} rejected: {decided.reason}"
        )
    return decided

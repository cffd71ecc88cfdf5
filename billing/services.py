"""Every write of billing: balances and their ledger, payments, vouchers, provisional-booking
orders. Money is Decimal, quantised to pence (billing.pricing.money).

Locks, always taken in this order so that two transactions never wait on each other: the
company's balance row, then a voucher row, then an order row / the day's order sequence row.
"""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.errors import NotStaff
from billing.dates import dispatch_today
from billing.errors import (
    AlreadyPaid,
    BalanceLocked,
    BillingErrorCode,
    InsufficientBalance,
    InvalidAmount,
    OrderAlreadyPending,
    OrderNotPending,
    ProvisionalBookingNotAllowed,
    ReasonRequired,
    RefundTooLarge,
    VoucherCodeRequired,
    VoucherInUse,
    VoucherInvalid,
)
from billing.models import (
    Balance,
    LedgerEntry,
    Order,
    OrderSequence,
    Payment,
    Voucher,
    VoucherRedemption,
    normalise_voucher_code,
)
from billing.pricing import PENNY, Cost, money
from webhooks.events import EventType, record_event

__all__ = ["PENNY", "money"]  # re-exported: callers have long imported them from here


# ---- balance and ledger ---------------------------------------------------------------------------


def balance_open(*, company) -> Balance:
    return Balance.objects.create(company=company, currency=company.currency)


@transaction.atomic
def balance_change(*, company, amount, kind: str, reason: str = "", by=None) -> LedgerEntry:
    """Credit (amount > 0) or debit (amount < 0) a balance under a row lock, with its ledger
    entry, in one transaction. A locked balance refuses debits, except staff adjustments."""
    amount = money(amount)
    if amount == 0:
        raise InvalidAmount()
    balance = _locked_balance(company)
    if amount < 0 and balance.is_locked and kind != LedgerEntry.Kind.ADJUSTMENT:
        raise BalanceLocked()
    return _post(company, balance, amount, kind=kind, reason=reason, by=by)


def balance_top_up(*, company, amount, by=None, reason: str = "") -> LedgerEntry:
    """Add funds (a positive amount)."""
    if money(amount) <= 0:
        raise InvalidAmount(BillingErrorCode.TOP_UP_NOT_POSITIVE)
    return balance_change(
        company=company, amount=amount, kind=LedgerEntry.Kind.TOP_UP, reason=reason or "Top-up", by=by
    )


def balance_adjust(*, company, amount, by, reason: str) -> LedgerEntry:
    """A staff correction, up or down, always with a reason. Allowed on a locked balance; never
    below zero."""
    _require_staff(by)
    if not (reason or "").strip():
        raise ReasonRequired()
    return balance_change(
        company=company, amount=amount, kind=LedgerEntry.Kind.ADJUSTMENT, reason=reason.strip(), by=by
    )


def balance_lock(*, company, locked: bool, by) -> Balance:
    """Staff lock (or unlock) a balance: a locked balance pays for nothing."""
    _require_staff(by)
    with transaction.atomic():
        balance = _locked_balance(company)
        if balance.is_locked != locked:
            balance.is_locked = locked
            balance.save(update_fields=["is_locked", "updated_at"])
    return balance


def _locked_balance(company) -> Balance:
    return Balance.objects.select_for_update().get(company=company)


def _post(company, balance: Balance, amount: Decimal, *, kind: str, reason: str, by) -> LedgerEntry:
    """Move the locked balance by `amount` and record it. The caller holds the row lock."""
    if balance.amount + amount < 0:
        raise InsufficientBalance()
    balance.amount += amount
    balance.save(update_fields=["amount", "updated_at"])
    return LedgerEntry.objects.for_company(company).create(
        company=company, kind=kind, amount=amount, balance_after=balance.amount, reason=reason, created_by=by
    )


# ---- payments -------------------------------------------------------------------------------------


def payment_take(
    *,
    company,
    reference: str,
    amount,
    by=None,
    voucher: Voucher | None = None,
    discount=None,
) -> LedgerEntry:
    """Debit `amount` for `reference` (a campaign id), exactly once: under the balance row lock,
    with its ledger entry and a Payment row whose unique constraint refuses a second payment.
    With a voucher, its redemption is written in the same transaction (and a voucher used up
    meanwhile refuses the payment). Raises AlreadyPaid, BalanceLocked, InsufficientBalance,
    VoucherInvalid; on any of them nothing is written."""
    amount = money(amount)
    if amount <= 0:
        raise InvalidAmount(BillingErrorCode.PAYMENT_NOT_POSITIVE)
    reference = str(reference)
    with transaction.atomic():
        balance = _locked_balance(company)
        # The lock serialises this company's payments, so this sees any earlier one; the unique
        # constraint below stays the guarantee.
        if Payment.objects.for_company(company).filter(reference=reference).exists():
            raise AlreadyPaid()
        if balance.is_locked:
            raise BalanceLocked()
        try:
            with transaction.atomic():
                entry = _post(
                    company,
                    balance,
                    -amount,
                    kind=LedgerEntry.Kind.PAYMENT,
                    reason=f"Campaign {reference}",
                    by=by,
                )
                Payment.objects.for_company(company).create(
                    company=company,
                    reference=reference,
                    amount=amount,
                    ledger_entry=entry,
                    voucher=voucher,
                    created_by=by,
                )
        except IntegrityError:
            balance.refresh_from_db()
            raise AlreadyPaid() from None
        if voucher is not None:
            voucher_redeem(
                company=company, voucher=voucher, reference=reference, discount=discount or Decimal("0.00")
            )
    return entry


def payment_refund(*, company, reference: str, by=None, amount=None, reason: str = "") -> LedgerEntry:
    """Give back all (default) or part of what was paid for `reference`, never more in total."""
    with transaction.atomic():
        balance = _locked_balance(company)
        payment = Payment.objects.for_company(company).filter(reference=str(reference)).first()
        if payment is None:
            raise RefundTooLarge(BillingErrorCode.REFUND_NOTHING_PAID)
        refundable = payment.amount - payment.refunded
        amount = refundable if amount is None else money(amount)
        if amount <= 0 or amount > refundable:
            raise RefundTooLarge()
        payment.refunded += amount
        payment.save(update_fields=["refunded"])
        return _post(
            company,
            balance,
            amount,
            kind=LedgerEntry.Kind.REFUND,
            reason=reason or f"Refund for campaign {reference}",
            by=by,
        )


# ---- vouchers ---------------------------------------------------------------------------------------


def voucher_check(*, company, code: str, at: datetime | None = None) -> Voucher:
    """The voucher this company may use now under `code` (any case), or VoucherInvalid saying
    which rule refused it: unknown, inactive, not started, expired, not for this company, used
    up overall or by this company. Blank: VoucherCodeRequired."""
    code = normalise_voucher_code(code)
    if not code:
        raise VoucherCodeRequired()
    voucher = Voucher.objects.filter(code=code).first()
    if voucher is None:
        raise VoucherInvalid(VoucherInvalid.UNKNOWN)
    _voucher_check_rules(voucher, company, at or timezone.now())
    return voucher


def voucher_redeem(
    *, company, voucher: Voucher, reference: str, discount=Decimal("0.00")
) -> VoucherRedemption:
    """Count the voucher as used by `reference`: call it inside the payment's transaction. The
    voucher row is locked and the limits counted again, so concurrent payments cannot use it
    more often than allowed. Redeeming the same reference again returns the first redemption."""
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        existing = VoucherRedemption.objects.for_company(company).filter(reference=str(reference)).first()
        if existing is not None:
            return existing
        _voucher_check_rules(voucher, company, timezone.now())
        return VoucherRedemption.objects.for_company(company).create(
            company=company, voucher=voucher, reference=str(reference), discount=money(discount)
        )


def voucher_ensure(*, code: str, kind: str, amount, description: str = "", is_active: bool = True) -> Voucher:
    """The voucher with this code, made if missing (the demo's SAVE20); an existing one is left as
    staff set it."""
    voucher, _ = Voucher.objects.get_or_create(
        code=normalise_voucher_code(code),
        defaults={"kind": kind, "amount": money(amount), "description": description, "is_active": is_active},
    )
    return voucher


def voucher_never_deletable(voucher: Voucher) -> VoucherInUse | None:
    """A voucher that payments redeemed is never deleted (its redemptions are the record)."""
    return VoucherInUse() if VoucherRedemption.unscoped.filter(voucher=voucher).exists() else None


def voucher_delete(*, voucher: Voucher) -> None:
    """Delete a voucher nothing refers to, under its row lock. One that was redeemed, or that an
    order or a campaign refers to (their PROTECT foreign keys), is refused: VoucherInUse."""
    with transaction.atomic():
        locked = Voucher.objects.select_for_update().filter(pk=voucher.pk).first()
        if locked is None:
            return
        refusal = voucher_never_deletable(locked)
        if refusal is not None:
            raise refusal
        try:
            with transaction.atomic():
                locked.delete()
        except ProtectedError as exc:
            raise VoucherInUse() from exc


def _voucher_check_rules(voucher: Voucher, company, at: datetime) -> None:
    if not voucher.is_active:
        raise VoucherInvalid(VoucherInvalid.INACTIVE)
    if voucher.valid_from is not None and at < voucher.valid_from:
        raise VoucherInvalid(VoucherInvalid.NOT_STARTED)
    if voucher.valid_until is not None and at >= voucher.valid_until:
        raise VoucherInvalid(VoucherInvalid.EXPIRED)
    allowed = voucher.companies.all()
    if allowed.exists() and not allowed.filter(pk=company.pk).exists():
        raise VoucherInvalid(VoucherInvalid.NOT_FOR_COMPANY)
    used = VoucherRedemption.unscoped.filter(voucher=voucher)
    if voucher.max_redemptions is not None and used.count() >= voucher.max_redemptions:
        raise VoucherInvalid(VoucherInvalid.EXHAUSTED)
    if (
        voucher.max_redemptions_per_company is not None
        and used.filter(company=company).count() >= voucher.max_redemptions_per_company
    ):
        raise VoucherInvalid(VoucherInvalid.COMPANY_LIMIT)


# ---- orders (provisional bookings) -----------------------------------------------------------------


def order_create(
    *,
    company,
    reference: str,
    cost: Cost,
    voucher: Voucher | None = None,
    send_date: date | None = None,
    by=None,
    now: datetime | None = None,
) -> Order:
    """Book `reference` (a campaign id) to be paid by invoice: only for a company with the
    provisional-booking permission. The order is numbered ORD-YYYYMMDD-NNN (today in the dispatch
    time zone, a sequence per day) and its invoice is emailed once the transaction commits."""
    if not type(company).objects.filter(pk=company.pk, provisional_booking_allowed=True).exists():
        raise ProvisionalBookingNotAllowed()
    reference = str(reference)
    with transaction.atomic():
        if Payment.objects.for_company(company).filter(reference=reference).exists():
            raise AlreadyPaid()
        pending = Order.objects.for_company(company).filter(reference=reference, status=Order.Status.PENDING)
        if pending.exists():
            raise OrderAlreadyPending()
        number = _next_order_number(dispatch_today(now))
        try:
            with transaction.atomic():
                order = Order.objects.for_company(company).create(
                    company=company,
                    number=number,
                    reference=reference,
                    currency=cost.currency,
                    unit_price=cost.unit_price,
                    quantity=cost.quantity,
                    subtotal=cost.subtotal,
                    discount=cost.discount,
                    vat_rate=cost.vat_rate,
                    vat=cost.vat,
                    total=cost.total,
                    voucher=voucher,
                    send_date=send_date,
                    created_by=by,
                )
        except IntegrityError:
            raise OrderAlreadyPending() from None
        record_event(company=company, type=EventType.ORDER_CREATED, kind="order", obj=order)
        transaction.on_commit(lambda: _enqueue_invoice_email(order.pk))
    return order


def _enqueue_invoice_email(order_id: int) -> None:
    from billing.tasks import invoice_email_send_task  # tasks import services: import at use

    invoice_email_send_task.delay(order_id)


def _next_order_number(day: date) -> str:
    """The next number of the day. The day's counter row is locked until the order commits, so
    two bookings never get the same number and numbers follow each other without gaps."""
    sequence, _ = OrderSequence.objects.select_for_update().get_or_create(day=day)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"ORD-{day:%Y%m%d}-{sequence.last:03d}"


def order_approve(*, order: Order, by) -> Order:
    """Staff confirm the invoice is paid. (The campaign then moves to Scheduled: the campaigns
    service wraps this call in its own transaction.)"""
    return _order_decide(order, by=by, status=Order.Status.APPROVED, reason="")


def order_reject(*, order: Order, by, reason: str) -> Order:
    """Staff turn the booking down, with a reason (the campaign goes back to Approved)."""
    if not (reason or "").strip():
        raise ReasonRequired()
    return _order_decide(order, by=by, status=Order.Status.REJECTED, reason=reason.strip())


def _order_decide(order: Order, *, by, status: str, reason: str) -> Order:
    _require_staff(by)
    with transaction.atomic():
        locked = Order.unscoped.select_for_update(of=("self",)).select_related("company").get(pk=order.pk)
        if locked.status != Order.Status.PENDING:
            raise OrderNotPending()
        locked.status, locked.reason = status, reason
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        record_event(company=locked.company, type=DECIDED_EVENTS[status], kind="order", obj=locked)
    return locked


# Approved: the invoice is paid; rejected: the booking is released (the campaign goes back).
DECIDED_EVENTS = {
    Order.Status.APPROVED: EventType.ORDER_PAID,
    Order.Status.REJECTED: EventType.ORDER_RELEASED,
}


def invoice_email_send(*, order: Order, to: list[str] | None = None) -> int:
    """Email the order's invoice (Django's email backend) to the company's active users, once:
    a repeated call (a retried task) sends nothing. Returns the number of messages sent."""
    with transaction.atomic():
        order = Order.unscoped.select_for_update().select_related("company").get(pk=order.pk)
        if order.invoice_sent_at is not None:
            return 0
        recipients = to if to is not None else _company_emails(order.company)
        if not recipients:
            return 0
        sent = send_mail(
            subject=f"Postroom invoice {order.number}",
            message=_invoice_text(order),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
        order.invoice_sent_at = timezone.now()
        order.save(update_fields=["invoice_sent_at"])
    return sent


def _company_emails(company) -> list[str]:
    users = company.users.filter(is_active=True).exclude(email="").order_by("email")
    return list(users.values_list("email", flat=True))


def _invoice_text(order: Order) -> str:
    currency = order.currency
    lines = [
        f"Invoice {order.number} for {order.company.name}",
        "",
        f"Campaign: {order.reference}",
        f"Send date: {order.send_date:%Y-%m-%d}" if order.send_date else "Send date: to be confirmed",
        "",
        f"{order.quantity} x {order.unit_price} {currency}: {order.subtotal} {currency}",
    ]
    if order.discount:
        code = f" ({order.voucher.code})" if order.voucher_id else ""
        lines.append(f"Discount{code}: -{order.discount} {currency}")
    lines += [
        f"VAT at {format((order.vat_rate * 100).normalize(), 'f')}%: {order.vat} {currency}",
        f"Total due: {order.total} {currency}",
        "",
        "Your campaign is provisionally booked. It is sent once this invoice is paid; quote the",
        f"invoice number {order.number} with your payment.",
    ]
    return "\n".join(lines)


def _require_staff(user) -> None:
    if user is None or not user.is_staff:
        raise NotStaff()

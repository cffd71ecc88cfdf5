"""What a campaign costs: pure arithmetic on Decimal, no database.

subtotal = unit price x recipients; discount from the voucher (percent of the subtotal, or a
fixed amount, never more than the subtotal); VAT on (subtotal - discount); total = subtotal -
discount + VAT. Every amount is quantised to pence, ROUND_HALF_UP, as soon as it is computed, so
what the API shows is exactly what is charged. A float anywhere is refused (TypeError).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from billing.dates import add_working_days

PENNY = Decimal("0.01")
HUNDRED = Decimal("100")


def money(value) -> Decimal:
    """An amount in pounds as a Decimal quantised to pence. Accepts Decimal, int or a decimal
    string; a float is refused, since it may already be off by a fraction of a penny."""
    if isinstance(value, float):
        raise TypeError("Money is never a float: pass a Decimal or a string.")
    return Decimal(value if isinstance(value, Decimal) else str(value)).quantize(
        PENNY, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Cost:
    unit_price: Decimal
    quantity: int
    subtotal: Decimal
    discount: Decimal
    vat_rate: Decimal
    vat: Decimal
    total: Decimal
    voucher_code: str = ""
    currency: str = "GBP"


def voucher_discount(*, voucher, subtotal: Decimal) -> Decimal:
    """What the voucher takes off this subtotal (never more than the subtotal)."""
    if voucher is None:
        return Decimal("0.00")
    amount = _decimal(voucher.amount, "voucher amount")
    discount = money(subtotal * amount / HUNDRED) if voucher.kind == "percent" else money(amount)
    return min(discount, subtotal)


def cost_breakdown(
    *, unit_price: Decimal, recipients: int, voucher=None, vat_rate: Decimal | None = None
) -> Cost:
    """The cost of sending one item to each of `recipients` at `unit_price` (GBP, before VAT).
    `vat_rate` defaults to settings.VAT_RATE (read at call time)."""
    unit_price = _decimal(unit_price, "unit_price")
    vat_rate = _decimal(settings.VAT_RATE if vat_rate is None else vat_rate, "vat_rate")
    if isinstance(recipients, bool) or not isinstance(recipients, int) or recipients < 0:
        raise ValueError("recipients is a whole number, 0 or more.")
    if unit_price < 0 or not Decimal("0") <= vat_rate < Decimal("1"):
        raise ValueError("unit_price must not be negative; vat_rate is a fraction (0.20 for 20%).")
    subtotal = money(unit_price * recipients)
    discount = voucher_discount(voucher=voucher, subtotal=subtotal)
    vat = money((subtotal - discount) * vat_rate)
    return Cost(
        unit_price=unit_price,
        quantity=recipients,
        subtotal=subtotal,
        discount=discount,
        vat_rate=vat_rate,
        vat=vat,
        total=subtotal - discount + vat,
        voucher_code=voucher.code if voucher is not None else "",
    )


def estimated_delivery(*, send_date: date, mail_class: str) -> date:
    """When an item posted on `send_date` should arrive: settings.DELIVERY_WORKING_DAYS working
    days later (First 2, Second 3: the spec's example posts First on 2026-04-15, a Wednesday,
    and estimates 2026-04-17). Mail classes are matched case-insensitively."""
    days = {name.casefold(): n for name, n in settings.DELIVERY_WORKING_DAYS.items()}.get(
        (mail_class or "").casefold()
    )
    if days is None:
        raise ValueError(f"Unknown mail class {mail_class!r}.")
    return add_working_days(send_date, days)


def _decimal(value, name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} is never a float: pass a Decimal or a string.")
    return value if isinstance(value, Decimal) else Decimal(str(value))

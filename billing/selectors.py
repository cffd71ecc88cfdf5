from decimal import Decimal

from django.db import connection

from billing.errors import (
    UnsupportedAdmail,
    UnsupportedConfidential,
    UnsupportedDuplex,
    UnsupportedMailClass,
    UnsupportedStockWeight,
)
from billing.models import Balance, MailClass, Order, Payment, Product, StockWeight
from config.db import fetch_one


def balance_for_company(*, company) -> Balance:
    """The company's balance. Read on every balance call, so the query is written out: building
    it with the ORM costs several times more than running it."""
    company_key = Balance._meta.pk.target_field.get_db_prep_value(company.pk, connection)
    amount, currency = fetch_one(
        "SELECT amount, currency FROM billing_balance WHERE company_id = %s", [company_key]
    )
    # SQLite hands back floats for decimals; str() keeps the two places exactly.
    return Balance(company=company, amount=Decimal(str(amount)).quantize(Decimal("0.01")), currency=currency)


# ---- product catalogue ------------------------------------------------------------------------


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _ordered(values, order: list[str]) -> list[str]:
    rank = {value: i for i, value in enumerate(order)}
    return sorted(set(values), key=lambda v: (rank.get(v, len(rank)), v))


STOCK_ORDER = [choice.value for choice in StockWeight]
MAIL_CLASS_ORDER = [choice.value for choice in MailClass]


def active_products() -> list[Product]:
    return list(Product.objects.filter(is_active=True))


def catalogue_values() -> dict:
    """What the catalogue offers at all: format codes, stock weights and mail classes, in order."""
    rows = Product.objects.filter(is_active=True).values_list("format_code", "stock_weight", "mail_class")
    formats, stocks, mails = set(), set(), set()
    for format_code, stock, mail in rows:
        formats.add(format_code)
        stocks.add(stock)
        mails.add(mail)
    return {
        "format_codes": formats,
        "stock_weights": _ordered(stocks, STOCK_ORDER),
        "mail_classes": _ordered(mails, MAIL_CLASS_ORDER),
    }


def combinations_by_format(format_codes: list[str] | None = None) -> dict[str, list[Product]]:
    """The active products of each format (all formats, or those named), in catalogue order."""
    products = Product.objects.filter(is_active=True)
    if format_codes is not None:
        products = products.filter(format_code__in=format_codes)
    grouped: dict[str, list[Product]] = {}
    for item in products:
        grouped.setdefault(item.format_code, []).append(item)
    return grouped


def product_for(
    *,
    format_code: str,
    stock_weight: str | None,
    mail_class: str | None,
    is_duplex: bool,
    is_admail: bool,
    is_confidential: bool,
) -> Product:
    """The product for these options, or the first option the format does not offer as an error
    listing the values it does offer (given the options before it): stock, mail class, duplex,
    admail, confidential. Codes are matched case-insensitively."""
    candidates = list(Product.objects.filter(is_active=True, format_code=format_code))
    steps = (
        (UnsupportedStockWeight, lambda p: p.stock_weight, stock_weight, STOCK_ORDER),
        (UnsupportedMailClass, lambda p: p.mail_class, mail_class, MAIL_CLASS_ORDER),
        (UnsupportedDuplex, lambda p: _flag(p.is_duplex), _flag(is_duplex), ["true", "false"]),
        (UnsupportedAdmail, lambda p: _flag(p.is_admail), _flag(is_admail), ["true", "false"]),
        (
            UnsupportedConfidential,
            lambda p: _flag(p.is_confidential),
            _flag(is_confidential),
            ["true", "false"],
        ),
    )
    for error, value_of, wanted, order in steps:
        matching = [p for p in candidates if value_of(p).casefold() == (wanted or "").strip().casefold()]
        if not matching:
            accepted = _ordered((value_of(p) for p in candidates), order)
            if error is UnsupportedStockWeight and not accepted:
                accepted = STOCK_ORDER  # a format with no products at all: say what exists
            raise error(accepted)
        candidates = matching
    return candidates[0]


# ---- payments and orders of a reference (a campaign id) ------------------------------------------


def payment_for_reference(*, company, reference: str) -> Payment | None:
    return Payment.objects.for_company(company).filter(reference=str(reference)).first()


def order_for_reference(*, company, reference: str) -> Order | None:
    """The latest order (provisional booking) of the reference, whatever its status."""
    return (
        Order.objects.for_company(company)
        .filter(reference=str(reference))
        .order_by("-created_at", "-id")
        .first()
    )

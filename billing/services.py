"""Every write to balances. Money is Decimal, quantised to pence."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from billing.errors import InsufficientBalance, InvalidAmount
from billing.models import Balance, LedgerEntry

PENNY = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)


def balance_open(*, company) -> Balance:
    return Balance.objects.create(company=company, currency=company.currency)


@transaction.atomic
def balance_change(*, company, amount, kind: str, reason: str = "", by=None) -> LedgerEntry:
    """Credit (amount > 0) or debit (amount < 0) a balance under a row lock, with its ledger entry."""
    amount = money(amount)
    if amount == 0:
        raise InvalidAmount()
    balance = Balance.objects.select_for_update().get(company=company)
    if balance.amount + amount < 0:
        raise InsufficientBalance()
    balance.amount += amount
    balance.save(update_fields=["amount", "updated_at"])
    return LedgerEntry.objects.for_company(company).create(
        company=company, kind=kind, amount=amount, balance_after=balance.amount, reason=reason, created_by=by
    )

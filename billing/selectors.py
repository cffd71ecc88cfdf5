from decimal import Decimal

from django.db import connection

from billing.models import Balance, Order, Payment


def balance_for_company(*, company) -> Balance:
    """The company's balance. Read on every balance call, so the query is written out: building
    it with the ORM costs several times more than running it."""
    company_key = Balance._meta.pk.target_field.get_db_prep_value(company.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT amount, currency FROM billing_balance WHERE company_id = %s", [company_key])
        amount, currency = cursor.fetchone()
    # SQLite hands back floats for decimals; str() keeps the two places exactly.
    return Balance(company=company, amount=Decimal(str(amount)).quantize(Decimal("0.01")), currency=currency)


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

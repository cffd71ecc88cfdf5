"""Schedule under real concurrency, through the HTTP API: threads, each with its own client and
database connection, released together. Needs PostgreSQL (row locks); SQLite serialises every
write on one file lock, so there is nothing to prove there."""

from decimal import Decimal

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from billing import services as billing
from billing.models import Balance, LedgerEntry, Payment
from campaigns.models import Campaign, Status
from tests.campaigns.conftest import make_approved
from tests.concurrency import released_together
from tests.platform_api import bearer, login

THREADS = 20
SCHEDULE = "/api/v1/campaigns/schedule"
PAID = "Congratulations! Your payment was successful. Campaign scheduled successfully!"
READ_ONLY = "Can not schedule campaign. Campaign is currently in a read-only state."
SHORT = "Can not schedule campaign. Insufficient balance."

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith(".sqlite3"),
        reason="needs PostgreSQL: SQLite has no row locks and serialises all writes",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalogue"),
]


def _race(requests: list[str], token: str) -> list:
    """POST each path in its own thread (own client, own connection), all released at once;
    each result is (status, message) or the exception."""

    def post(i):
        response = bearer(APIClient(), token).post(requests[i])
        return response.status_code, response.json()["message"]

    return released_together(post, len(requests))


def _ledger_sum(company) -> Decimal:
    return sum((e.amount for e in LedgerEntry.objects.for_company(company)), Decimal("0.00"))


def test_twenty_schedules_of_one_campaign_debit_exactly_once(company, api_key):
    # given: an approved campaign costing 99.00, and enough balance for many
    billing.balance_top_up(company=company, amount="1000.00")
    campaign = make_approved(company)
    token = login(APIClient(), api_key)["token"]

    # when
    path = f"{SCHEDULE}?campaignId={campaign.pk}&next_available_date=true&use_balance=true"
    results = _race([path] * THREADS, token)

    # then
    assert sorted(results, key=str) == sorted([(200, PAID)] + [(200, READ_ONLY)] * (THREADS - 1), key=str)
    assert Balance.objects.get(company=company).amount == Decimal("901.00")
    assert LedgerEntry.objects.for_company(company).filter(kind=LedgerEntry.Kind.PAYMENT).count() == 1
    assert Payment.objects.for_company(company).get().amount == Decimal("99.00")
    assert Campaign.objects.for_company(company).get(pk=campaign.pk).status == Status.SCHEDULED
    assert _ledger_sum(company) == Balance.objects.get(company=company).amount


def test_twenty_campaigns_and_a_balance_for_ten(company, api_key):
    # given: 20 approved campaigns of 99.00 each, and 990.00 + 50.00 (ten and a half)
    campaigns = [make_approved(company) for _ in range(THREADS)]
    billing.balance_top_up(company=company, amount="1040.00")
    token = login(APIClient(), api_key)["token"]

    # when
    paths = [f"{SCHEDULE}?campaignId={c.pk}&next_available_date=true" for c in campaigns]
    results = _race(paths, token)

    # then
    assert sorted(results, key=str) == sorted([(200, PAID)] * 10 + [(200, SHORT)] * 10, key=str), results
    balance = Balance.objects.get(company=company).amount
    assert balance == Decimal("50.00")
    assert _ledger_sum(company) == balance
    scheduled = Campaign.objects.for_company(company).filter(status=Status.SCHEDULED)
    assert scheduled.count() == Payment.objects.for_company(company).count() == 10
    entries = LedgerEntry.objects.for_company(company).order_by("created_at", "id")
    assert all(e.balance_after >= 0 for e in entries)

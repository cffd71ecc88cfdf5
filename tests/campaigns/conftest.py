"""Fixtures for the billing stage of campaigns: an approved campaign priced like the spec's
example (0.55 x 150), and a stand-in for the print stage."""

import types
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from campaigns import printing, services
from campaigns.models import Campaign
from tests.campaigns.factories import CampaignFactory
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

LONDON = ZoneInfo("Europe/London")
# A Monday morning, before the dispatch cut-off: tomorrow (the default send date) is Tuesday
# 2026-04-14, and the spec's example date, Wednesday 2026-04-15, is available.
MONDAY_MORNING = datetime(2026, 4, 13, 9, 0, tzinfo=LONDON)


@pytest.fixture
def monday_morning():
    """The clock at MONDAY_MORNING (ticking). Request it before any login fixture, so the
    tokens are issued on the travelled clock."""
    with time_machine.travel(MONDAY_MORNING, tick=True) as traveller:
        yield traveller


def make_approved(company, *, recipients: int = 150, unit_price: str = "0.55") -> Campaign:
    """An approved campaign of `company` with `recipients` frozen recipients (two real snapshot
    rows; the frozen count is what billing reads) on the catalogue product at `unit_price`."""
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group)
    RecipientFactory(company=company, group=group)
    campaign = CampaignFactory(company=company, group=group)
    services.campaign_approve(company=company, campaign_id=campaign.pk)
    Campaign.unscoped.filter(pk=campaign.pk).update(recipient_count=recipients)
    product = campaign.print_options.product
    product.unit_price = Decimal(unit_price)
    product.save(update_fields=["unit_price"])
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def approved(company):
    return make_approved(company)


class PrintStageStub:
    """Stands in for campaigns.printing.print_files_write (the print stage): records calls."""

    def __init__(self):
        self.calls: list = []
        self.error: Exception | None = None  # set: the print stage fails with it

    def print_files_write(self, *, campaign_id):
        if self.error is not None:
            raise self.error
        self.calls.append(str(campaign_id))
        return types.SimpleNamespace(pk=len(self.calls), letters=150, attempt=1)


@pytest.fixture
def print_stage(monkeypatch) -> PrintStageStub:
    """A stand-in print stage (counts calls, fails on demand); the real one is exercised by
    tests/campaigns/test_dispatch.py::test_dispatch_with_the_real_print_stage."""
    stub = PrintStageStub()
    monkeypatch.setattr(printing, "print_files_write", stub.print_files_write)
    return stub

import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Company
from billing import services
from billing.models import Voucher

pytestmark = pytest.mark.django_db


def _demo(*args) -> dict:
    out = StringIO()
    call_command("demo", "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_demo_lists_save20_and_makes_it_once():
    first, second = _demo(), _demo()

    assert first["voucher_codes"] == second["voucher_codes"] == ["SAVE20"]
    voucher = Voucher.objects.get()
    assert (voucher.kind, voucher.amount, voucher.is_active) == ("percent", 20, True)
    company = Company.objects.get(pk=first["company_id"])
    assert services.voucher_check(company=company, code="save20") == voucher


def test_provisional_booking_is_off_unless_asked_for():
    off, on = _demo(), _demo("--provisional-booking")

    assert off["provisional_booking_allowed"] is False
    assert on["provisional_booking_allowed"] is True
    assert Company.objects.get(pk=off["company_id"]).provisional_booking_allowed is False
    assert Company.objects.get(pk=on["company_id"]).provisional_booking_allowed is True

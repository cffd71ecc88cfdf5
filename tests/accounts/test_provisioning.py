"""A new company gets what every app above accounts registered for it, in one transaction."""

import pytest
from django.db import IntegrityError

from accounts import provisioning, services
from accounts.models import Company
from billing.models import Balance
from files.models import LibraryEntry
from recipients.models import RecipientGroup

pytestmark = pytest.mark.django_db


def test_a_new_company_gets_a_balance_a_default_group_and_a_home_folder():
    company = services.company_create(name="Fresh Ltd", currency="EUR")

    assert Balance.objects.get(company=company).currency == "EUR"
    assert RecipientGroup.objects.for_company(company).filter(is_default=True).count() == 1
    assert LibraryEntry.objects.for_company(company).filter(path="Home").count() == 1


def test_a_setup_that_fails_leaves_no_company_behind():
    def failing_setup(*, company):
        raise IntegrityError("no room")

    provisioning.register(failing_setup)
    try:
        with pytest.raises(IntegrityError):
            services.company_create(name="Doomed Ltd")
    finally:
        provisioning.unregister(failing_setup)

    assert not Company.objects.filter(name="Doomed Ltd").exists()

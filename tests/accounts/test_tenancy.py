"""Tenant scoping fails closed: a tenant-owned model cannot be queried without a company."""

import pytest

from accounts.models import ApiKey
from accounts.tenancy import UnscopedQueryError
from billing.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [ApiKey, LedgerEntry])
def test_unscoped_queries_are_refused(model):
    with pytest.raises(UnscopedQueryError):
        model.objects.all()
    with pytest.raises(UnscopedQueryError):
        model.objects.filter(pk=1)


def test_scoped_queries_see_only_their_company(api_user, api_key, other_company):
    from accounts import services
    from tests.accounts.factories import UserFactory

    services.api_key_issue(user=UserFactory(company=other_company))
    assert ApiKey.objects.for_company(api_user.company).count() == 1
    assert ApiKey.objects.for_company(other_company).count() == 1
    assert ApiKey.unscoped.count() == 2

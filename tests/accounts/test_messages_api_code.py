"""The messages export API's api_code: generated, shown once, stored as a hash; rotation kills
the old one at once."""

import pytest

from accounts.models import Company
from accounts.selectors import messages_api_code_matches
from accounts.services import messages_api_code_rotate
from tests.accounts.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_a_company_has_no_code_until_one_is_made(company):
    assert not messages_api_code_matches(company=company, api_code="")
    assert not messages_api_code_matches(company=company, api_code="anything")


def test_the_code_is_high_entropy_shown_once_and_stored_as_a_hash(company):
    code = messages_api_code_rotate(company=company)

    stored = Company.objects.get(pk=company.pk)
    assert len(code) >= 40 and code not in (stored.messages_api_code_hash, stored.messages_api_code_prefix)
    assert stored.messages_api_code_prefix == code[:12]
    assert messages_api_code_matches(company=stored, api_code=code)
    # a company read without the column (as a token's principal holds it) is looked up
    assert messages_api_code_matches(company=Company.objects.only("pk").get(pk=company.pk), api_code=code)


def test_rotation_kills_the_old_code_and_codes_are_per_company(company):
    old = messages_api_code_rotate(company=company)
    new = messages_api_code_rotate(company=company)
    other = CompanyFactory()
    other_code = messages_api_code_rotate(company=other)

    company = Company.objects.get(pk=company.pk)
    assert old != new
    assert not messages_api_code_matches(company=company, api_code=old)
    assert messages_api_code_matches(company=company, api_code=new)
    assert not messages_api_code_matches(company=company, api_code=other_code)
    for wrong in (None, 123, ["x"], new + " ", new.upper() if new != new.upper() else new.lower()):
        assert not messages_api_code_matches(company=company, api_code=wrong)

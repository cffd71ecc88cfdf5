"""The messages export API on a company's admin page: its api_code rotated by a list action that
shows the new code once (the old one stops working), only the code's beginning shown anywhere
else, and the monthly row limit edited by staff."""

import re

import pytest

from accounts.models import Company
from accounts.selectors import messages_api_code_matches, messages_monthly_row_limit
from accounts.services import messages_api_code_rotate
from tests.accounts.factories import CompanyFactory
from tests.admin_support import change_form_data

pytestmark = pytest.mark.django_db

COMPANIES = "/admin/accounts/company/"


def rotate(admin_client, companies):
    data = {"action": "rotate_messages_api_code", "_selected_action": [c.pk for c in companies]}
    return admin_client.post(COMPANIES, data)


def codes_on(response) -> list[str]:
    return re.findall(r'<code class="api-code">([^<]+)</code>', response.text)


def test_rotating_shows_the_new_codes_once_and_the_old_one_stops_working(admin_client, company):
    old = messages_api_code_rotate(company=company)
    other = CompanyFactory()

    response = rotate(admin_client, [company, other])

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert len(codes_on(response)) == 2 and company.name in response.text and other.name in response.text
    stored = Company.objects.get(pk=company.pk)
    [new] = [code for code in codes_on(response) if messages_api_code_matches(company=stored, api_code=code)]
    assert new != old and not messages_api_code_matches(company=stored, api_code=old)
    assert all(new not in morsel.value for morsel in admin_client.cookies.values())
    page = admin_client.get(f"{COMPANIES}{company.pk}/change/").text
    assert new not in page and new not in admin_client.get(COMPANIES).text
    assert f"{new[:12]}… (shown once when rotated)" in page


def test_a_company_without_a_code_is_told_how_to_make_one(admin_client, company):
    page = admin_client.get(f"{COMPANIES}{company.pk}/change/").text
    assert "none yet: rotate it (list action) to make one" in page


def test_the_rotation_needs_a_staff_login(client, api_user, company):
    client.force_login(api_user)

    response = rotate(client, [company])

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Company.objects.get(pk=company.pk).messages_api_code_hash == ""


@pytest.mark.parametrize(("typed", "stored"), [("5000", 5000), ("", None)])
def test_staff_set_the_monthly_row_limit_on_the_companys_page(admin_client, company, typed, stored):
    company.messages_monthly_row_limit = 10
    company.save(update_fields=["messages_monthly_row_limit"])
    url = f"{COMPANIES}{company.pk}/change/"
    data = change_form_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "messages_monthly_row_limit": typed})

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert messages_monthly_row_limit(company=company) == stored


def test_the_code_is_never_a_form_field(admin_client, company):
    page = admin_client.get(f"{COMPANIES}{company.pk}/change/").text
    assert 'name="messages_monthly_row_limit"' in page
    assert 'name="messages_api_code' not in page

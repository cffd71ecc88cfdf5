"""The back office: companies with balances, approval of API users, API keys shown once."""

import re

import pytest

from accounts.models import ApiKey, Company, User
from tests.accounts.factories import UserFactory
from tests.platform_api import login

pytestmark = pytest.mark.django_db


def _action(admin_client, url, action, objects):
    return admin_client.post(
        url, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True
    )


def _action_without_redirect(admin_client, url, action, objects):
    return admin_client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]})


def test_admin_needs_a_staff_login(client, company):
    response = client.get("/admin/accounts/company/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_non_staff_user_cannot_enter_the_admin(client, api_user):
    client.force_login(api_user)
    assert client.get("/admin/accounts/company/").status_code == 302


def test_company_list_shows_the_balance(admin_client, company):
    response = admin_client.get("/admin/accounts/company/")
    assert response.status_code == 200
    assert company.name in response.text and "0.00 GBP" in response.text


def test_company_added_in_the_admin_gets_a_balance(admin_client):
    response = admin_client.post(
        "/admin/accounts/company/add/", {"name": "Acme", "currency": "GBP", "is_active": "on"}
    )
    assert response.status_code == 302, response.content[:2000]
    company = Company.objects.get(name="Acme")
    assert company.balance.amount == 0


def test_the_company_number_is_shown_never_edited(admin_client, company):
    url = f"/admin/accounts/company/{company.pk}/change/"

    listing = admin_client.get("/admin/accounts/company/")
    page = admin_client.get(url)
    admin_client.post(url, {"name": company.name, "currency": "GBP", "is_active": "on", "number": "999"})

    assert f'<td class="field-number">{company.number}</td>' in listing.text
    assert re.search(rf'<div class="readonly">{company.number}</div>', page.text)
    assert 'name="number"' not in page.text
    company.refresh_from_db()
    assert company.number != 999


def test_enable_api_access_action_approves_api_use(admin_client, api_client):
    # given: a user with a key but no API access
    user = UserFactory(api_access_enabled=False)
    response = _action(admin_client, "/admin/accounts/user/", "issue_api_key", [user])
    secret = re.search(r"sk_live_[A-Za-z0-9_\-]+", response.text).group(0)
    assert api_client.post("/api/v1/account/login", {"ApiKey": secret}, format="json").status_code == 401

    # when
    response = _action(admin_client, "/admin/accounts/user/", "enable_api_access", [user])

    # then
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.api_access_enabled is True
    assert login(api_client, secret)["token"]


def test_disable_api_access_action_ends_sessions(admin_client, api_client, api_user, tokens):
    _action(admin_client, "/admin/accounts/user/", "disable_api_access", [api_user])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['token']}")
    assert api_client.post("/api/v1/account/balance").status_code == 401
    assert User.objects.get(pk=api_user.pk).api_access_enabled is False


def test_api_access_is_not_editable_in_the_user_form(admin_client, api_user):
    response = admin_client.get(f"/admin/accounts/user/{api_user.pk}/change/")
    assert response.status_code == 200
    assert 'name="api_access_enabled"' not in response.text


def _secret_on(response) -> str:
    return re.search(r'<code class="api-key">(sk_live_[A-Za-z0-9_\-]+)</code>', response.text).group(1)


def test_rotating_in_the_user_list_shows_the_key_on_the_response_page_only(admin_client, api_user, api_key):
    # when
    response = _action_without_redirect(admin_client, "/admin/accounts/user/", "issue_api_key", [api_user])

    # then: the page shows the new key, is not cached, and nothing carries the key further
    assert response.status_code == 200
    secret = _secret_on(response)
    assert secret != api_key and api_user.email in response.text
    assert "no-store" in response["Cache-Control"]
    assert all(secret not in morsel.value for morsel in admin_client.cookies.values())
    next_page = admin_client.get("/admin/accounts/user/")
    assert next_page.status_code == 200 and secret not in next_page.text


def test_rotating_for_a_user_without_company_says_no_key_was_issued(admin_client, staff_user):
    response = _action_without_redirect(admin_client, "/admin/accounts/user/", "issue_api_key", [staff_user])
    assert response.status_code == 200
    assert f"No key issued for {staff_user.email}" in response.text
    assert "sk_live_" not in response.text


def test_generating_a_key_shows_it_once_and_lists_show_prefixes_only(admin_client, api_user):
    # when
    response = admin_client.post("/admin/accounts/apikey/add/", {"user": api_user.pk})

    # then: the secret is on the response page, and on no later page
    assert response.status_code == 200
    secret = _secret_on(response)
    assert all(secret not in morsel.value for morsel in admin_client.cookies.values())
    key = ApiKey.objects.for_company(api_user.company).get(user=api_user, revoked_at__isnull=True)
    assert secret.startswith(key.prefix)
    listing = admin_client.get("/admin/accounts/apikey/").text
    detail = admin_client.get(f"/admin/accounts/apikey/{key.pk}/change/").text
    assert secret not in listing and secret not in detail
    assert key.prefix in listing


def test_rotating_in_the_admin_revokes_the_previous_key(admin_client, api_client, api_user, api_key):
    admin_client.post("/admin/accounts/apikey/add/", {"user": api_user.pk})
    assert api_client.post("/api/v1/account/login", {"ApiKey": api_key}, format="json").status_code == 401


def test_revoke_action(admin_client, api_client, api_user, api_key):
    key = ApiKey.objects.for_company(api_user.company).get(user=api_user)
    _action(admin_client, "/admin/accounts/apikey/", "revoke", [key])
    assert api_client.post("/api/v1/account/login", {"ApiKey": api_key}, format="json").status_code == 401

from datetime import timedelta
from decimal import Decimal

import jwt
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.roles import READ_ONLY
from billing import services as billing_services
from billing.models import LedgerEntry
from tests.accounts.factories import CompanyFactory, UserFactory
from tests.platform_api import assert_envelope, bearer, login

URL = "/api/v1/account/balance"
pytestmark = pytest.mark.django_db


def _client_for(user) -> APIClient:
    key = account_services.api_key_issue(user=user).secret
    return bearer(APIClient(), login(APIClient(), key)["token"])


def test_balance_of_the_token_company(company, authed_client):
    # given
    billing_services.balance_change(company=company, amount="1500.25", kind=LedgerEntry.Kind.TOP_UP)
    other = CompanyFactory()
    billing_services.balance_change(company=other, amount="99.99", kind=LedgerEntry.Kind.TOP_UP)

    # when
    response = authed_client.post(URL)

    # then
    body = assert_envelope(response, 200, "Successful!")
    assert body["data"] == {"CurrencyCode": "GBP", "Balance": 1500.25}
    assert body["errors"] is None
    assert Decimal(response.content.decode().split('"Balance":')[1].split("}")[0]) == Decimal("1500.25")


def test_balance_of_a_new_company_is_zero(authed_client):
    body = assert_envelope(authed_client.post(URL), 200, "Successful!")
    assert body["data"] == {"CurrencyCode": "GBP", "Balance": 0}


def test_balance_without_token_is_401(api_client):
    response = api_client.post(URL)
    body = assert_envelope(response, 401, "Missing or invalid authentication token")
    assert body["errors"] == ["Unauthorized"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer garbage",
        "Bearer ",
        "Bearer",
        "Bearer a.b.c",
        "Bearer eyJhbGciOiJub25lIn0.e30.",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer two tokens",
    ],
)
def test_balance_with_bad_authorization_header_is_401(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert_envelope(api_client.post(URL), 401, "Missing or invalid authentication token")


def test_expired_access_token_is_401(api_client, tokens):
    bearer(api_client, tokens["token"])
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5)):
        assert_envelope(api_client.post(URL), 401, "Missing or invalid authentication token")


def test_access_token_is_valid_for_fifteen_minutes(api_client, tokens):
    bearer(api_client, tokens["token"])
    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert_envelope(api_client.post(URL), 200, "Successful!")


def test_refresh_token_passed_as_access_token_is_401(api_client, tokens):
    bearer(api_client, tokens["refreshToken"])
    assert_envelope(api_client.post(URL), 401, "Missing or invalid authentication token")


def test_token_signed_with_another_key_is_401(api_client, tokens):
    claims = jwt.decode(tokens["token"], options={"verify_signature": False})
    bearer(api_client, jwt.encode(claims, "another-signing-key-" * 3, algorithm="HS256"))
    assert_envelope(api_client.post(URL), 401, "Missing or invalid authentication token")


@pytest.mark.parametrize("claim", ["company_id", "sid", "user_id"])
def test_token_missing_a_claim_is_401(api_client, tokens, claim):
    claims = jwt.decode(tokens["token"], options={"verify_signature": False})
    del claims[claim]
    bearer(api_client, jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256"))
    assert_envelope(api_client.post(URL), 401, "Missing or invalid authentication token")


def test_token_claiming_another_company_is_401(api_client, tokens, other_company):
    claims = jwt.decode(tokens["token"], options={"verify_signature": False})
    claims["company_id"] = str(other_company.pk)
    bearer(api_client, jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256"))
    assert_envelope(api_client.post(URL), 401, "Missing or invalid authentication token")


def test_access_token_dies_with_company_deactivation(company, authed_client):
    company.is_active = False
    company.save()
    assert_envelope(authed_client.post(URL), 401, "Missing or invalid authentication token")


def test_role_without_the_right_is_403(company):
    client = _client_for(UserFactory(company=company, roles=()))
    body = assert_envelope(client.post(URL), 403, "Authenticated token is valid, but permission is denied")
    assert body["errors"] == ["Forbidden"]


def test_read_only_role_may_read_the_balance(company):
    client = _client_for(UserFactory(company=company, roles=(READ_ONLY,)))
    assert_envelope(client.post(URL), 200, "Successful!")


def test_balance_cannot_be_read_with_get(authed_client):
    assert_envelope(authed_client.get(URL), 405, "Method not allowed.")


def test_role_changes_apply_once_the_role_cache_expires(company, settings):
    # given: a read-only user whose role's rights this process has already looked up
    client = _client_for(UserFactory(company=company, roles=(READ_ONLY,)))
    assert_envelope(client.post(URL), 200, "Successful!")

    # when: staff take the right away from the role
    Group.objects.get(name=READ_ONLY).permissions.clear()

    # then: the remembered answer stands for ROLE_RIGHTS_CACHE_SECONDS, then the change applies
    assert_envelope(client.post(URL), 200, "Successful!")
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.ROLE_RIGHTS_CACHE_SECONDS + 1)):
        assert_envelope(client.post(URL), 403, "Authenticated token is valid, but permission is denied")

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from accounts import services
from accounts.models import ApiKey
from tests.accounts.factories import CompanyFactory, UserFactory
from tests.platform_api import assert_envelope

URL = "/api/v1/account/login"
pytestmark = pytest.mark.django_db


def _post(client, body, **kwargs):
    return client.post(URL, body, format="json", **kwargs)


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_login_returns_token_pair_with_spec_fields(api_client, api_key):
    # when
    response = _post(api_client, {"ApiKey": api_key})

    # then
    body = assert_envelope(response, 200, "Login successful")
    assert body["errors"] is None
    data = body["data"]
    assert set(data) == {"token", "expiry", "refreshExpiry", "refreshToken"}
    now = datetime.now(UTC)
    assert timedelta(minutes=14) < _parse(data["expiry"]) - now <= timedelta(minutes=15)
    assert timedelta(days=6, hours=23) < _parse(data["refreshExpiry"]) - now <= timedelta(days=7)
    assert data["token"] != data["refreshToken"]


@pytest.mark.parametrize("key_name", ["ApiKey", "apiKey", "apikey", "APIKEY"])
def test_login_accepts_the_key_name_in_any_case(api_client, api_key, key_name):
    assert_envelope(_post(api_client, {key_name: api_key}), 200, "Login successful")


def test_login_accepts_form_encoded_body(api_client, api_key):
    response = api_client.post(URL, {"ApiKey": api_key})  # multipart, like curl -F
    assert_envelope(response, 200, "Login successful")


@pytest.mark.parametrize("key", ["sk_live_not-a-real-key", "garbage", "sk_live_", " " * 3])
def test_login_with_unknown_key_is_401(api_client, key):
    response = _post(api_client, {"ApiKey": key})
    if key.strip():
        body = assert_envelope(response, 401, "Invalid or expired API key")
        assert body["errors"] == ["Unauthorized"]
    else:
        assert_envelope(response, 400, "Validation failed")


def test_login_with_rotated_key_is_401(api_client, api_user, api_key):
    services.api_key_issue(user=api_user)  # rotation
    assert_envelope(_post(api_client, {"ApiKey": api_key}), 401, "Invalid or expired API key")


def test_rotated_key_works_at_once(api_client, api_user, api_key):
    new_key = services.api_key_issue(user=api_user).secret
    assert_envelope(_post(api_client, {"ApiKey": new_key}), 200, "Login successful")


def test_login_of_user_without_api_access_is_401(api_client):
    user = UserFactory(api_access_enabled=False)
    key = services.api_key_issue(user=user).secret
    assert_envelope(_post(api_client, {"ApiKey": key}), 401, "Invalid or expired API key")


def test_login_of_inactive_company_is_401(api_client):
    user = UserFactory(company=CompanyFactory(is_active=False))
    key = services.api_key_issue(user=user).secret
    assert_envelope(_post(api_client, {"ApiKey": key}), 401, "Invalid or expired API key")


def test_login_of_inactive_user_is_401(api_client):
    user = UserFactory(is_active=False)
    key = services.api_key_issue(user=user).secret
    assert_envelope(_post(api_client, {"ApiKey": key}), 401, "Invalid or expired API key")


def test_login_of_revoked_key_is_401(api_client, api_user, api_key):
    services.api_key_revoke(api_key=ApiKey.objects.for_company(api_user.company).get(user=api_user))
    assert_envelope(_post(api_client, {"ApiKey": api_key}), 401, "Invalid or expired API key")


def test_login_records_last_use(api_client, api_user, api_key):
    _post(api_client, {"ApiKey": api_key})
    key = ApiKey.objects.for_company(api_user.company).get(user=api_user)
    assert key.last_used_at is not None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ApiKey": None},
        {"ApiKey": ""},
        {"ApiKey": 12345},
        {"ApiKey": ["a"]},
        {"ApiKey": {"a": 1}},
        {"key": "x"},
    ],
)
def test_login_with_missing_or_wrong_typed_key_is_400(api_client, body):
    body = assert_envelope(_post(api_client, body), 400, "Validation failed")
    assert any("apikey" in line.lower() for line in body["errors"])


def test_api_key_is_never_stored_in_clear(api_user):
    # given
    issued = services.api_key_issue(user=api_user)

    # then: no column of any API key row holds the secret or its random part
    secret_part = issued.secret.removeprefix(ApiKey.PREFIX)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apikey")
        rows = cursor.fetchall()
    dump = repr(rows)
    assert issued.secret not in dump and secret_part not in dump
    assert issued.api_key.prefix == issued.secret[:12]
    assert len(issued.api_key.key_hash) == 64


def test_keys_have_high_entropy_and_the_live_prefix(api_user):
    keys = {services.api_key_issue(user=api_user).secret for _ in range(5)}
    assert len(keys) == 5
    assert all(key.startswith("sk_live_") and len(key) >= 8 + 43 for key in keys)


def test_one_live_key_per_user(api_user):
    for _ in range(3):
        services.api_key_issue(user=api_user)
    keys = ApiKey.objects.for_company(api_user.company).filter(user=api_user)
    assert keys.count() == 3
    assert keys.filter(revoked_at__isnull=True).count() == 1

from datetime import timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.errors import NotStaff
from accounts.models import ApiSession
from tests.accounts.factories import UserFactory
from tests.platform_api import assert_envelope, bearer, login

URL = "/api/v1/account/refresh"
BALANCE = "/api/v1/account/balance"
pytestmark = pytest.mark.django_db


def _refresh(token, name="RefreshToken"):
    return APIClient().post(URL, {name: token}, format="json")


def _balance_status(access: str) -> int:
    return bearer(APIClient(), access).post(BALANCE).status_code


def test_refresh_returns_a_new_pair(tokens):
    # when
    response = _refresh(tokens["refreshToken"])

    # then
    body = assert_envelope(response, 200, "Token refreshed successfully")
    data = body["data"]
    assert set(data) == {"token", "expiry", "refreshExpiry", "refreshToken"}
    assert data["refreshToken"] != tokens["refreshToken"]
    assert data["token"] != tokens["token"]
    assert _balance_status(data["token"]) == 200


@pytest.mark.parametrize("name", ["RefreshToken", "refreshToken", "refreshtoken"])
def test_refresh_accepts_the_key_name_in_any_case(tokens, name):
    assert_envelope(_refresh(tokens["refreshToken"], name), 200, "Token refreshed successfully")


def test_rotation_chain_keeps_working(tokens):
    refresh = tokens["refreshToken"]
    for _ in range(3):
        refresh = assert_envelope(_refresh(refresh), 200)["data"]["refreshToken"]


def test_reused_refresh_token_is_401_and_revokes_its_descendants(tokens):
    # given: the token was exchanged once
    first = assert_envelope(_refresh(tokens["refreshToken"]), 200)["data"]

    # when: it is presented again
    response = _refresh(tokens["refreshToken"])

    # then
    assert_envelope(response, 401, "Invalid or expired refresh token")
    assert_envelope(_refresh(first["refreshToken"]), 401, "Invalid or expired refresh token")
    assert _balance_status(first["token"]) == 401
    assert _balance_status(tokens["token"]) == 401
    assert ApiSession.objects.get().revoked_reason == "refresh token reused"


def test_reuse_does_not_touch_other_sessions(api_key, tokens):
    other = login(APIClient(), api_key)
    _refresh(tokens["refreshToken"])
    _refresh(tokens["refreshToken"])
    assert _balance_status(other["token"]) == 200
    assert_envelope(_refresh(other["refreshToken"]), 200)


def test_expired_refresh_token_is_401(tokens):
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert_envelope(_refresh(tokens["refreshToken"]), 401, "Invalid or expired refresh token")


def test_refresh_token_is_valid_until_seven_days(tokens):
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert_envelope(_refresh(tokens["refreshToken"]), 200)


def test_access_token_passed_as_refresh_token_is_401(tokens):
    assert_envelope(_refresh(tokens["token"]), 401, "Invalid or expired refresh token")


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "x" * 3000])
def test_garbage_refresh_token_is_401(garbage):
    assert_envelope(_refresh(garbage), 401, "Invalid or expired refresh token")


def test_refresh_token_signed_with_another_key_is_401(tokens):
    claims = jwt.decode(tokens["refreshToken"], options={"verify_signature": False})
    forged = jwt.encode(claims, "not-our-key" * 4, algorithm="HS256")
    assert_envelope(_refresh(forged), 401, "Invalid or expired refresh token")


def test_refresh_token_with_alg_none_is_401(tokens):
    claims = jwt.decode(tokens["refreshToken"], options={"verify_signature": False})
    forged = jwt.encode(claims, None, algorithm="none")
    assert_envelope(_refresh(forged), 401, "Invalid or expired refresh token")


def test_refresh_token_with_unknown_id_is_401(tokens):
    claims = jwt.decode(tokens["refreshToken"], options={"verify_signature": False})
    claims["jti"] = "0" * 32
    forged = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")
    assert_envelope(_refresh(forged), 401, "Invalid or expired refresh token")


def test_refresh_after_key_rotation_is_401(api_user, tokens):
    services.api_key_issue(user=api_user)
    assert_envelope(_refresh(tokens["refreshToken"]), 401, "Invalid or expired refresh token")
    assert _balance_status(tokens["token"]) == 401


def test_refresh_after_api_access_disabled_is_401(api_user, tokens, staff_user):
    services.user_set_api_access(user=api_user, enabled=False, by=staff_user)
    assert_envelope(_refresh(tokens["refreshToken"]), 401, "Invalid or expired refresh token")


@pytest.mark.parametrize("body", [{}, {"RefreshToken": None}, {"RefreshToken": ""}, {"RefreshToken": 5}])
def test_missing_or_wrong_typed_refresh_token_is_400(body):
    assert_envelope(APIClient().post(URL, body, format="json"), 400, "Validation failed")


def test_only_staff_can_switch_api_access():
    user = UserFactory(api_access_enabled=False)
    other = UserFactory()
    with pytest.raises(NotStaff):
        services.user_set_api_access(user=user, enabled=True, by=other)
    user.refresh_from_db()
    assert user.api_access_enabled is False

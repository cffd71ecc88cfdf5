"""Failed admin logins lock the account and the address (django-axes, with the project's client
address); staff unlock them; the API's key login is not affected."""

import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client

from tests.accounts.factories import StaffUserFactory
from tests.platform_api import assert_envelope

LOGIN = "/admin/login/"
PASSWORD = "staff-password"  # StaffUserFactory's
LOCKED = "Login locked: too many failed login attempts (5)"
pytestmark = pytest.mark.django_db


def _login(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password, "next": "/admin/"}, **extra)


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def _fail(client, email, times, **extra):
    return [_login(client, email, "wrong-password", **extra) for _ in range(times)]


@pytest.fixture
def staff(db):
    return StaffUserFactory()


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client, staff):
    # when
    responses = _fail(client, staff.email, 5)

    # then: four ordinary refusals, the fifth locks
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "Please enter the correct email" in responses[0].text
    response = _login(client, staff.email, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.text
    assert "until 15 minutes have passed without another attempt" in response.text
    assert "ask another Postroom administrator to unlock" in response.text
    assert client.get("/admin/").status_code == 302  # not logged in


def test_forty_wrong_passwords_then_the_right_one_is_refused(client, staff):
    _fail(client, staff.email, 40)
    response = _login(client, staff.email, PASSWORD)
    assert response.status_code == 429 and LOCKED in response.text


def test_the_account_is_locked_from_every_address(client, staff):
    for n in range(5):
        _login(client, staff.email, "wrong-password", REMOTE_ADDR=f"198.51.100.{n}")
    assert _login(client, staff.email, PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 429


def test_the_address_is_locked_for_every_account(client, staff):
    for n in range(5):
        _login(client, f"nobody{n}@postroom.example", "wrong-password", REMOTE_ADDR="198.51.100.1")
    assert _login(client, staff.email, PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 429


def test_another_account_from_another_address_is_not_locked(client, staff):
    # given
    _fail(client, staff.email, 5, REMOTE_ADDR="198.51.100.1")
    other = StaffUserFactory()

    # then
    assert _logged_in(_login(Client(), other.email, PASSWORD, REMOTE_ADDR="192.0.2.50"))


def test_a_forged_x_forwarded_for_does_not_open_new_addresses(client, staff):
    for n in range(5):
        _login(client, f"nobody{n}@postroom.example", "x", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert _login(client, staff.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_a_trusted_proxy_the_client_hop_is_locked_not_the_proxy(client, staff, settings):
    # given: one proxy (10.0.0.2); a client at 192.0.2.10 fails on other accounts
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        _login(
            client,
            f"nobody{n}@postroom.example",
            "x",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.10",
        )

    # then: that client is locked whatever it forges; another client of the same proxy is not
    locked = _login(client, staff.email, PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    other = _login(Client(), staff.email, PASSWORD, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.11")
    assert _logged_in(other)


def test_the_lock_ends_after_the_cool_off(client, staff):
    with time_machine.travel(time.time(), tick=False) as clock:
        _fail(client, staff.email, 5)
        clock.shift(14 * 60)
        assert _login(client, staff.email, PASSWORD).status_code == 429  # the attempt restarts the wait
        clock.shift(14 * 60)
        assert _login(client, staff.email, PASSWORD).status_code == 429
        clock.shift(16 * 60)
        assert _logged_in(_login(client, staff.email, PASSWORD))


def test_staff_unlock_an_account_with_the_user_action(client, staff, admin_client):
    # given: locked from several addresses
    for n in range(5):
        _login(client, staff.email, "wrong-password", REMOTE_ADDR=f"198.51.100.{n}")
    assert _login(client, staff.email, PASSWORD).status_code == 429

    # when
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "unlock_admin_login", "_selected_action": [staff.pk]},
        follow=True,
    )

    # then
    assert response.status_code == 200
    assert "Admin login unlocked for 1 user(s)" in response.text
    assert _logged_in(_login(client, staff.email, PASSWORD, REMOTE_ADDR="198.51.100.0"))


def test_staff_unlock_an_address_in_the_access_attempts_admin(client, staff, admin_client):
    # given: an address locked by failures on other accounts
    for n in range(5):
        _login(client, f"nobody{n}@postroom.example", "x", REMOTE_ADDR="198.51.100.1")
    listing = admin_client.get("/admin/axes/accessattempt/?ip_address=198.51.100.1")
    assert listing.status_code == 200 and "198.51.100.1" in listing.text

    # when: the address's records are deleted
    attempts = AccessAttempt.objects.filter(ip_address="198.51.100.1")
    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"},
    )

    # then
    assert response.status_code == 302
    assert _logged_in(_login(client, staff.email, PASSWORD, REMOTE_ADDR="198.51.100.1"))


def test_a_success_before_the_limit_clears_the_count(client, staff):
    _fail(client, staff.email, 4)
    assert _logged_in(_login(client, staff.email, PASSWORD))
    assert _fail(Client(), staff.email, 4)[-1].status_code == 200


def test_the_api_key_login_is_not_watched_or_locked(client, staff, api_client, api_key):
    # given: this address is locked out of the admin
    for n in range(5):
        _login(client, f"nobody{n}@postroom.example", "x")
    assert _login(client, staff.email, PASSWORD).status_code == 429
    recorded = AccessAttempt.objects.count()

    # when: failed and good API logins from the same address
    assert_envelope(api_client.post("/api/v1/account/login", {"ApiKey": "sk_live_wrong"}, format="json"), 401)
    response = api_client.post("/api/v1/account/login", {"ApiKey": api_key}, format="json")

    # then
    assert_envelope(response, 200, "Login successful")
    assert AccessAttempt.objects.count() == recorded

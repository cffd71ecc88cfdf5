"""The client's address comes from the socket unless trusted proxies are configured; then from
the right hop of X-Forwarded-For. Rate limits and API logging use that one answer."""

import time
from datetime import timedelta

import pytest
import time_machine

from accounts import api_logging, services
from accounts.models import ApiLogEntry
from tests.platform_api import assert_envelope

LOGIN = "/api/v1/account/login"
TOO_MANY = "Too many requests. Retry after the time given in Retry-After."
pytestmark = pytest.mark.django_db


def _login(client, **headers):
    return client.post(LOGIN, {"ApiKey": "sk_live_not-a-key"}, format="json", **headers)


@pytest.fixture
def frozen_clock():
    """Time stands still, so every request of a test falls in one rate-limit window."""
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


def test_a_forged_x_forwarded_for_does_not_escape_the_login_limit(api_client, frozen_clock):
    # given: the documented limit (RATE_LIMIT_LOGIN, 30/minute) of failed logins, each claiming
    # another address
    for n in range(30):
        assert_envelope(_login(api_client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"), 401)

    # when: six more, still with new addresses
    refused = [_login(api_client, HTTP_X_FORWARDED_FOR=f"203.0.113.{100 + n}") for n in range(6)]

    # then: the socket's address is at its limit
    for response in refused:
        assert_envelope(response, 429, TOO_MANY)
        assert int(response["Retry-After"]) >= 1


def test_another_socket_address_has_its_own_login_budget(api_client, frozen_clock):
    for _ in range(30):
        assert_envelope(_login(api_client), 401)
    assert_envelope(_login(api_client), 429)
    assert_envelope(_login(api_client, REMOTE_ADDR="198.51.100.7"), 401)


def test_behind_a_trusted_proxy_the_right_hop_is_the_client(api_client, settings, frozen_clock):
    # given: one proxy (10.0.0.2) in front; it appends the address it was connected from
    settings.TRUSTED_PROXY_COUNT = 1
    proxied = {"REMOTE_ADDR": "10.0.0.2"}

    # when: a client at 192.0.2.10 forges the left-most hops
    for n in range(30):
        assert_envelope(_login(api_client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.10", **proxied), 401)
    refused = _login(api_client, HTTP_X_FORWARDED_FOR="203.0.113.200, 192.0.2.10", **proxied)

    # then: it is limited as 192.0.2.10; another client behind the same proxy is not
    assert_envelope(refused, 429, TOO_MANY)
    assert_envelope(_login(api_client, HTTP_X_FORWARDED_FOR="192.0.2.11", **proxied), 401)


def test_with_two_trusted_proxies_the_second_hop_from_the_right_is_the_client(
    api_client, settings, frozen_clock
):
    settings.TRUSTED_PROXY_COUNT = 2
    for n in range(30):
        chain = f"203.0.113.{n}, 192.0.2.10, 10.0.0.{n}"  # forged, client, outer proxy
        assert_envelope(_login(api_client, HTTP_X_FORWARDED_FOR=chain, REMOTE_ADDR="10.1.0.1"), 401)
    chain = "203.0.113.250, 192.0.2.10, 10.0.0.1"
    assert_envelope(_login(api_client, HTTP_X_FORWARDED_FOR=chain, REMOTE_ADDR="10.1.0.1"), 429)


def test_a_hop_that_is_not_an_address_counts_as_the_proxy(api_client, settings, frozen_clock):
    # A garbled header cannot open a budget of its own per garbage value.
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(30):
        assert_envelope(
            _login(api_client, HTTP_X_FORWARDED_FOR=f"not-an-ip-{n}", REMOTE_ADDR="10.0.0.2"), 401
        )
    assert_envelope(_login(api_client, HTTP_X_FORWARDED_FOR="still-not-one", REMOTE_ADDR="10.0.0.2"), 429)


@pytest.fixture
def logging_on(company, staff_user):
    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    return company


def _logged_ip(company) -> str:
    api_logging.flush()
    (entry,) = ApiLogEntry.unscoped.filter(company=company)
    return entry.client_ip


def test_api_logging_records_the_socket_address_not_a_forged_header(authed_client, logging_on):
    assert_envelope(authed_client.post("/api/v1/account/balance", HTTP_X_FORWARDED_FOR="203.0.113.9"), 200)
    assert _logged_ip(logging_on) == "127.0.0.1"


def test_api_logging_behind_a_trusted_proxy_records_the_client(authed_client, logging_on, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = authed_client.post(
        "/api/v1/account/balance", HTTP_X_FORWARDED_FOR="203.0.113.9, 2001:db8::5", REMOTE_ADDR="10.0.0.2"
    )
    assert_envelope(response, 200)
    assert _logged_ip(logging_on) == "2001:db8::5"

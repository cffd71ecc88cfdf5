"""Accepted bearer tokens are remembered per process for API_AUTH_CACHE_SECONDS: no database
round trip for a token just seen, at once forgotten on a revocation made in this process, and
within the window on one made elsewhere."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.models import ApiSession
from config.api.jwt import recently_accepted
from tests.platform_api import assert_envelope

pytestmark = pytest.mark.django_db
BALANCE = "/api/v1/account/balance"


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert_envelope(client.post(BALANCE), 200)
    return len(captured)


def test_a_token_just_accepted_is_not_checked_again(authed_client):
    _queries(authed_client)  # the token is accepted (and the role's rights remembered)
    remembered = _queries(authed_client)
    recently_accepted.forget_all()
    assert _queries(authed_client) == remembered + 1  # the session check


def test_memory_off_checks_every_time(authed_client, settings):
    settings.API_AUTH_CACHE_SECONDS = 0
    _queries(authed_client)  # the role's rights are remembered (a separate memory)
    each = _queries(authed_client)
    assert _queries(authed_client) == each

    settings.API_AUTH_CACHE_SECONDS = 5
    _queries(authed_client)
    assert _queries(authed_client) == each - 1  # what memory off costs: the session check


def test_a_revocation_in_this_process_ends_the_token_at_once(authed_client, api_user):
    assert_envelope(authed_client.post(BALANCE), 200)
    services.api_key_issue(user=api_user)  # rotation revokes every session of the old key
    assert_envelope(authed_client.post(BALANCE), 401)


def test_a_deactivation_saved_in_this_process_ends_the_token_at_once(authed_client, company):
    assert_envelope(authed_client.post(BALANCE), 200)
    company.is_active = False
    company.save()
    assert_envelope(authed_client.post(BALANCE), 401)


def test_a_revocation_elsewhere_ends_the_token_within_the_window(authed_client, settings):
    settings.API_AUTH_CACHE_SECONDS = 5
    with time_machine.travel(time.time(), tick=False) as clock:
        assert_envelope(authed_client.post(BALANCE), 200)
        # another process revokes the session: this one hears nothing
        ApiSession.objects.update(revoked_at=timezone.now())
        assert_envelope(authed_client.post(BALANCE), 200)
        clock.shift(timedelta(seconds=5))
        assert_envelope(authed_client.post(BALANCE), 401)

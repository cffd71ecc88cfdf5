"""Every answer under /api/v1/, success or error, is the envelope {success, message, data, errors}."""

import json
import logging
import time

import pytest
import time_machine
from django.test import Client

from tests.platform_api import assert_envelope

LOGIN = "/api/v1/account/login"
BALANCE = "/api/v1/account/balance"
pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_clock():
    """Time stands still, so every request of a test falls in one rate-limit window."""
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


def test_rate_limit_window_resets(api_client, settings, frozen_clock):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "login": "1/second"}
    assert_envelope(api_client.post(LOGIN, {"ApiKey": "sk_live_x"}, format="json"), 401)
    assert_envelope(api_client.post(LOGIN, {"ApiKey": "sk_live_x"}, format="json"), 429)
    frozen_clock.shift(1)
    assert_envelope(api_client.post(LOGIN, {"ApiKey": "sk_live_x"}, format="json"), 401)


def test_unknown_route_is_404_envelope(api_client):
    for method in ("get", "post", "put", "delete", "patch"):
        response = getattr(api_client, method)("/api/v1/no/such/route")
        assert_envelope(response, 404, "Resource not found.")


def test_unknown_route_needs_no_token_to_answer_404(api_client):
    assert_envelope(api_client.get("/api/v1/"), 404, "Resource not found.")


def test_wrong_method_is_405_envelope(api_client):
    response = api_client.get(LOGIN)
    body = assert_envelope(response, 405, "Method not allowed.")
    assert body["errors"] == ["Method Not Allowed"]


def test_malformed_json_is_400_envelope(api_client):
    response = api_client.post(LOGIN, data=b'{"ApiKey": ', content_type="application/json")
    body = assert_envelope(response, 400, "Invalid request")
    assert body["errors"][0].startswith("Malformed JSON")


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00garbage",
        b"NaN",
        b'{"ApiKey": Infinity}',
        b"[" * 100_000 + b"]" * 100_000,
        b"{'single': 1}",
    ],
)
def test_hostile_json_is_400_envelope(api_client, raw):
    response = api_client.post(LOGIN, data=raw, content_type="application/json")
    assert_envelope(response, 400, "Invalid request")


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"a string"', b"42", b"null", b"true"])
def test_json_that_is_not_an_object_is_400(api_client, raw):
    response = api_client.post(LOGIN, data=raw, content_type="application/json")
    assert_envelope(response, 400, "Validation failed")


def test_wrong_content_type_is_415_envelope(api_client):
    response = api_client.post(LOGIN, data=b"ApiKey=x", content_type="text/plain")
    body = assert_envelope(response, 415, "Unsupported content type. Use application/json.")
    assert body["errors"] == ["Unsupported Media Type"]


def test_body_over_the_limit_is_413_envelope(api_client, settings):
    settings.API_MAX_BODY_BYTES = 1024
    response = api_client.post(LOGIN, {"ApiKey": "sk_live_" + "x" * 4096}, format="json")
    body = assert_envelope(response, 413, "Request body exceeds allowed limit")
    assert body["errors"] == ["Payload Too Large"]


def test_huge_body_is_refused_by_its_declared_length(api_client, settings):
    settings.API_MAX_BODY_BYTES = 1024
    response = api_client.generic(
        "POST", LOGIN, data=b"{}", content_type="application/json", CONTENT_LENGTH=str(10**12)
    )
    assert_envelope(response, 413, "Request body exceeds allowed limit")


def test_form_body_over_the_limit_is_413(api_client, settings):
    settings.API_MAX_BODY_BYTES = 1024
    response = api_client.post(
        LOGIN, data="ApiKey=" + "x" * 4096, content_type="application/x-www-form-urlencoded"
    )
    assert_envelope(response, 413, "Request body exceeds allowed limit")


def test_login_rate_limit_is_429_with_retry_after(api_client, settings, frozen_clock):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "login": "3/minute"}
    for _ in range(3):
        assert_envelope(api_client.post(LOGIN, {"ApiKey": "sk_live_x"}, format="json"), 401)
    response = api_client.post(LOGIN, {"ApiKey": "sk_live_x"}, format="json")
    body = assert_envelope(response, 429, "Too many requests. Retry after the time given in Retry-After.")
    assert body["errors"] == ["Too Many Requests"]
    assert 1 <= int(response["Retry-After"]) <= 60


def test_company_rate_limit_is_429_with_retry_after(authed_client, settings, frozen_clock):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "write": "2/minute"}
    for _ in range(2):
        assert_envelope(authed_client.post(BALANCE), 200)
    response = authed_client.post(BALANCE)
    assert_envelope(response, 429)
    assert int(response["Retry-After"]) >= 1


@pytest.mark.urls("tests.api.crash_urls")
def test_unexpected_error_is_500_envelope_without_internals_and_logged_with_request_id(api_client, caplog):
    # when
    with caplog.at_level(logging.ERROR, logger="postroom.api"):
        response = api_client.get("/api/v1/_test/crash", HTTP_X_REQUEST_ID="req-test-12345")

    # then
    body = assert_envelope(response, 500, "An unexpected error occurred.")
    assert body["errors"] == ["Internal server error"]
    assert b"hunter2" not in response.content and b"Traceback" not in response.content
    assert response["X-Request-ID"] == "req-test-12345"
    records = [r for r in caplog.records if r.name == "postroom.api"]
    assert records and records[0].request_id == "req-test-12345"
    assert records[0].exc_info is not None


@pytest.mark.urls("tests.api.crash_urls")
def test_crash_outside_drf_is_500_envelope(db):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/_test/crash-plain")
    body = assert_envelope(response, 500, "An unexpected error occurred.")
    assert body["errors"] == ["Internal server error"]
    assert b"secret internals" not in response.content


def test_every_response_has_a_request_id(api_client):
    response = api_client.post(BALANCE)
    assert len(response["X-Request-ID"]) == 32


def test_well_formed_request_id_is_kept_and_hostile_one_replaced(api_client):
    assert api_client.post(BALANCE, HTTP_X_REQUEST_ID="abc-123-def-456")["X-Request-ID"] == "abc-123-def-456"
    replaced = api_client.post(BALANCE, HTTP_X_REQUEST_ID="bad id\r\nInjected: 1")["X-Request-ID"]
    assert replaced != "bad id\r\nInjected: 1" and len(replaced) == 32


@pytest.mark.urls("tests.api.crash_urls")
def test_crash_outside_drf_is_logged_as_a_json_line_with_stack_trace_and_request_id(db, caplog):
    # when
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/_test/crash-plain", HTTP_X_REQUEST_ID="req-crash-plain-1")

    # then the record carries the id and the traceback, and the configured formatter writes both
    assert response.status_code == 500 and response["X-Request-ID"] == "req-crash-plain-1"
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.request_id == "req-crash-plain-1" and record.exc_info is not None
    formatter = _configured_json_formatter()
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-crash-plain-1" and line["level"] == "ERROR"
    assert "RuntimeError: secret internals outside DRF" in line["exc_info"]
    assert "Traceback" in line["exc_info"]


def _configured_json_formatter():
    from django.conf import settings
    from django.utils.module_loading import import_string

    conf = dict(settings.LOGGING["formatters"]["json"])
    return import_string(conf.pop("()"))(**conf)

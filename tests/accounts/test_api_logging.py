"""API logging: which calls are recorded, what an entry holds, and what it never holds."""

import base64
import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import api_logging, services
from accounts.errors import ApiLoggingNotOn, InvalidLoggingWindow, NotStaff
from accounts.models import ApiLogEntry, ApiLoggingChange, User
from accounts.tasks import close_expired_api_logging_windows
from tests.accounts.factories import UserFactory
from tests.platform_api import assert_envelope, bearer, login

BALANCE = "/api/v1/account/balance"
LOGIN = "/api/v1/account/login"
pytestmark = pytest.mark.django_db

SECRET_NAMES = [
    "Authorization",
    "x-api-key",
    "ApiKey",
    "RefreshToken",
    "token",
    "refreshToken",
    "password",
    "passwords",
    "client_secret",
]


@pytest.fixture
def clock():
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def logging_on(company, staff_user):
    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    return company


def entries(company=None) -> list[ApiLogEntry]:
    api_logging.flush()
    queryset = ApiLogEntry.unscoped.order_by("requested_at", "id")
    return list(queryset.filter(company=company) if company else queryset)


def only_entry(company) -> ApiLogEntry:
    found = entries(company)
    assert len(found) == 1, [(e.method, e.path, e.status_code) for e in found]
    return found[0]


# ---- the window -----------------------------------------------------------------------------


def test_window_on_extend_off_is_recorded_with_staff_user_and_time(company, staff_user, clock):
    # when
    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    services.api_logging_extend(company=company, by=staff_user, duration=timedelta(hours=24))
    company.refresh_from_db()
    until = company.api_logging_until
    services.api_logging_disable(company=company, by=staff_user)

    # then
    company.refresh_from_db()
    assert company.api_logging_until is None
    changes = list(ApiLoggingChange.objects.filter(company=company).order_by("id"))
    assert [c.action for c in changes] == ["enabled", "extended", "disabled"]
    assert all(c.changed_by == staff_user for c in changes)
    assert changes[0].new_until == changes[1].previous_until
    assert changes[1].new_until == until == changes[0].new_until + timedelta(hours=24)
    assert changes[2].previous_until == until and changes[2].new_until is None


def _in(**delta):
    return timezone.now() + timedelta(**delta)


def test_window_until_a_chosen_time(company, staff_user, clock):
    chosen = _in(hours=3)
    services.api_logging_enable(company=company, by=staff_user, until=chosen)
    company.refresh_from_db()
    assert company.api_logging_until == chosen == ApiLoggingChange.objects.get(company=company).new_until


def test_window_rules(company, staff_user, api_user, clock):
    with pytest.raises(NotStaff):
        services.api_logging_enable(company=company, by=api_user, duration=timedelta(hours=1))
    with pytest.raises(ApiLoggingNotOn):
        services.api_logging_extend(company=company, by=staff_user, duration=timedelta(hours=1))
    with pytest.raises(InvalidLoggingWindow):
        services.api_logging_enable(company=company, by=staff_user, until=_in(minutes=-1))
    with pytest.raises(InvalidLoggingWindow):
        services.api_logging_enable(company=company, by=staff_user, duration=timedelta(days=400))


def test_window_ends_by_itself_and_housekeeping_records_it(authed_client, company, staff_user, clock):
    # given
    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    assert_envelope(authed_client.post(BALANCE), 200)

    # when the hour has passed (a new token: access tokens live 15 minutes)
    clock.shift(timedelta(minutes=61))
    api_logging.forget_windows()
    assert_envelope(authed_client.post(BALANCE), 401)
    close_expired_api_logging_windows.delay()

    # then only the call inside the window was logged, and the expiry is in the history
    assert [e.status_code for e in entries(company)] == [200]
    company.refresh_from_db()
    assert company.api_logging_until is None
    expired = ApiLoggingChange.objects.filter(company=company).first()
    assert expired.action == "expired" and expired.changed_by is None


def test_disable_stops_logging_at_once_in_this_process(authed_client, logging_on, staff_user):
    assert_envelope(authed_client.post(BALANCE), 200)
    services.api_logging_disable(company=logging_on, by=staff_user)
    assert_envelope(authed_client.post(BALANCE), 200)
    assert len(entries(logging_on)) == 1


# ---- what is logged ---------------------------------------------------------------------------


def test_successful_call_entry(authed_client, logging_on, api_user):
    # when
    response = authed_client.post(f"{BALANCE}?page=2", HTTP_X_REQUEST_ID="req-logged-0001")

    # then
    assert_envelope(response, 200)
    entry = only_entry(logging_on)
    assert (entry.method, entry.path, entry.route, entry.status_code) == (
        "POST",
        BALANCE,
        "v1:account-balance",
        200,
    )
    assert entry.query_string == "page=2"
    assert entry.request_id == "req-logged-0001" == response["X-Request-ID"]
    assert entry.user_id == api_user.pk and entry.session_id is not None
    assert entry.client_ip == "127.0.0.1"
    assert entry.duration_ms > 0
    assert json.loads(entry.response_body)["data"]["CurrencyCode"] == "GBP"
    assert entry.response_body_size == len(response.content)
    assert entry.response_headers["X-Request-ID"] == "req-logged-0001"
    assert entry.request_headers["Authorization"] == "[REDACTED]"


def test_calls_written_in_one_batch_keep_their_own_headers(authed_client, logging_on):
    # when: three calls, two with the same headers, flushed together
    for request_id, agent in [
        ("req-batch-0001", "a/1"),
        ("req-batch-0002", "a/1"),
        ("req-batch-0003", "b/2"),
    ]:
        assert_envelope(authed_client.post(BALANCE, HTTP_X_REQUEST_ID=request_id, HTTP_USER_AGENT=agent), 200)

    # then
    stored = [
        (e.request_id, e.request_headers["User-Agent"], e.response_headers["X-Request-ID"])
        for e in entries(logging_on)
    ]
    assert stored == [
        ("req-batch-0001", "a/1", "req-batch-0001"),
        ("req-batch-0002", "a/1", "req-batch-0002"),
        ("req-batch-0003", "b/2", "req-batch-0003"),
    ]
    assert all(e.request_headers["Authorization"] == "[REDACTED]" for e in entries(logging_on))


def test_no_entries_for_a_company_without_a_window(authed_client, company, other_company, staff_user):
    # no window anywhere
    assert_envelope(authed_client.post(BALANCE), 200)
    assert entries() == []
    # a window for another company only
    services.api_logging_enable(company=other_company, by=staff_user, duration=timedelta(hours=1))
    assert_envelope(authed_client.post(BALANCE), 200)
    assert entries() == []
    assert api_logging.pending() == 0


def test_client_error_entries(authed_client, logging_on):
    assert_envelope(authed_client.get("/api/v1/no/such/route"), 404)
    assert_envelope(authed_client.get(BALANCE), 405)
    found = entries(logging_on)
    assert [(e.method, e.status_code, e.route) for e in found] == [
        ("GET", 404, "v1:not-found"),
        ("GET", 405, "v1:account-balance"),
    ]


def test_401_with_an_expired_token_is_logged_for_its_company(authed_client, logging_on, clock):
    clock.shift(timedelta(minutes=16))
    assert_envelope(authed_client.post(BALANCE), 401)
    entry = only_entry(logging_on)
    assert entry.status_code == 401 and entry.user_id is None


def test_401_with_a_forged_token_is_not_logged(api_client, tokens, logging_on):
    header, payload, _ = tokens["token"].split(".")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {header}.{payload}.forgedsignature")
    assert_envelope(api_client.post(BALANCE), 401)
    assert entries() == []


@pytest.mark.urls("tests.api.crash_urls")
def test_server_error_entry(api_client, tokens, logging_on):
    response = Client(raise_request_exception=False).get(
        "/api/v1/_test/crash", HTTP_AUTHORIZATION=f"Bearer {tokens['token']}"
    )
    assert response.status_code == 500
    entry = only_entry(logging_on)
    assert entry.status_code == 500
    assert json.loads(entry.response_body)["message"] == "An unexpected error occurred."


def test_rate_limited_call_is_logged(authed_client, logging_on, settings, clock):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "write": "1/minute"}
    assert_envelope(authed_client.post(BALANCE), 200)
    assert_envelope(authed_client.post(BALANCE), 429)
    found = entries(logging_on)
    assert [e.status_code for e in found] == [200, 429]
    assert found[1].response_headers["Retry-After"]


def test_login_and_refresh_are_logged_without_the_key_or_tokens(api_client, logging_on, api_key):
    # when
    response = api_client.post(LOGIN, {"ApiKey": api_key}, format="json")
    refresh_token = response.json()["data"]["refreshToken"]
    api_client.post("/api/v1/account/refresh", {"RefreshToken": refresh_token}, format="json")

    # then
    login, refresh = entries(logging_on)
    assert (login.route, login.status_code, refresh.route, refresh.status_code) == (
        "v1:account-login",
        200,
        "v1:account-refresh",
        200,
    )
    stored = json.dumps(
        [login.request_body, login.response_body, refresh.request_body, refresh.response_body]
    )
    assert api_key not in stored and refresh_token not in stored
    assert json.loads(login.request_body) == {"ApiKey": "[REDACTED]"}
    data = json.loads(login.response_body)["data"]
    assert data["token"] == data["refreshToken"] == "[REDACTED]" and data["expiry"]


# ---- redaction and size ---------------------------------------------------------------------


def test_secrets_are_redacted_in_headers_json_bodies_and_query_strings(authed_client, tokens, logging_on):
    # given
    headers = {
        f"HTTP_{name.upper().replace('-', '_')}": f"secret-header-{i}"
        for i, name in enumerate(SECRET_NAMES[1:])
    }
    body = {name: f"secret-body-{i}" for i, name in enumerate(SECRET_NAMES)}
    body["nested"] = {"deeper": [{name: f"secret-nested-{i}"} for i, name in enumerate(SECRET_NAMES)]}
    body["OAuth"] = {"Client_Secret": "secret-oauth", "clientId": "visible-client"}
    body["visible"] = "kept"
    query = "&".join(f"{name}=secret-query-{i}" for i, name in enumerate(SECRET_NAMES)) + "&page=3"

    # when
    response = authed_client.post(f"{BALANCE}?{query}", body, format="json", **headers)

    # then
    assert_envelope(response, 200)
    entry = only_entry(logging_on)
    stored = json.dumps(
        [
            entry.request_headers,
            entry.request_body,
            entry.query_string,
            entry.response_headers,
            entry.response_body,
        ]
    )
    assert "secret-" not in stored and tokens["token"] not in stored
    logged = json.loads(entry.request_body)
    assert logged["visible"] == "kept" and logged["OAuth"]["clientId"] == "visible-client"
    assert all(logged[name] == "[REDACTED]" for name in SECRET_NAMES)
    assert logged["nested"]["deeper"][3] == {"RefreshToken": "[REDACTED]"}
    assert "page=3" in entry.query_string and "password=[REDACTED]" in entry.query_string
    assert entry.request_headers["X-Api-Key"] == "[REDACTED]"


def test_secrets_in_form_bodies_are_redacted(api_client, logging_on, api_key):
    api_client.post(
        LOGIN,
        data=f"ApiKey={api_key}&password=hunter2&note=hi",
        content_type="application/x-www-form-urlencoded",
    )
    entry = only_entry(logging_on)
    assert api_key not in entry.request_body and "hunter2" not in entry.request_body
    assert "note=hi" in entry.request_body


def test_large_body_is_cut_with_its_original_size(authed_client, logging_on, settings):
    settings.API_LOG_MAX_BODY_BYTES = 200
    body = json.dumps({"notes": "many words " * 1000}).encode()
    authed_client.post(BALANCE, data=body, content_type="application/json")
    entry = only_entry(logging_on)
    assert entry.request_body_truncated and len(entry.request_body.encode()) <= 200
    assert entry.request_body.startswith('{"notes": "many words')
    assert entry.request_body_size == len(body)
    assert not entry.response_body_truncated


def test_base64_file_content_is_never_stored(authed_client, logging_on, settings):
    settings.API_LOG_CAPTURE_BYTES = 4096  # the body is read only in part, so it cannot be parsed
    file_content = base64.b64encode(bytes(range(256)) * 200).decode()
    for body in (
        {"fileBase64": file_content[:300]},
        {"FileBase64": file_content[:300]},
        {"fileName": "a.csv", "fileData": file_content},
        {"anything": file_content},
    ):
        authed_client.post(BALANCE, body, format="json")
    found = entries(logging_on)
    assert len(found) == 4
    for entry in found:
        assert file_content[:100] not in entry.request_body, entry.request_body[:300]
        assert "[base64 omitted" in entry.request_body


def test_binary_and_multipart_bodies_are_not_stored(authed_client, logging_on):
    authed_client.post(BALANCE, data=b"\x00\xff\xfe" * 100, content_type="application/octet-stream")
    authed_client.post(BALANCE, {"file": ("a.bin", b"\x00\x01")}, format="multipart")
    binary, multipart = entries(logging_on)
    assert binary.request_body == "[binary body of 300 bytes not stored]"
    assert multipart.request_body.startswith("[multipart body of ")


def test_the_request_path_only_appends_to_the_buffer(authed_client, logging_on):
    assert_envelope(authed_client.post(BALANCE), 200)
    assert api_logging.pending() == 1
    assert ApiLogEntry.unscoped.count() == 0
    assert api_logging.flush() == 1
    assert ApiLogEntry.unscoped.count() == 1


def test_other_paths_are_not_logged(client, tokens, logging_on):
    client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {tokens['token']}")
    assert entries() == []


def test_a_full_buffer_drops_calls_instead_of_growing(authed_client, logging_on, settings, caplog):
    settings.API_LOG_BUFFER_MAX = 2
    for _ in range(4):
        assert_envelope(authed_client.post(BALANCE), 200)
    assert api_logging.pending() == 2
    assert api_logging.flush() == 2
    assert "2 calls not logged" in caplog.text


# ---- hostile bodies and secrets by value -----------------------------------------------------

GROUPS = "/api/v1/groups"
MB = 1024 * 1024
# Text shapes that made the old key=value pattern backtrack over the whole input (8 KB: 3.9 s).
HOSTILE_TEXTS = {
    "one long word": "y" * MB,
    "secret names end to end": "token" * (MB // 5),
    "dashes and letters": "a-" * (MB // 2),
    "an unterminated secret value": '"token": "' + "x" * MB,
    "a name then spaces": "token" + " " * MB,
    "names and colons": "token:" * (MB // 6),
    "JWT heads": "eyJ" * (MB // 3),
    "JWT-shaped segments": "eyJa." * (MB // 5),
    "API key prefixes": "sk_live_" * (MB // 8),
    "escaped names": "Api\\u004bey" * (MB // 11),
    "quotes": "'" * MB,
}


@pytest.mark.parametrize("shape", HOSTILE_TEXTS)
def test_redacting_text_is_linear_in_its_length(shape):
    text = HOSTILE_TEXTS[shape]
    started = time.process_time()  # CPU time: other load on the machine does not count
    api_logging.redact_text(text)
    assert time.process_time() - started < 5.0  # about 0.2 s here; quadratic would take hours


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "application/x-www-form-urlencoded"]
)
def test_a_megabyte_body_is_redacted_only_as_far_as_it_is_kept(authed_client, logging_on, content_type):
    # given: the body of the outage (a 48 KB name stalled a worker for 30 s), at 1 MB
    body = ('{"groupName": "' + "y" * MB + '", "token": "t0ps3cret"}').encode()

    # when
    response = authed_client.post(GROUPS, data=body, content_type=content_type)
    started = time.perf_counter()
    written = api_logging.flush()

    # then
    assert response.status_code < 500
    assert written == 1 and time.perf_counter() - started < 1.0
    entry = only_entry(logging_on)
    assert entry.request_body_truncated and entry.request_body_size == len(body)
    assert len(entry.request_body.encode()) <= 16 * 1024
    assert "t0ps3cret" not in entry.request_body


def test_secrets_are_redacted_by_value_wherever_they_are(authed_client, tokens, logging_on, api_key):
    # given: a JWT in a query parameter and tokens and keys inside ordinary values
    jwt = tokens["token"]
    body = {"note": f"my key is {api_key}, keep it", "list": [f"Bearer {jwt}"], "deep": {"x": {"y": jwt}}}

    # when
    authed_client.post(f"{BALANCE}?jwt={jwt}&page=2", body, format="json", HTTP_X_NOTE=f"key {api_key}")

    # then
    entry = only_entry(logging_on)
    stored = json.dumps([entry.query_string, entry.request_body, entry.request_headers])
    assert jwt not in stored and api_key not in stored
    assert "page=2" in entry.query_string and "my key is [REDACTED], keep it" in entry.request_body


@pytest.mark.parametrize("limit", [16 * 1024, 64], ids=["parsed", "cut and read as text"])
def test_a_key_name_spelt_with_json_escapes_is_redacted(authed_client, logging_on, settings, limit):
    # given: secret names written with escapes, in a body parsed whole or too long to parse
    settings.API_LOG_MAX_BODY_BYTES = limit
    body = '{"Api\\u004bey": "hunter2", "Pass\\u0077ord": "hunter3", "note": "' + "x" * 100 + '"}'

    # when
    authed_client.post(BALANCE, data=body.encode(), content_type="application/json")

    # then
    entry = only_entry(logging_on)
    assert "hunter" not in entry.request_body, entry.request_body


def test_a_deeply_nested_body_is_still_logged(authed_client, logging_on):
    body = ('{"a":' * 900 + '"token-value"' + "}" * 900).encode()

    authed_client.post(BALANCE, data=body, content_type="application/json")

    entry = only_entry(logging_on)
    assert entry.request_body.startswith('{"a":{"a":')


def test_old_entries_are_found_through_a_brin_index_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("BRIN is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'apilog_requested_at'")
        (definition,) = cursor.fetchone()
    assert "USING brin (requested_at)" in definition


@pytest.mark.django_db(transaction=True)
def test_a_company_deleted_before_the_flush_loses_no_other_entries(company, other_company, staff_user):
    """The log has no database foreign key: a batch holding an entry of a company deleted meanwhile
    is still written (with the key its commit failed, and every company's entries were lost)."""
    for tenant in (company, other_company):
        services.api_logging_enable(company=tenant, by=staff_user, duration=timedelta(hours=1))
        secret = services.api_key_issue(user=UserFactory(company=tenant)).secret
        api = bearer(APIClient(), login(APIClient(), secret)["token"])
        assert_envelope(api.post(BALANCE), 200)
    User.objects.filter(company=other_company).delete()
    other_company.delete()
    assert api_logging.flush() == 4  # each company's login and balance call
    assert [entry.path for entry in entries(company)] == [LOGIN, BALANCE]

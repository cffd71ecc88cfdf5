"""Hostile input through the platform API (issue 16): each case is answered with a 4xx in the
envelope, never a 500, and leaves nothing written or charged.

The other hostile cases of that probe are replayed beside the code they exercise (one place per
rule), all in the same CI run:
- bodies that stalled API-log redaction: tests/accounts/test_api_logging.py (hostile texts, 1 MB
  bodies, secrets by value) and tests/integration/test_web_processes.py (/healthz within 100 ms);
- PDF decompression bombs: tests/campaigns/test_create_api.py, test_pdf.py, test_admin.py;
- forged X-Forwarded-For and admin password guessing: tests/config/test_client_address.py,
  tests/accounts/test_admin_lockout.py;
- outbound addresses (fec0::/10, IANA special-purpose blocks): tests/config/test_outbound.py;
- spreadsheet formulas in CSV reports: tests/recipients/test_import_api.py, tests/config/test_csvsafe.py;
- the services API: tests/messaging/test_services_api.py (bodies that are no campaign object,
  deep nesting, lone surrogates, NUL bytes, a 1 MB template), tests/messaging/test_segmentation.py
  and test_schedules.py (hostile queries and RRULEs), tests/messaging/test_oauth.py (garbage and
  oversized tokens);
- every operation of the schema under generated input: tests/integration/test_schema_fuzz.py.
"""

import uuid
from datetime import date
from decimal import Decimal

import jwt
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import services as account_services
from billing import services as billing
from billing.models import Balance, LedgerEntry, Order
from campaigns.models import Campaign, Status
from files.models import LibraryEntry
from recipients.models import GroupMembership, Recipient, RecipientGroup
from tests.accounts.factories import UserFactory
from tests.campaigns.conftest import MONDAY_MORNING, make_approved
from tests.files.factories import PDF, LibraryFileFactory
from tests.platform_api import assert_envelope, bearer, login
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL behaviour")

LOGIN = "/api/v1/account/login"
REFRESH = "/api/v1/account/refresh"
BALANCE = "/api/v1/account/balance"
RECIPIENTS = "/api/v1/recipients"
GROUPS = "/api/v1/groups"
FOLDERS = "/api/v1/files/folders"
UPLOAD = "/api/v1/files/upload"
CONTENT = "/api/v1/files/content"
DATES = "/api/v1/campaigns/availableDates"
SCHEDULE = "/api/v1/campaigns/schedule"

TOO_DEEP = ["Malformed JSON: nested more than 64 levels deep."]
LONE_SURROGATE = ["Malformed JSON: a string holds a lone surrogate, which is not Unicode text."]


def nested(depth: int, *, key: str = "a") -> bytes:
    """A JSON object `depth` levels deep: {"a":{"a":...1...}}."""
    return f'{{"{key}":'.encode() * depth + b"1" + b"}" * depth


def post_json(client, path: str, raw: bytes):
    return client.post(path, data=raw, content_type="application/json")


# ---- nesting: refused by the parser, before anything walks the value -----------------------------


@pytest.mark.parametrize("depth", [65, 500, 900, 5000, 10_000])
@pytest.mark.parametrize("path", [LOGIN, REFRESH])
def test_deep_nesting_is_refused_without_credentials(api_client, path, depth):
    response = post_json(api_client, path, nested(depth))
    assert_envelope(response, 400, "Invalid request", errors=TOO_DEEP)


@pytest.mark.parametrize("depth", [65, 500, 900, 5000, 10_000])
@pytest.mark.parametrize("path", [RECIPIENTS, GROUPS, FOLDERS])
def test_deep_nesting_is_refused_on_authenticated_endpoints(authed_client, company, path, depth):
    response = post_json(authed_client, path, nested(depth))
    assert_envelope(response, 400, "Invalid request", errors=TOO_DEEP)
    assert RecipientGroup.objects.for_company(company).count() == 1  # the default group only


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 900 + b"]" * 900,
        b'{"groupName": "x", "a": ' + b'[{"k":' * 450 + b"1" + b"}]" * 450 + b"}",
        b'{"groupName": "x", "a": ' + b"[" * 70 + b"]" * 70 + b"}",
    ],
)
def test_deep_nesting_of_arrays_is_refused_too(authed_client, company, raw):
    assert_envelope(post_json(authed_client, GROUPS, raw), 400, "Invalid request", errors=TOO_DEEP)
    assert RecipientGroup.objects.for_company(company).count() == 1


def test_nesting_up_to_the_limit_is_parsed(authed_client, company):
    raw = b'{"groupName": "Deep", "a": ' + nested(63) + b"}"  # 64 levels with the outer object
    assert_envelope(post_json(authed_client, GROUPS, raw), 200, "Group created")
    assert RecipientGroup.objects.for_company(company).filter(name="Deep").exists()


# ---- lone surrogates: refused by the parser for every JSON endpoint ------------------------------


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        (FOLDERS, rb'{"name":"\ud800"}'),
        (FOLDERS, rb'{"name":"a\udfffb"}'),
        (RECIPIENTS, rb'{"address1":"\ud800","postcode":"SW1A 1AA"}'),
        (RECIPIENTS, rb'{"address1":"1 High St","postcode":"SW1A 1AA","customFields":{"\udc00":"x"}}'),
        (RECIPIENTS, rb'{"address1":"1 High St","postcode":"SW1A 1AA","lastName":"\ude00\ud83d"}'),
        (GROUPS, rb'{"groupName":"\ud83d"}'),
        (LOGIN, rb'{"ApiKey":"\ud800"}'),
    ],
)
def test_lone_surrogates_are_refused(authed_client, company, path, raw):
    assert_envelope(post_json(authed_client, path, raw), 400, "Invalid request", errors=LONE_SURROGATE)
    assert not Recipient.objects.for_company(company).exists()
    assert RecipientGroup.objects.for_company(company).count() == 1
    assert set(LibraryEntry.objects.for_company(company).values_list("path", flat=True)) <= {"Home"}


def test_a_surrogate_pair_is_one_character_and_welcome(authed_client, company):
    raw = rb'{"address1":"1 High St","postcode":"SW1A 1AA","firstName":"\ud83d\ude00"}'
    assert_envelope(post_json(authed_client, RECIPIENTS, raw), 200, "Recipient created")
    assert Recipient.objects.for_company(company).get().first_name == "\U0001f600"


# ---- the upload endpoint with a JSON body that is not an object ----------------------------------


@pytest.mark.parametrize("raw", [b"[1]", b"null", b'"x"', b"1", b"true", b"[]"])
def test_upload_with_a_json_body_that_is_not_an_object(authed_client, company, raw):
    response = post_json(authed_client, UPLOAD, raw)
    assert_envelope(response, 400, "Upload failed", errors=["Invalid file, path, or duplicate upload"])
    assert set(LibraryEntry.objects.for_company(company).values_list("path", flat=True)) <= {"Home"}


# ---- offsets: one parser for every list -----------------------------------------------------------

OFFSET_TOO_LARGE = "offset must be at most 9223372036854775807."
LISTS = [RECIPIENTS, GROUPS, "/api/v1/template", "/api/v1/campaigns"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "offset",
    ["9223372036854775808", "99999999999999999999999", "1" * 4000, "9" * 5000, "0" * 5000 + "1" * 20],
)
def test_offsets_past_what_a_database_takes_are_refused(authed_client, path, offset):
    assert_envelope(authed_client.get(path, {"offset": offset}), 400, OFFSET_TOO_LARGE)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("offset", ["-1", "-9223372036854775809", "-" + "9" * 5000])
def test_negative_offsets_are_refused(authed_client, path, offset):
    assert_envelope(authed_client.get(path, {"offset": offset}), 400, "offset must be 0 or more.")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("offset", ["abc", "1.5", "1e3", "\u0661", "1_000", "0x10", "--1"])
def test_offsets_that_are_not_whole_numbers_are_refused(authed_client, path, offset):
    assert_envelope(authed_client.get(path, {"offset": offset}), 400, "offset must be a whole number.")


@pytest.mark.parametrize("path", LISTS)
def test_the_largest_offset_is_an_empty_page(authed_client, path):
    data = assert_envelope(authed_client.get(path, {"offset": "9223372036854775807"}), 200)["data"]
    assert data["offset"] == 9223372036854775807 and data["hasMore"] is False
    assert data.get("data", data.get("items")) == []
    leading_zeros = assert_envelope(authed_client.get(path, {"offset": "0" * 5000 + "1"}), 200)["data"]
    assert leading_zeros["offset"] == 1


@pytest.mark.parametrize("path", [RECIPIENTS, GROUPS])
def test_huge_limits_are_capped_without_reading_every_digit(authed_client, path):
    assert assert_envelope(authed_client.get(path, {"limit": "9" * 5000}), 200)["data"]["limit"] == 1000


@pytest.mark.parametrize("path", ["/api/v1/template", "/api/v1/campaigns"])
def test_huge_limits_fall_back_on_lenient_lists(authed_client, path):
    assert assert_envelope(authed_client.get(path, {"limit": "9" * 5000}), 200)["data"]["limit"] == 100


@pytest.mark.parametrize("path", ["/api/v1/template", "/api/v1/campaigns"])
@pytest.mark.parametrize("limit", ["abc", "false", "1.5", "null"])
def test_a_limit_that_is_not_a_whole_number_is_refused_on_lenient_lists_too(authed_client, path, limit):
    assert_envelope(authed_client.get(path, {"limit": limit}), 400, "limit must be a whole number.")


# ---- dates: availableDates and schedule stay within the booking horizon ---------------------------

# At MONDAY_MORNING (2026-04-13) the horizon is 366 days ahead: Wednesday 2027-04-14.
HORIZON = date(2027, 4, 14)


@pytest.fixture
def monday_client(company):
    """A client logged in at MONDAY_MORNING; the clock stays there (ticking) for the test."""
    with time_machine.travel(MONDAY_MORNING, tick=True):
        key = account_services.api_key_issue(user=UserFactory(company=company)).secret
        yield bearer(APIClient(), login(APIClient(), key)["token"])


def post_query(client, path, **query):
    return client.post(path + "?" + "&".join(f"{k}={v}" for k, v in query.items()))


def balance_of(company) -> Decimal:
    return Balance.objects.get(company=company).amount


@pytest.mark.parametrize(
    ("start", "end"),
    [("9999-12-01", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("2027-04-15", "2027-05-15")],
)
def test_available_dates_beyond_the_horizon_are_refused(monday_client, start, end):
    response = post_query(monday_client, DATES, start=start, end=end)
    assert_envelope(
        response, 400, "Invalid date range. Dates can be booked at most 366 days ahead.", errors=None
    )


def test_available_dates_end_at_the_horizon(monday_client):
    response = post_query(monday_client, DATES, start="2027-04-01", end="2027-05-01")
    data = assert_envelope(response, 200, "Successful!")["data"]
    assert data[0] == "2027-04-01" and data[-1] == HORIZON.isoformat()


def test_the_horizon_follows_the_setting(monday_client, settings):
    settings.DISPATCH_MAX_RANGE_DAYS = 10
    response = post_query(monday_client, DATES, start="2026-04-20", end="2026-04-29")
    assert assert_envelope(response, 200, "Successful!")["data"][-1] == "2026-04-23"  # 13 April + 10 days


@pytest.mark.parametrize("use_balance", ["true", "false"])
@pytest.mark.parametrize("send_date", ["9999-12-31", "9999-12-30", "2027-04-15", "3000-01-01"])
def test_schedule_beyond_the_horizon_is_refused_and_charges_nothing(
    monday_client, company, send_date, use_balance
):
    campaign = make_approved(company)
    billing.balance_top_up(company=company, amount="1000.00")
    response = post_query(
        monday_client, SCHEDULE, campaignId=campaign.pk, send_date=send_date, use_balance=use_balance
    )
    assert_envelope(
        response, 400, f"The selected date {send_date} is not available for scheduling.", errors=None
    )
    assert balance_of(company) == Decimal("1000.00")
    assert not LedgerEntry.unscoped.filter(kind=LedgerEntry.Kind.PAYMENT).exists()
    assert not Order.unscoped.exists()
    assert Campaign.unscoped.get(pk=campaign.pk).status == Status.APPROVED


@pytest.mark.parametrize("send_date", ["9999-12-31", "2027-04-15"])
def test_schedule_next_available_beyond_the_horizon_is_refused(monday_client, company, send_date):
    campaign = make_approved(company)
    billing.balance_top_up(company=company, amount="1000.00")
    response = post_query(
        monday_client, SCHEDULE, campaignId=campaign.pk, send_date=send_date, next_available_date="true"
    )
    assert_envelope(response, 400, f"No available dates found from {send_date} onwards.", errors=None)
    assert balance_of(company) == Decimal("1000.00")
    assert Campaign.unscoped.get(pk=campaign.pk).status == Status.APPROVED


def test_schedule_on_the_horizon_is_accepted(monday_client, company):
    campaign = make_approved(company)
    billing.balance_top_up(company=company, amount="1000.00")
    response = post_query(
        monday_client, SCHEDULE, campaignId=campaign.pk, send_date=HORIZON.isoformat(), use_balance="true"
    )
    assert_envelope(
        response, 200, "Congratulations! Your payment was successful. Campaign scheduled successfully!"
    )
    assert Campaign.unscoped.get(pk=campaign.pk).dispatch_date == HORIZON
    assert balance_of(company) < Decimal("1000.00")


def test_next_available_date_stops_at_the_horizon(monday_client, company):
    campaign = make_approved(company)
    billing.balance_top_up(company=company, amount="1000.00")
    response = post_query(
        monday_client, SCHEDULE, campaignId=campaign.pk, send_date="2027-04-13", next_available_date="true"
    )
    assert_envelope(response, 200)
    assert Campaign.unscoped.get(pk=campaign.pk).dispatch_date == date(2027, 4, 13)


# ---- Range headers with oversized positions -------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "bytes=" + "0" * 5000 + "-1",
        "bytes=0-" + "0" * 4999 + "1",
        "bytes=-" + "9" * 5000,
        "bytes=" + "9" * 5000 + "-",
        "bytes=1-" + "9" * 5000,
        "bytes=" + "1" * 20 + "-",
        "bytes=0-" + "1" * 20,
        "bytes=-" + "1" * 20,
    ],
)
def test_oversized_range_positions_are_416(authed_client, company, header):
    LibraryFileFactory(company=company, path="Home/a.pdf", content=PDF)
    response = authed_client.get(CONTENT, {"path": "Home/a.pdf"}, HTTP_RANGE=header)
    assert_envelope(response, 416, "Requested range not satisfiable.", errors=["Range Not Satisfiable"])
    assert response["Content-Range"] == f"bytes */{len(PDF)}"


def test_the_longest_range_position_still_served(authed_client, company):
    LibraryFileFactory(company=company, path="Home/a.pdf", content=PDF)
    response = authed_client.get(CONTENT, {"path": "Home/a.pdf"}, HTTP_RANGE="bytes=0-" + "9" * 19)
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("header", ["bytes=\u0661-\u0662", "bytes=\uff10-\uff11"])
def test_ranges_in_other_digits_are_ignored(authed_client, company, header):
    LibraryFileFactory(company=company, path="Home/a.pdf", content=PDF)
    response = authed_client.get(CONTENT, {"path": "Home/a.pdf"}, HTTP_RANGE=header)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


# ---- a well-signed token naming a user id no database holds --------------------------------------


@pytest.mark.parametrize("user_id", [10**30, 2**63, -(2**63) - 1, 0, -1, True, 1.5, "1", None])
def test_a_signed_token_with_an_impossible_user_id_is_401(api_client, tokens, user_id):
    claims = jwt.decode(tokens["token"], options={"verify_signature": False})
    claims["user_id"] = user_id
    forged = jwt.encode(
        claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm=settings.SIMPLE_JWT["ALGORITHM"]
    )
    response = bearer(api_client, forged).post(BALANCE)
    assert_envelope(response, 401, "Missing or invalid authentication token", errors=["Unauthorized"])


# ---- NUL characters, which PostgreSQL text cannot hold ---------------------------------------------


@pytest.mark.parametrize("name", ["a\x00b", "\x00"])
def test_a_nul_in_a_group_name_query_is_refused(authed_client, name):
    response = authed_client.get(f"{GROUPS}/by-name", {"name": name})
    assert_envelope(response, 400, "name must not contain null characters", errors=["Validation failed"])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"address1": "1 High St\x00", "postcode": "SW1A 1AA"}, "address1"),
        ({"address1": "1 High St", "postcode": "SW1A 1AA", "customFields": {"Member\x00Id": "A1"}}, "customFields"),
        ({"address1": "1 High St", "postcode": "SW1A 1AA", "customFields": {"MemberId": "A\x001"}}, "customFields.MemberId"),
    ],
)  # fmt: skip
def test_a_nul_in_a_recipient_is_refused(authed_client, company, body, reason):
    response = authed_client.post(RECIPIENTS, body, format="json")
    assert_envelope(
        response, 400, "Validation failed", errors=[f"{reason}: Null characters are not allowed."]
    )
    assert not Recipient.objects.for_company(company).exists()


def test_a_nul_in_a_recipient_update_is_refused(authed_client, company):
    recipient = RecipientFactory(company=company)
    for body in ({"city": "Lon\x00don"}, {"customFields": {"\x00": "x"}}):
        response = authed_client.put(f"{RECIPIENTS}/{recipient.pk}", body, format="json")
        assert_envelope(
            response, 400, "Validation failed", errors=["One or more request fields are invalid."]
        )
    recipient.refresh_from_db()
    assert recipient.custom_fields == {}


def test_a_nul_in_a_group_or_folder_name_is_refused(authed_client, company):
    assert_envelope(
        authed_client.post(GROUPS, {"groupName": "a\x00b"}, format="json"), 400, "Validation failed"
    )
    assert_envelope(
        authed_client.post(FOLDERS, {"name": "a\x00b"}, format="json"), 400, "Failed to create folder"
    )
    assert RecipientGroup.objects.for_company(company).count() == 1


# ---- removing more recipients from a group than one statement can name ------------------------------


def test_removing_70000_recipients_from_a_group(authed_client, company):
    group = RecipientGroupFactory(company=company)
    members = [RecipientFactory(company=company, group=group) for _ in range(3)]
    ids = [str(uuid.uuid4()) for _ in range(70_000 - len(members))] + [str(m.pk) for m in members]

    response = authed_client.post(
        f"{GROUPS}/{group.pk}/recipients-remove", {"recipientIds": ids}, format="json"
    )

    body = assert_envelope(response, 200, "Recipients removed from group")
    assert body["data"] == {"groupId": str(group.pk), "removed": 3}
    assert not GroupMembership.objects.filter(group=group).exists()
    assert RecipientGroup.objects.for_company(company).get(pk=group.pk).recipient_count == 0
    assert Recipient.objects.for_company(company).count() == 3


@on_postgresql
def test_on_postgresql_the_ids_travel_in_one_statement(authed_client, company):
    group = RecipientGroupFactory(company=company)
    member = RecipientFactory(company=company, group=group)
    ids = [str(uuid.uuid4()) for _ in range(69_999)] + [str(member.pk)]

    with CaptureQueriesContext(connection) as queries:
        response = authed_client.post(
            f"{GROUPS}/{group.pk}/recipients-remove", {"recipientIds": ids}, format="json"
        )

    assert assert_envelope(response, 200, "Recipients removed from group")["data"]["removed"] == 1
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 1 and "= ANY(" in deletes[0]

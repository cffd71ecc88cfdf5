"""The messages export API (/v1/) through HTTP: each header rule with its exact status and
message and in the spec's order, the envelope, bad input, every endpoint (publish -> pages ->
fetch in all three formats and the signed download), tenant isolation and the audit."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client, RequestFactory, TestCase
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ApiKey
from accounts.principal import SESSION
from campaigns.models import Campaign
from config.api.export.authentication import ExportAuthentication
from messaging import exporting
from messaging.models import MessageExport, MessagesApiCall, MessagesUsage
from tests.accounts.factories import UserFactory
from tests.export_api import BASE, CLIENT_IP, answer, auth_context, call, export_client
from tests.messaging.exports import (
    campaign_with_bulk_messages,
    campaign_with_messages,
    csv_rows,
    expected_rows,
)
from tests.messaging.factories import message_campaign
from tests.messaging.test_api_v2 import create
from tests.platform_api import login
from tests.recipients.factories import RecipientGroupFactory
from tests.templates.factories import WHATSAPP_JSON

pytestmark = pytest.mark.django_db

AUTH_ERROR = (403, {"message": "auth error"})
UNAUTHORIZED = (403, {"message": "Unauthorized"})
MISSING = (401, {"message": "Missing required fields."})
BAD_REQUEST = (400, {"message": "Bad request."})
CAMPAIGN_NOT_FOUND = (404, {"message": "Campaign not found."})
FILE_NOT_FOUND = (404, {"message": "File not found."})
INVALID_OPTION = (401, {"message": "Invalid export option."})
ZERO = "00000000-0000-0000-0000-000000000000"
# Names that test the CSV: a comma, quotes, a line break, a semicolon and text beyond ASCII.
NAMES = ['Ada, "the first"', "Bob\nLine two", "Zoë 🚀; ok", "Dan"]


@pytest.fixture
def api_code(company) -> str:
    return account_services.messages_api_code_rotate(company=company)


@pytest.fixture
def token(tokens) -> str:
    return tokens["token"]


@pytest.fixture
def client(token, api_code) -> APIClient:
    return export_client(token, api_code)


def fired_campaign(company, names=NAMES):
    """An SMS campaign whose one firing generated a message for each name (its body the name)."""
    return campaign_with_messages(company, names, capture=TestCase.captureOnCommitCallbacks)


@pytest.fixture
def campaign(company):
    return fired_campaign(company)


# ---- the headers, in the spec's order ------------------------------------------------------------


def post_all(**headers):
    """POST /v1/campaign/all with exactly these headers (WSGI names)."""
    return answer(APIClient().post(BASE + "campaign/all", "{}", content_type="application/json", **headers))


@pytest.fixture
def good(token, api_code) -> dict:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_X_AUTH_CONTEXT": auth_context(api_code),
        "HTTP_X_IP": CLIENT_IP,
    }


def test_the_good_headers_are_accepted(good):
    status, body = post_all(**good)
    assert status == 200 and set(body) == {"data"}


def test_no_header_at_all_is_unauthorized():
    assert post_all() == UNAUTHORIZED


@pytest.mark.parametrize(
    "auth_context",
    [
        "",
        "not json",
        "{",
        '["api_access", true]',
        "[]",
        '"api_access"',
        "null",
        "true",
        '{"api_access": false, "api_code": "CODE"}',
        '{"api_access": "true", "api_code": "CODE"}',
        '{"api_access": 1, "api_code": "CODE"}',
        '{"api_code": "CODE"}',
        '{"api_access": true}',
        '{"api_access": true, "api_code": ""}',
        '{"api_access": true, "api_code": 12345}',
        '{"api_access": true, "api_code": null}',
        '{"api_access": true, "api_code": "' + "x" * 5000 + '"}',
        "[" * 100_000,
    ],
)
def test_a_bad_x_auth_context_is_unauthorized(good, api_code, auth_context):
    auth_context = auth_context.replace("CODE", api_code)
    assert post_all(**{**good, "HTTP_X_AUTH_CONTEXT": auth_context}) == UNAUTHORIZED


def test_x_auth_context_keys_are_case_insensitive(good, api_code):
    context = json.dumps({"API_ACCESS": True, "Api_Code": api_code})
    assert post_all(**{**good, "HTTP_X_AUTH_CONTEXT": context})[0] == 200


def test_x_auth_context_is_checked_before_the_token(good):
    assert post_all(HTTP_X_AUTH_CONTEXT="nope", HTTP_X_IP=CLIENT_IP) == UNAUTHORIZED
    assert post_all(HTTP_X_AUTH_CONTEXT="nope", HTTP_AUTHORIZATION="Bearer garbage") == UNAUTHORIZED


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer garbage",
        "Bearer a.b.c",
        "Token abc",
        "Basic dXNlcjpwYXNz",
        "Bearer a b",
    ],
)
def test_a_missing_or_garbage_token_is_an_auth_error(good, authorization):
    headers = {**good, "HTTP_AUTHORIZATION": authorization}
    if authorization is None:
        del headers["HTTP_AUTHORIZATION"]
    assert post_all(**headers) == AUTH_ERROR


def test_a_refresh_token_is_an_auth_error(good, tokens):
    assert post_all(**{**good, "HTTP_AUTHORIZATION": f"Bearer {tokens['refreshToken']}"}) == AUTH_ERROR


def test_an_expired_token_is_an_auth_error(good, settings):
    later = timezone.now() + settings.API_ACCESS_TOKEN_LIFETIME + timedelta(seconds=1)
    with time_machine.travel(later):
        assert post_all(**good) == AUTH_ERROR


def test_a_token_of_a_user_without_api_access_is_an_auth_error(good, api_user, staff_user):
    account_services.user_set_api_access(user=api_user, enabled=False, by=staff_user)
    assert post_all(**good) == AUTH_ERROR


def test_a_token_of_a_revoked_key_is_an_auth_error(good, api_user):
    account_services.api_key_revoke(api_key=ApiKey.unscoped.get(user=api_user))
    assert post_all(**good) == AUTH_ERROR


def test_the_token_is_checked_before_the_api_code_and_x_ip(good):
    headers = {**good, "HTTP_AUTHORIZATION": "Bearer garbage", "HTTP_X_IP": "nope"}
    assert post_all(**{**headers, "HTTP_X_AUTH_CONTEXT": auth_context("wrong")}) == AUTH_ERROR


def test_an_api_code_not_the_companys_is_unauthorized(good, company, other_company, api_code):
    theirs = account_services.messages_api_code_rotate(company=other_company)
    for code in ("wrong", api_code + "x", api_code[:-1], api_code.upper(), theirs):
        assert post_all(**{**good, "HTTP_X_AUTH_CONTEXT": auth_context(code)}) == UNAUTHORIZED, code


def test_a_rotated_api_code_stops_working_at_once(good, company, api_code):
    fresh = account_services.messages_api_code_rotate(company=company)
    assert post_all(**good) == UNAUTHORIZED
    assert post_all(**{**good, "HTTP_X_AUTH_CONTEXT": auth_context(fresh)})[0] == 200


def test_a_company_without_an_api_code_refuses_every_code(token):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_X_IP": CLIENT_IP}
    for code in ("", "x", "mac_"):
        context = json.dumps({"api_access": True, "api_code": code})
        assert post_all(**headers, HTTP_X_AUTH_CONTEXT=context) == UNAUTHORIZED


@pytest.mark.parametrize(
    "ip",
    [None, "", "   ", "nope", "999.1.1.1", "1.2.3", "203.0.113.7, 10.0.0.1", "fe80::1%eth0", "::g", "1" * 60],
)
def test_x_ip_must_be_an_ip_literal(good, ip):
    headers = {**good, "HTTP_X_IP": ip}
    if ip is None:
        del headers["HTTP_X_IP"]
    assert post_all(**headers) == UNAUTHORIZED


def test_the_api_code_is_checked_before_x_ip(good):
    assert (
        post_all(**{**good, "HTTP_X_IP": "nope", "HTTP_X_AUTH_CONTEXT": auth_context("wrong")})
        == UNAUTHORIZED
    )


@pytest.mark.parametrize("ip", ["203.0.113.7", " 10.1.2.3 ", "2001:DB8::1", "::ffff:192.0.2.1"])
def test_ipv4_and_ipv6_are_taken_and_kept_for_the_audit(good, company, ip):
    assert post_all(**{**good, "HTTP_X_IP": ip})[0] == 200
    call_row = MessagesApiCall.objects.get(company=company)
    assert call_row.ip == {"2001:DB8::1": "2001:db8::1", "::ffff:192.0.2.1": "::ffff:192.0.2.1"}.get(
        ip, ip.strip()
    )


def test_an_api_key_of_the_same_company_is_taken(good, company):
    colleague = account_services.api_key_issue(user=UserFactory(company=company)).secret
    assert post_all(**{**good, "HTTP_X_API_KEY": colleague})[0] == 200
    assert post_all(**{**good, "HTTP_X_API_KEY": ""})[0] == 200  # not sent


def test_an_api_key_of_another_company_revoked_or_garbage_is_unauthorized(good, company, other_company):
    theirs = account_services.api_key_issue(user=UserFactory(company=other_company)).secret
    revoked = account_services.api_key_issue(user=UserFactory(company=company))
    account_services.api_key_revoke(api_key=revoked.api_key)
    for key in (theirs, revoked.secret, "garbage", "é" * 10, "k" * 500):
        assert post_all(**{**good, "HTTP_X_API_KEY": key}) == UNAUTHORIZED, key


def test_the_x_api_key_is_checked_last(good):
    assert post_all(**{**good, "HTTP_X_API_KEY": "garbage", "HTTP_AUTHORIZATION": "Bearer x"}) == AUTH_ERROR


def test_the_principal_is_the_tokens(good, api_user, company):
    request = Request(RequestFactory().post("/v1/campaign/all", **good))
    user, principal = ExportAuthentication().authenticate(request)

    assert user == api_user == principal.user and principal.company == company
    assert principal.credential_kind == SESSION and principal.credential_id


def test_a_read_only_role_reads_but_does_not_publish(company, api_code, campaign):
    reader = UserFactory(company=company, roles=("Read only",))
    token = login(APIClient(), account_services.api_key_issue(user=reader).secret)["token"]
    client = export_client(token, api_code)

    assert call(client, "campaign/all").status_code == 200
    assert call(client, "messages/pages", {"campaign_id": str(campaign.pk)}).status_code == 200
    assert answer(call(client, "messages/publish", {"campaign_id": str(campaign.pk)})) == UNAUTHORIZED


# ---- the envelope and bad input ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["campaign/all", "messages/publish", "messages/pages", "messages/fetch"])
@pytest.mark.parametrize(
    "body", ["[]", '[{"campaign_id": "x"}]', "{", "not json", '"text"', "12", "true", "null", '{"a": NaN}']
)
def test_a_body_that_is_no_json_object_is_a_bad_request(client, path, body):
    assert answer(call(client, path, body)) == BAD_REQUEST


def test_a_body_that_is_not_json_is_refused_in_the_envelope(client):
    response = client.post(
        BASE + "campaign/all", "campaign_id=1", content_type="application/x-www-form-urlencoded"
    )
    assert answer(response) == (415, {"message": "Unsupported media type: send application/json."})


def test_a_megabyte_of_json_is_refused_in_the_envelope(client):
    body = json.dumps({"campaign_id": "x" * 1024 * 1024})
    assert answer(call(client, "messages/pages", body)) == (413, {"message": "Request body too large."})


def test_the_campaign_list_takes_an_empty_body(client):
    status, body = answer(call(client, "campaign/all"))
    assert status == 200 and isinstance(body["data"], list)


def test_another_method_or_route_answers_in_the_envelope(client):
    assert answer(client.get(BASE + "campaign/all")) == (405, {"message": "Method not allowed."})
    assert answer(client.post(BASE + "campaign/nothing")) == (404, {"message": "Not found."})
    assert answer(APIClient().get(BASE)) == (404, {"message": "Not found."})


def test_v1_does_not_swallow_the_other_surfaces(client):
    platform = APIClient().get("/api/v1/nothing").json()
    assert set(platform) == {"success", "message", "data", "errors"}
    assert APIClient().get("/v2/campaign/nothing").json() == {"error": "not found"}
    assert APIClient().post("/api/v1/account/login", {}, format="json").json()["success"] is False


@pytest.mark.urls("tests.api.crash_urls")
@pytest.mark.parametrize("path", ["v1/_test/crash", "v1/_test/crash-plain"])
def test_a_crash_is_a_500_in_the_envelope_without_internals(path):
    response = Client(raise_request_exception=False).get(f"/{path}")
    assert answer(response) == (500, {"message": "Internal server error."})
    assert b"secret internals" not in response.content


@pytest.mark.parametrize("path", ["messages/publish", "messages/pages", "messages/fetch"])
@pytest.mark.parametrize("campaign_id", ["absent", None, "", "   "])
def test_a_missing_campaign_id_is_missing_required_fields(client, path, campaign_id):
    body = {"file_num": 0, "export_type": "json"}
    if campaign_id != "absent":
        body["campaign_id"] = campaign_id
    assert answer(call(client, path, body)) == MISSING


@pytest.mark.parametrize("path", ["messages/publish", "messages/pages", "messages/fetch"])
@pytest.mark.parametrize("campaign_id", [["x"], {"id": 1}, True, 1.5])
def test_a_campaign_id_of_the_wrong_type_is_a_bad_request(client, path, campaign_id):
    body = {"campaign_id": campaign_id, "file_num": 0, "export_type": "json"}
    assert answer(call(client, path, body)) == BAD_REQUEST


@pytest.mark.parametrize("path", ["messages/publish", "messages/pages", "messages/fetch"])
@pytest.mark.parametrize("campaign_id", [ZERO, "not-a-uuid", "9" * 30, 0, -4, 9_000_000_000, "\x00"])
def test_an_unknown_campaign_is_not_found(client, path, campaign_id):
    body = {"campaign_id": campaign_id, "file_num": 0, "export_type": "json"}
    assert answer(call(client, path, body)) == CAMPAIGN_NOT_FOUND


@pytest.mark.parametrize("missing", ["file_num", "export_type"])
def test_fetch_needs_every_field(client, campaign, missing):
    body = {"campaign_id": str(campaign.pk), "file_num": 0, "export_type": "json"}
    assert answer(call(client, "messages/fetch", {k: v for k, v in body.items() if k != missing})) == MISSING
    assert answer(call(client, "messages/fetch", {**body, missing: None})) == MISSING


def test_request_keys_are_case_insensitive(client, campaign):
    status, body = answer(call(client, "messages/pages", {"Campaign_ID": str(campaign.pk)}))
    assert status == 200 and body["data"]["campaign_id"] == str(campaign.pk)


# ---- publish -> pages -> fetch ---------------------------------------------------------------------


@pytest.fixture
def published(client, campaign) -> dict:
    status, body = answer(call(client, "messages/publish", {"campaign_id": str(campaign.pk)}))
    assert status == 202, body
    return body


def test_publish_queues_a_job_and_answers_202(published, campaign):
    export = MessageExport.objects.for_company(campaign.company).get()
    assert published == {
        "message": "Messages export queued.",
        "data": {"job_id": str(export.pk), "campaign_id": str(campaign.pk), "status": "queued"},
    }


def test_pages_counts_the_published_files(client, campaign, settings):
    settings.MESSAGES_EXPORT_PAGE_ROWS = 3
    ours = {"campaign_id": str(campaign.pk)}
    before = answer(call(client, "messages/pages", ours))
    call(client, "messages/publish", ours)
    after = answer(call(client, "messages/pages", ours))

    assert before == (
        200,
        {"data": {"campaign_id": str(campaign.pk), "num_files": 0, "total_rows": 0, "status": "none"}},
    )
    assert after == (
        200,
        {"data": {"campaign_id": str(campaign.pk), "num_files": 2, "total_rows": 4, "status": "done"}},
    )


def test_fetch_in_all_three_formats_gives_the_generated_messages(client, campaign, published):
    expected = expected_rows(campaign)
    assert sorted(row["message"] for row in expected) == sorted(NAMES)
    body = {"campaign_id": str(campaign.pk), "file_num": 0}

    status, as_text = answer(call(client, "messages/fetch", {**body, "export_type": "utf8"}))
    as_rows = answer(call(client, "messages/fetch", {**body, "export_type": "json"}))
    url_status, as_url = answer(call(client, "messages/fetch", {**body, "export_type": "url"}))

    assert status == 200 and set(as_text) == {"data", "file_num", "num_files"}
    assert (as_text["file_num"], as_text["num_files"]) == (0, 1)
    assert csv_rows(as_text["data"]) == expected
    assert as_rows == (200, {"data": expected, "file_num": 0, "num_files": 1, "truncated": False})
    assert url_status == 200 and set(as_url) == {"data", "file_num", "num_files", "expires_at"}
    assert (as_url["file_num"], as_url["num_files"]) == (0, 1)
    assert as_url["data"].startswith("http://testserver/v1/messages/download/")
    download = APIClient().get(as_url["data"])  # no header at all: the link is the credential
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="messages-{campaign.pk}-page-00000.csv"'
    assert b"".join(download.streaming_content).decode("utf-8") == as_text["data"]


@pytest.mark.parametrize("export_type", ["UTF8", "utf-8", "UTF-8", " Utf8 "])
def test_export_type_is_case_insensitive_and_utf_8_is_utf8(client, campaign, published, export_type):
    body = {"campaign_id": str(campaign.pk), "file_num": 0}
    utf8 = answer(call(client, "messages/fetch", {**body, "export_type": "utf8"}))
    assert answer(call(client, "messages/fetch", {**body, "export_type": export_type})) == utf8


@pytest.mark.parametrize("export_type", ["csv", "xml", "", "utf16", "jsonx"])
def test_another_export_type_is_an_invalid_export_option(client, campaign, published, export_type):
    body = {"campaign_id": str(campaign.pk), "file_num": 0, "export_type": export_type}
    expected = MISSING if export_type == "" else INVALID_OPTION
    assert answer(call(client, "messages/fetch", body)) == expected


@pytest.mark.parametrize("export_type", [5, ["json"], {"type": "json"}, True])
def test_an_export_type_of_the_wrong_type_is_a_bad_request(client, campaign, published, export_type):
    body = {"campaign_id": str(campaign.pk), "file_num": 0, "export_type": export_type}
    assert answer(call(client, "messages/fetch", body)) == BAD_REQUEST


def test_the_pages_are_numbered_from_0_and_a_number_string_is_taken(client, campaign, settings):
    settings.MESSAGES_EXPORT_PAGE_ROWS = 3
    call(client, "messages/publish", {"campaign_id": str(campaign.pk)})
    body = {"campaign_id": str(campaign.pk), "export_type": "json"}

    first = answer(call(client, "messages/fetch", {**body, "file_num": 0}))[1]
    second = answer(call(client, "messages/fetch", {**body, "file_num": "1"}))[1]
    also_second = answer(call(client, "messages/fetch", {**body, "file_num": 1.0}))[1]

    assert (first["num_files"], len(first["data"]), len(second["data"])) == (2, 3, 1)
    assert first["data"] + second["data"] == expected_rows(campaign)
    assert also_second == second


@pytest.mark.parametrize("file_num", [-1, "-1", 1, "1", 1.5, "x", "1.0", "", 2**70, "9" * 40, 1e300, "٣"])
def test_a_file_num_that_names_no_page_is_file_not_found(client, campaign, published, file_num):
    body = {"campaign_id": str(campaign.pk), "file_num": file_num, "export_type": "json"}
    expected = MISSING if file_num == "" else FILE_NOT_FOUND
    assert answer(call(client, "messages/fetch", body)) == expected


@pytest.mark.parametrize("file_num", [[0], {"n": 0}, True])
def test_a_file_num_of_the_wrong_type_is_a_bad_request(client, campaign, published, file_num):
    body = {"campaign_id": str(campaign.pk), "file_num": file_num, "export_type": "json"}
    assert answer(call(client, "messages/fetch", body)) == BAD_REQUEST


def test_fetch_before_a_first_publish_is_file_not_found(client, campaign):
    body = {"campaign_id": str(campaign.pk), "file_num": 0, "export_type": "utf8"}
    assert answer(call(client, "messages/fetch", body)) == FILE_NOT_FOUND


def test_json_gives_at_most_1000_rows_and_says_when_it_cut(client, company, settings):
    settings.MESSAGES_EXPORT_PAGE_ROWS = 5000
    campaign = campaign_with_bulk_messages(company, [f"Message {i}" for i in range(1001)])
    call(client, "messages/publish", {"campaign_id": str(campaign.pk)})
    body = {"campaign_id": str(campaign.pk), "file_num": 0, "export_type": "json"}

    status, fetched = answer(call(client, "messages/fetch", body))

    assert status == 200 and fetched["truncated"] is True and fetched["num_files"] == 1
    assert fetched["data"] == expected_rows(campaign)[:1000]


def test_a_campaign_with_nothing_generated_has_nothing_to_publish(client, company):
    draft = message_campaign(company=company, group=RecipientGroupFactory(company=company))
    response = call(client, "messages/publish", {"campaign_id": str(draft.pk)})
    assert answer(response) == (401, {"message": "Campaign/details not found."})


def test_a_publish_past_the_monthly_row_limit_is_refused(client, company, campaign):
    company.messages_monthly_row_limit = len(NAMES) - 1
    company.save(update_fields=["messages_monthly_row_limit"])

    response = call(client, "messages/publish", {"campaign_id": str(campaign.pk)})

    assert answer(response) == (429, {"message": "Usage limit exceeded."})
    assert not MessageExport.objects.for_company(company).exists()


def publish_left_queued(client, campaign) -> tuple[tuple[int, dict], list]:
    """POST messages/publish, its task left queued (not run): the answer and what it queued."""
    body = json.dumps({"campaign_id": str(campaign.pk)})
    with TestCase.captureOnCommitCallbacks() as queued:
        response = client.post(BASE + "messages/publish", body, content_type="application/json")
    return answer(response), queued


@pytest.fixture
def two_campaigns_over_the_limit(company):
    """Two campaigns of 4 messages each, under a limit of 6 rows a month: either fits, not both."""
    company.messages_monthly_row_limit = 6
    company.save(update_fields=["messages_monthly_row_limit"])
    return fired_campaign(company), fired_campaign(company, names=["Eve", "Fay", "Gus", "Hal"])


def test_a_publish_counts_the_rows_of_an_export_still_at_work(client, company, two_campaigns_over_the_limit):
    first, second = two_campaigns_over_the_limit
    (status, _), first_queued = publish_left_queued(client, first)
    assert status == 202 and len(first_queued) == 1

    refused, second_queued = publish_left_queued(client, second)

    assert refused == (429, {"message": "Usage limit exceeded."})
    assert second_queued == []
    [export] = MessageExport.objects.for_company(company)
    assert (export.campaign_id, export.status, export.rows_reserved) == (first.pk, "queued", 4)


def test_a_finished_export_settles_its_reservation_as_published_rows(
    client, company, two_campaigns_over_the_limit
):
    first, second = two_campaigns_over_the_limit
    _, first_queued = publish_left_queued(client, first)

    first_queued[0]()  # the worker runs the export

    export = MessageExport.objects.for_company(company).get()
    assert (export.status, export.rows, export.rows_reserved) == ("done", 4, 0)
    assert MessagesUsage.objects.get(company_id=company.pk).rows_published == 4
    assert answer(call(client, "messages/publish", {"campaign_id": str(second.pk)}))[0] == 429


def test_a_failed_export_releases_its_rows(client, company, two_campaigns_over_the_limit):
    first, second = two_campaigns_over_the_limit
    publish_left_queued(client, first)
    exporting.export_give_up(export_id=MessageExport.objects.for_company(company).get().pk)

    (status, _), queued = publish_left_queued(client, second)

    assert status == 202 and len(queued) == 1
    failed = MessageExport.objects.for_company(company).get(campaign=first)
    assert (failed.status, failed.rows_reserved) == ("failed", 0)
    assert MessageExport.objects.for_company(company).get(campaign=second).rows_reserved == 4


def test_publishing_the_campaign_at_work_again_reserves_nothing_more(
    client, company, two_campaigns_over_the_limit
):
    first, _ = two_campaigns_over_the_limit
    (_, again), _ = publish_left_queued(client, first)

    (status, body), queued = publish_left_queued(client, first)

    assert status == 202 and body["data"]["job_id"] == again["data"]["job_id"] and queued == []
    assert MessageExport.objects.for_company(company).get().rows_reserved == 4


def test_an_unreadable_page_fails_to_parse(client, campaign, published, settings):
    export = MessageExport.objects.for_company(campaign.company).get()
    with default_storage.open(export.page_key(0), "wb") as page:
        page.write(b"\xff\xfe not utf-8")
    for export_type in ("utf8", "json"):
        body = {"campaign_id": str(campaign.pk), "file_num": 0, "export_type": export_type}
        assert answer(call(client, "messages/fetch", body)) == (500, {"message": "Failed to parse."})


def test_the_campaign_list_groups_campaigns_by_workspace(client, company, campaign, published):
    status, body = answer(call(client, "campaign/all", {}))

    assert status == 200
    [workspace] = body["data"]
    assert set(workspace) == {"workspace_id", "workspace_name", "campaigns"}
    [entry] = workspace["campaigns"]
    assert set(entry) == {
        "campaign_id", "name", "channel", "status", "stage", "start_date", "end_date", "total_messages",
    }  # fmt: skip
    assert (entry["campaign_id"], entry["channel"], entry["total_messages"]) == (str(campaign.pk), "sms", 4)
    assert entry["stage"] == "Published"


def test_a_campaign_api_v2_id_is_taken_wherever_campaign_id_is(client, company):
    v2 = APIClient()
    v2.credentials(HTTP_X_API_KEY=account_services.api_key_issue(user=UserFactory(company=company)).secret)
    later = (timezone.now() + timedelta(days=30)).replace(microsecond=0).isoformat()
    number = create(v2, JSON=WHATSAPP_JSON, SendAt=later).json()["ID"]
    uuid = Campaign.unscoped.get(client_campaign__pk=number).pk

    for campaign_id in (number, str(number), f" {number} "):
        status, body = answer(call(client, "messages/pages", {"campaign_id": campaign_id}))
        assert status == 200 and body["data"]["campaign_id"] == str(uuid), campaign_id


# ---- tenants ---------------------------------------------------------------------------------------


def test_another_companys_campaign_is_not_found_on_every_endpoint(client, other_company):
    theirs = fired_campaign(other_company)
    for path in ("messages/publish", "messages/pages", "messages/fetch"):
        body = {"campaign_id": str(theirs.pk), "file_num": 0, "export_type": "json"}
        assert answer(call(client, path, body)) == CAMPAIGN_NOT_FOUND, path
    assert not MessageExport.unscoped.filter(campaign=theirs).exists()


def test_another_companys_campaigns_are_not_listed(client, other_company):
    fired_campaign(other_company)
    assert all(not workspace["campaigns"] for workspace in call(client, "campaign/all").json()["data"])


def fetched_url(client, campaign) -> str:
    body = {"campaign_id": str(campaign.pk), "file_num": 0, "export_type": "url"}
    return call(client, "messages/fetch", body).json()["data"]


REFUSED = (403, {"message": "Download link expired or invalid."})


def test_an_altered_download_link_opens_nothing(client, campaign, published):
    url = fetched_url(client, campaign)
    token = url.rsplit("/", 1)[1]
    value, timestamp, signature = token.rsplit(":", 2)
    altered = [
        f"{value}x:{timestamp}:{signature}",
        f"{value}:{timestamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{value}:{timestamp}",
        "garbage",
        "x" * 2000,
    ]
    for bad in altered:
        assert answer(APIClient().get(f"{BASE}messages/download/{bad}")) == REFUSED, bad


def test_a_download_link_expires(client, campaign, published, settings):
    url = fetched_url(client, campaign)
    assert APIClient().get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.MESSAGES_EXPORT_URL_SECONDS + 1)):
        assert answer(APIClient().get(url)) == REFUSED


def test_a_download_link_answers_whatever_the_client_accepts(client, campaign, published):
    url = fetched_url(client, campaign)
    assert APIClient().get(url, HTTP_ACCEPT="text/csv").status_code == 200
    assert APIClient().get(url, HTTP_ACCEPT="application/xml").status_code == 200


# ---- the audit -------------------------------------------------------------------------------------


def test_every_call_is_audited_with_user_ip_endpoint_and_job(client, campaign, api_user, company):
    ours = {"campaign_id": str(campaign.pk)}
    call(client, "campaign/all")
    job = call(client, "messages/publish", ours).json()["data"]["job_id"]
    call(client, "messages/pages", ours)
    call(client, "messages/fetch", {**ours, "file_num": 0, "export_type": "json"})
    call(client, "messages/fetch", {**ours, "file_num": 9, "export_type": "json"})  # refused: audited too

    rows = MessagesApiCall.objects.filter(company=company).order_by("id")
    assert [(r.endpoint, r.user_id, r.ip) for r in rows] == [
        (endpoint, api_user.pk, CLIENT_IP)
        for endpoint in (
            "campaign/all",
            "messages/publish",
            "messages/pages",
            "messages/fetch",
            "messages/fetch",
        )
    ]
    assert [str(r.job_id) if r.job_id else None for r in rows][1:] == [job] * 4
    assert {str(r.campaign_id) for r in rows[1:]} == {str(campaign.pk)}


def test_a_refused_header_is_not_audited_as_a_call(good, company):
    post_all(**{**good, "HTTP_X_IP": "nope"})
    assert not MessagesApiCall.objects.filter(company=company).exists()

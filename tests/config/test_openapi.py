"""The served OpenAPI schema: valid (openapi-spec-validator, drf-spectacular's own validation) with
no warning, complete for every /api/v1/, /services/ and /v2/campaign/ operation (summary,
description, examples, the spec's messages for every outcome it documents), and linked from the
operations that create an object to those that take its id.

SPEC is the contract (../shared/spec/platform-api-v1.txt) written out: per operation, each status
its examples show and their messages; SERVICES_SPEC does the same for
../shared/spec/services-campaign-api.txt, V2_SPEC for ../shared/spec/campaign-api-v2.txt. An
operation added without a row here fails, as does one whose schema leaves out an outcome or words
it differently. The services and v2 operations' examples and real answers are also checked against
the schemas they document."""

import json
import warnings

import pytest
from django.core.management import call_command
from django.test import TestCase
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.selectors import default_workspace
from messaging.api.services.schema import CAMPAIGN_UUID, LIST_UUID, OTHER_LIST_UUID
from messaging.api.v2.schema import MESSAGE_KEY as V2_MESSAGE_KEY
from messaging.api.v2.schema import TEMPLATE_ID as V2_TEMPLATE_ID
from messaging.tasks import campaigns_fire_due
from tests.accounts.factories import CompanyFactory, OAuthApplicationFactory, UserFactory
from tests.export_api import call, export_client
from tests.messaging.conftest import TOKEN_URL, basic
from tests.messaging.exports import campaign_with_messages
from tests.messaging.gateway import Answer
from tests.platform_api import login
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import MessageTemplateFactory

pytestmark = pytest.mark.django_db

SPEC = {  # operationId -> {status: the messages of the spec's examples}
    "account_login": {
        200: ["Login successful"],
        401: ["Invalid or expired API key"],
    },
    "account_refresh": {
        200: ["Token refreshed successfully"],
        401: ["Invalid or expired refresh token"],
    },
    "account_balance": {
        200: ["Successful!"],
        401: ["Missing or invalid authentication token"],
        403: ["Authenticated token is valid, but permission is denied"],
        500: ["An unexpected error occurred."],
    },
    "files_folder_contents": {
        200: ["Folder contents"],
        400: ["Invalid path."],
        401: ["Missing or invalid authentication token"],
        403: ["Unauthorized access."],
    },
    "files_folder_create": {
        200: ["Folder created"],
        400: ["Failed to create folder"],
        401: ["Missing or invalid authentication token"],
        403: ["Unauthorized access."],
    },
    "files_delete": {
        200: ["Deleted"],
        400: ["Delete failed"],
        401: ["Missing or invalid authentication token"],
        403: ["Unauthorized access."],
    },
    "files_upload": {
        200: ["Uploaded"],
        400: ["Upload failed"],
        401: ["Missing or invalid authentication token"],
        403: ["Unauthorized access."],
        413: ["Uploaded payload exceeds allowed limit"],
    },
    "files_content": {
        200: [],
        206: [],
        400: ["Path is required."],
        401: ["Missing or invalid authentication token"],
        403: ["Unauthorized access."],
        404: ["File not found."],
    },
    "files_search": {
        200: ["Search results"],
        400: ["Query required."],
        401: ["Missing or invalid authentication token"],
        403: ["Authenticated token is valid, but permission is denied"],
    },
    "files_rename": {
        200: ["Renamed"],
        400: ["Old and new names are required."],
        401: ["Missing or invalid authentication token"],
        403: ["Unauthorized access."],
        404: ["Item not found."],
        409: ["A file with this name already exists."],
    },
    "recipients_list": {
        200: ["Recipients list"],
        400: ["recipientGroupId is not a valid GUID."],
        401: ["CompanyId claim missing or invalid."],
        403: ["Authenticated token is valid, but permission is denied"],
    },
    "recipients_create": {
        200: ["Recipient created"],
        400: ["Validation failed", "GroupId is not a valid GUID."],
        401: ["CompanyId claim missing or invalid."],
        403: ["Authenticated token is valid, but permission is denied"],
    },
    "recipients_details": {
        200: ["Recipient details"],
        401: ["Missing or invalid credentials"],
        403: ["Authenticated token is valid, but permission is denied"],
        404: ["Recipient not found."],
    },
    "recipients_update": {
        200: ["Recipient updated"],
        400: ["Body Id does not match route Id.", "Recipient cannot be updated.", "Validation failed"],
        401: ["Missing or invalid credentials"],
        403: ["Authenticated token is valid, but permission is denied"],
        404: ["Recipient not found."],
    },
    "recipients_delete": {
        200: ["Recipient deleted"],
        400: [
            "This recipient is associated with an active campaign and cannot be deleted right now.",
            "Recipient cannot be deleted due to current recipient type restrictions.",
        ],
        401: ["Missing or invalid credentials"],
        403: ["Authenticated token is valid, but permission is denied"],
        404: ["Recipient not found."],
    },
    "recipients_import": {
        202: [],
        400: [
            "You must provide either 'fileData' (Base64) or a 'fileUrl'.",
            "A group with this name already exists. Please choose a different name.",
        ],
        401: ["Missing or invalid credentials"],
        403: ["Authenticated token is valid, but permission is denied"],
        500: ["An internal error occurred while processing the file."],
    },
    "groups_list": {
        200: ["Groups list retrieved successfully."],
        401: ["Missing or invalid authentication token"],
        403: ["Authenticated token is valid, but permission is denied"],
        500: ["An unexpected error occurred."],
    },
    "groups_create": {
        200: ["Group created"],
        400: ["Group name is required."],
        409: ["A group with the same name already exists in this company."],
        401: ["Missing or invalid authentication token"],
        403: ["Authenticated token is valid, but permission is denied"],
    },
    "groups_remove_recipients": {
        200: ["Recipients removed from group"],
        400: ["RecipientIds is required."],
        401: ["Missing or invalid authentication token"],
        403: ["Authenticated token is valid, but permission is denied"],
    },
    "groups_delete": {
        200: ["Group deleted"],
        400: ["Group cannot be deleted in its current state."],
        401: ["Missing or invalid authentication token"],
        403: ["Authenticated token is valid, but permission is denied"],
    },
    "groups_by_name": {
        200: ["Group details"],
        400: ["name is required"],
        404: ["Group not found"],
        401: ["Missing or invalid authentication token"],
        403: ["Authenticated token is valid, but permission is denied"],
    },
    "templates_list": {
        200: ["Templates fetched successfully."],
        400: ["One or more filter values are invalid."],
        401: ["Missing or invalid authentication token"],
        403: ["Authenticated token is valid, but permission is denied"],
        500: ["Unexpected server error"],
    },
    "campaigns_create": {
        200: ["Campaign created successfully."],
        400: [
            "Invalid request",
            "campaign is required",
            "campaign.name is required",
            "Supported StockWeight values: 100UNCOAT, 120UNCOAT, 250SILK, 300GLOSS, 350SILK, 350UNCOAT",
            "Supported Mail Class values: First, Second",
            "recipients.type must be 'group' or 'single'.",
            "Provide templateId or pdf.",
            "Empty or invalid PDF.",
        ],
        401: ["CompanyId claim missing or invalid."],
        404: ["Template with id=101 not found.", "Group not found.", "Recipient not found."],
        413: ["PDF too large (>100MB)."],
        422: [
            "No layout defined for A4 Letter/Portrait/N/A",
            "Requested campaign settings do not match the template's settings.",
        ],
        500: ["An error occurred. Please try again later."],
    },
    "campaigns_list": {
        200: ["Campaign list fetched successfully."],
        400: ["companyId is not a valid GUID."],
        401: ["Claim missing or invalid."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_parameters": {
        200: ["Campaign parameters fetched successfully."],
        400: ["Invalid request."],
        401: ["Claim missing or invalid."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_configurations": {
        200: ["Campaign configurations fetched successfully."],
        400: ["Invalid pageSize or orientation value."],
        401: ["Claim missing or invalid."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_details": {
        200: ["Campaign details fetched successfully."],
        400: ["companyId is not a valid GUID."],
        401: ["CompanyId claim missing or invalid."],
        404: ["Campaign not found."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_preview": {
        200: [],
        400: ["companyId is not a valid GUID."],
        401: ["CompanyId claim missing or invalid.", "UserId claim missing or invalid."],
        404: ["Preview file not found for this campaign.", "Preview file does not exist on server."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_approve": {
        200: [
            "Campaign approved successfully.",
            "Unable to approve the campaign because it is currently in a read-only state.",
            "Cannot promote status: the requested status is not valid for this campaign.",
            "Cannot approve the campaign. Please add at least one recipient before approving.",
        ],
        401: ["CompanyId claim missing or invalid."],
        404: ["Approval failed: the campaign could not be found."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_voucher": {
        200: [
            "Successful!",
            "Campaign is currently in a read-only state.",
            "Approve the campaign to apply the voucher",
            "Unsuccessful! Voucher code is not valid",
            "Can not apply voucher. Please add at least one recipient before approving.",
        ],
        400: [
            "Voucher action must be declared.",
            "Voucher action is invalid.",
            "Voucher code must be provide to apply the voucher.",
        ],
        401: ["CompanyId claim missing or invalid."],
        404: ["campaign not found."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_cost": {
        200: [
            "Successful!",
            "Cost details unavailable — because it is currently in a read-only state.",
            "Cost details unavailable - please approve the campaign first.",
            "Cost details unavailable. Please add at least one recipient before approving.",
        ],
        400: [
            "isAdMail is invalid.",
            "isConfidential is invalid.",
            "isDuplex is invalid.",
            "Supported StockWeight values: 100UNCOAT, 120UNCOAT, 250SILK, 300GLOSS, 350SILK, 350UNCOAT",
            "Supported Mail Class values: First, Second",
            "Supported Admail values: true, false",
            "Supported Confidential values: true, false",
        ],
        401: ["CompanyId claim missing or invalid."],
        404: ["Cost details unavailable — campaign not found."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_available_dates": {
        200: ["Successful!"],
        400: [
            "Invalid start date format. Expected format: yyyy-MM-dd (defaults to today)",
            "Invalid end date format. Expected format: yyyy-MM-dd (defaults to 30 days time)",
        ],
        401: ["CompanyId claim missing or invalid."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_schedule": {
        200: [
            "Congratulations! Your payment was successful. Campaign scheduled successfully!",
            "Congratulations! Provisional booking was succesful.",
            "Can not schedule campaign. Campaign is currently in a read-only state.",
            "Can not schedule campaign. Please approve the campaign first.",
            "Can not schedule campaign. Company Balance is locked.",
            "Can not schedule campaign. Something went wrong.",
            "Cost details unavailable. Please add at least one recipient before approving.",
        ],
        400: [
            "Invalid send_date format. Expected format: yyyy-MM-dd (defaults to tomorrow)",
            "No available dates found from 2026-04-15 onwards.",
            "The selected date 2026-04-15 is not available for scheduling.",
            "Company does not have provisional booking permission.",
        ],
        401: ["CompanyId claim missing or invalid."],
        404: ["Can not schedule campaign. campaign not found."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_status_details": {
        200: ["Successful!"],
        401: ["CompanyId claim missing or invalid."],
        404: ["campaign not found."],
        500: ["An unexpected error occurred."],
    },
    "campaigns_delete": {
        200: [
            "Campaign deleted successfully.",
            "Can not delete. Campaign is already scheduled or in a read-only state.",
        ],
        401: ["CompanyId claim missing or invalid."],
        404: ["Cannot delete — campaign not found."],
        500: ["An unexpected error occurred."],
    },
}
# Beyond the spec: routes the spec does not list, with the outcomes they document.
BEYOND_SPEC = {
    "recipients_import_status": {200: ["Import job details"], 404: ["Import job not found."]},
    "groups_import_errors": {200: [], 404: ["Group not found."]},
    "webhooks_list": {200: ["Webhook endpoints"], 400: ["offset must be 0 or more."]},
    "webhooks_create": {
        201: ["Webhook endpoint created"],
        400: [
            "url is required: the http(s) URL to post events to.",
            "url must use https.",
            "Unknown event types: order.shipped.",
            "The request body must be a JSON object.",
        ],
        404: ["Workspace not found."],
    },
    "webhooks_details": {200: ["Webhook endpoint details"], 404: ["Webhook endpoint not found."]},
    "webhooks_update": {
        200: ["Webhook endpoint updated"],
        400: ["enabled must be true or false."],
        404: ["Webhook endpoint not found."],
    },
    "webhooks_delete": {200: ["Webhook endpoint deleted"], 404: ["Webhook endpoint not found."]},
    "webhooks_rotate_secret": {200: ["Webhook secret rotated"], 404: ["Webhook endpoint not found."]},
    "webhooks_test": {
        202: ["Test event queued"],
        400: ["This webhook endpoint is disabled. Enable it first."],
        404: ["Webhook endpoint not found."],
    },
    "webhooks_deliveries": {200: ["Webhook deliveries"], 404: ["Webhook endpoint not found."]},
    "webhooks_replay": {
        202: ["Delivery queued again"],
        400: ["This webhook endpoint is disabled. Enable it first."],
        404: ["Webhook endpoint not found.", "Webhook delivery not found."],
    },
}
# Outcomes the spec shows that this API never answers, and why.
NEVER_ANSWERED = {
    ("campaigns_list", 400, "companyId is not a valid GUID."): "the company comes from the token",
    ("campaigns_details", 400, "companyId is not a valid GUID."): "the company comes from the token",
    ("campaigns_preview", 400, "companyId is not a valid GUID."): "the company comes from the token",
    ("campaigns_preview", 401, "UserId claim missing or invalid."): "every access token names its user",
    ("campaigns_parameters", 400, "Invalid request."): "it takes no input",
    ("recipients_update", 400, "Recipient cannot be updated."): "no rule forbids an update",
    (
        "recipients_delete",
        400,
        "Recipient cannot be deleted due to current recipient type restrictions.",
    ): "recipients have no types",
}
# The operations that create an object, and the operations their links lead to with its id.
CREATES = {
    "groups_create": {"groups_delete", "groups_remove_recipients", "groups_import_errors", "recipients_list"},
    "recipients_create": {"recipients_details", "recipients_update", "recipients_delete"},
    "recipients_import": {"recipients_import_status"},
    "files_folder_create": {"files_folder_contents", "files_delete"},
    "files_upload": {"files_content", "files_delete"},
    "campaigns_create": {
        "campaigns_details",
        "campaigns_preview",
        "campaigns_approve",
        "campaigns_voucher",
        "campaigns_cost",
        "campaigns_schedule",
        "campaigns_status_details",
        "campaigns_delete",
    },
    "campaigns_voucher": {"campaigns_cost", "campaigns_schedule"},
    "webhooks_create": {
        "webhooks_details",
        "webhooks_update",
        "webhooks_delete",
        "webhooks_rotate_secret",
        "webhooks_test",
        "webhooks_deliveries",
        "webhooks_replay",
    },
}
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema, prefix="/api/v1/"):
    for path, item in schema["paths"].items():
        if path.startswith(prefix):
            for method in METHODS:
                if method in item:
                    yield path, method, item[method]


def examples_of(response) -> list[dict]:
    values = [
        e["value"]
        for media in response.get("content", {}).values()
        for e in media.get("examples", {}).values()
    ]
    return [value for value in values if isinstance(value, dict)]  # not a CSV or binary body


def test_the_schema_is_valid_openapi_without_a_warning(schema):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate(schema)
    assert [str(w.message) for w in caught] == []


def test_drf_spectacular_generates_and_validates_it_without_a_warning(tmp_path):
    # --fail-on-warn raises on any warning or error of generation; --validate checks the result.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0")


def test_every_operation_is_worded_with_examples(schema):
    problems = []
    for path, method, op in operations(schema):
        name = op.get("operationId", f"{method} {path}")
        for key in ("summary", "description", "operationId"):
            if not op.get(key):
                problems.append(f"{name}: no {key}")
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            if not content.get("examples"):
                problems.append(f"{name}: no request example for {media}")
        for status, response in op["responses"].items():
            if not response.get("description"):
                problems.append(f"{name} {status}: no description")
            json = response.get("content", {}).get("application/json")
            if json is not None and not json.get("examples"):
                problems.append(f"{name} {status}: no example")
            errors = json is not None and status >= "400"
            if errors and any(value["success"] is not False for value in examples_of(response)):
                problems.append(f"{name} {status}: an error example without success false")
    assert problems == []


def test_every_operation_documents_the_outcomes_of_the_spec(schema):
    documented = {**SPEC, **BEYOND_SPEC}
    problems = []
    seen = set()
    for path, method, op in operations(schema):
        name = op["operationId"]
        seen.add(name)
        if name not in documented:
            problems.append(f"{method.upper()} {path} ({name}): not in SPEC; add the spec's outcomes")
            continue
        for status, messages in documented[name].items():
            wanted = [m for m in messages if (name, status, m) not in NEVER_ANSWERED]
            if messages and not wanted:
                continue  # the spec's only outcome of this status is one this API never answers
            response = op["responses"].get(str(status))
            if response is None:
                problems.append(f"{name}: no {status} response")
                continue
            answered = [value["message"] for value in examples_of(response)]
            for message in wanted:
                if message not in answered:
                    problems.append(f"{name} {status}: no example says {message!r}")
                if status >= 400 and message not in response["description"]:
                    problems.append(f"{name} {status}: the description does not name {message!r}")
            if 200 <= status < 300 and wanted:
                for value in examples_of(response):
                    if value["success"] is not True:
                        problems.append(f"{name} {status}: a success example without success true")
    assert problems == []
    assert seen >= set(documented), f"documented operations missing from the schema: {set(documented) - seen}"


def test_every_spec_outcome_that_is_never_answered_is_still_in_the_spec():
    for name, status, message in NEVER_ANSWERED:
        assert message in SPEC[name][status]


def test_create_operations_link_to_the_operations_that_take_the_new_id(schema):
    by_id = {op["operationId"]: op for _, _, op in operations(schema)}
    problems = []
    for name, targets in CREATES.items():
        links = {
            link["operationId"]: link
            for status, response in by_id[name]["responses"].items()
            if status.startswith("2")
            for link in response.get("links", {}).values()
        }
        if set(links) != targets:
            problems.append(f"{name}: links to {sorted(links)}, not {sorted(targets)}")
        for target, link in links.items():
            parameters = {p["name"] for p in by_id[target].get("parameters", [])}
            unknown = set(link.get("parameters", {})) - parameters
            if unknown or not link.get("parameters"):
                problems.append(f"{name} -> {target}: parameters {sorted(unknown)} not taken")
            for expression in link.get("parameters", {}).values():
                if "$response.body#/" not in expression and "$request." not in expression:
                    problems.append(f"{name} -> {target}: {expression!r} is no runtime expression")
    assert problems == []


# ---- /services/ and POST /oauth/token/ ----------------------------------------------------------

SERVICES_SPEC = {  # operationId -> {status: the messages of the services spec's outcomes}
    "services_campaigns_create": {201: [], 400: ["Invalid request."]},
    "services_campaigns_list": {200: []},
    "services_campaigns_retrieve": {200: [], 404: ["Resource not found."], 500: ["Unexpected error."]},
    "services_campaigns_update": {200: [], 400: ["Invalid request."], 404: ["Campaign not found."]},
    "services_campaigns_status": {200: [], 400: ["Invalid request."], 404: ["Campaign not found."]},
    "services_campaigns_destroy": {204: [], 404: ["Campaign not found."]},
}
# Beyond the spec: what every operation answers (the bearer token, rate limits, a crash), what an
# operation that reads a body answers, and each operation's own further outcomes.
SERVICES_PLUMBING = {401: ["Unauthorized."], 429: ["Too many requests."], 500: ["Unexpected error."]}
SERVICES_BODY = {413: ["Request body too large."], 415: ["Unsupported media type."]}
SERVICES_BEYOND_SPEC = {
    "services_campaigns_create": {404: ["Resource not found."], **SERVICES_BODY},
    "services_campaigns_list": {400: ["Invalid request."], 404: ["Resource not found."]},
    "services_campaigns_retrieve": {400: ["Invalid request."]},
    "services_campaigns_update": SERVICES_BODY,
    "services_campaigns_status": SERVICES_BODY,
    "services_campaigns_destroy": {},
}
SERVICES_ERROR_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    404: "not_found",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "unexpected_error",
}
SERVICES_PATHS = {
    "/services/{serviceUuid}/campaigns": {"get", "post"},
    "/services/{serviceUuid}/campaigns/{campaignUuid}": {"get", "put", "patch", "delete"},
}
# The spec's Campaign data model (4.1), its required fields, and what CampaignResponse adds.
CAMPAIGN_FIELDS = {
    "name", "status", "sending_type", "schedule_type", "schedule_rrule", "template", "webpush_title",
    "webpush_body", "webpush_target_url", "webpush_icon", "webpush_image", "sender",
    "recipient_lists", "query_type", "query",
}  # fmt: skip
CAMPAIGN_REQUIRED = {
    "name",
    "status",
    "sending_type",
    "schedule_type",
    "template",
    "sender",
    "recipient_lists",
}
RESPONSE_FIELDS = {"uuid", "created_dt", "updated_dt", "next_dt", "last_dt", "tasks", "messages"}
SENDING_TYPES = {"sms", "webpush", "email", "telegram", "rbm", "viber", "whatsapp"}
STATUSES = {"active", "stopped", "finished", "draft"}
TOKEN_PATH = "/oauth/token/"
TOKEN_ERRORS = {
    400: {"unsupported_grant_type", "unauthorized_client", "invalid_grant", "invalid_scope"},
    401: {"invalid_client"},
}
SERVICES_SECURITY = [{"OAuth2ClientCredentials": ["campaigns"]}]


def merged(*tables: dict[int, list[str]]) -> dict[int, list[str]]:
    """Each status's messages over the tables, in order, once each."""
    outcomes: dict[int, list[str]] = {}
    for table in tables:
        for status, messages in table.items():
            outcomes.setdefault(status, [])
            outcomes[status] += [m for m in messages if m not in outcomes[status]]
    return outcomes


def services_outcomes(name: str) -> dict[int, list[str]]:
    return merged(SERVICES_SPEC[name], SERVICES_PLUMBING, SERVICES_BEYOND_SPEC[name])


def outcome_problems(schema, prefix: str, table: dict, outcomes_of, *, message_key: str, example_problem):
    """(problems, operationIds seen) of the operations under `prefix` against their outcomes
    (`outcomes_of(operationId)`: status -> messages; `table` names the operations): the statuses
    each documents, an example (a body but for 204) saying each message and no other error, the
    description naming each, and each example as `example_problem(status, value)` judges it (a
    text, or None)."""
    problems = []
    seen = set()
    for path, method, op in operations(schema, prefix):
        name = op.get("operationId")
        seen.add(name)
        if name not in table:
            problems.append(f"{method.upper()} {path} ({name}): not in its table; add its outcomes")
            continue
        wanted = outcomes_of(name)
        documented = {int(status) for status in op["responses"]}
        if documented != set(wanted):
            problems.append(f"{name}: documents {sorted(documented)}, the table says {sorted(wanted)}")
        for status, messages in wanted.items():
            response = op["responses"].get(str(status))
            if response is None:
                continue
            examples = examples_of(response)
            if status == 204:
                if response.get("content"):
                    problems.append(f"{name} 204: documents a body")
            elif not examples:
                problems.append(f"{name} {status}: no example")
            for value in examples:
                problem = example_problem(status, value)
                if problem:
                    problems.append(f"{name} {status}: {problem}: {value}")
            answered = [value.get(message_key) for value in examples]
            for message in messages:
                if message not in answered:
                    problems.append(f"{name} {status}: no example says {message!r}")
                if message not in response["description"]:
                    problems.append(f"{name} {status}: the description does not name {message!r}")
            for message in answered:
                if status >= 400 and message not in messages:
                    problems.append(f"{name} {status}: an example says {message!r}, the table does not")
    return problems, seen


def wording_problems(name: str, op: dict, security: list) -> list[str]:
    """An operation's summary, description, tags, security, JSON request bodies with examples,
    described responses and described parameters."""
    problems = [f"{name}: no {key}" for key in ("summary", "description", "tags") if not op.get(key)]
    if op.get("security") != security:
        problems.append(f"{name}: security {op.get('security')}")
    for media, content in op.get("requestBody", {}).get("content", {}).items():
        if media != "application/json" or not content.get("examples"):
            problems.append(f"{name}: request body {media} without examples")
    for status, response in op["responses"].items():
        if not response.get("description"):
            problems.append(f"{name} {status}: no description")
    for parameter in op.get("parameters", []):
        if not parameter.get("description"):
            problems.append(f"{name}: parameter {parameter['name']} undescribed")
    return problems


def examples_checked(schema, operations_) -> int:
    """How many request and answer examples of `operations_` ((path, method, op)) were checked
    against their schemas (each fails the test when it does not match)."""
    checked = 0
    for _, _, op in operations_:
        bodies = [*op.get("requestBody", {}).get("content", {}).values()]
        bodies += [
            media for response in op["responses"].values() for media in response.get("content", {}).values()
        ]
        for media in bodies:
            for example in media.get("examples", {}).values():
                assert_matches(schema, media["schema"], example["value"])
                checked += 1
    return checked


def component(schema, ref_or_schema: dict) -> dict:
    ref = ref_or_schema.get("$ref") or (ref_or_schema.get("allOf") or [{}])[0].get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def closed(node):
    """Every object schema closed, so an answer with a key its schema does not name fails."""
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: closed(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    return node


def assert_matches(schema, media_schema: dict, value) -> None:
    root = {"allOf": [media_schema], "components": closed(schema["components"])}
    OAS30Validator(root, format_checker=OAS30Validator.FORMAT_CHECKER).validate(value)


def services_and_token_operations(schema):
    yield from operations(schema, "/services/")
    yield TOKEN_PATH, "post", schema["paths"][TOKEN_PATH]["post"]


def services_example_problem(status: int, value: dict) -> str | None:
    if status >= 400 and (
        set(value) != {"code", "message", "items"} or value["code"] != SERVICES_ERROR_CODES[status]
    ):
        return "an example that is no Error of its status"
    if status < 400 and ("data" not in value or set(value) - {"data", "meta"}):
        return "an example that is no data answer"
    return None


def test_every_services_operation_documents_its_outcomes(schema):
    problems, seen = outcome_problems(
        schema,
        "/services/",
        SERVICES_SPEC,
        services_outcomes,
        message_key="message",
        example_problem=services_example_problem,
    )

    assert problems == []
    assert seen == set(SERVICES_SPEC)


def test_every_services_operation_is_worded_secured_and_on_the_specs_path(schema):
    problems = []
    paths = {}
    for path, method, op in operations(schema, "/services/"):
        paths.setdefault(path, set()).add(method)
        name = op["operationId"]
        problems += wording_problems(name, op, SERVICES_SECURITY)
        for parameter in op.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("format") != "uuid":
                problems.append(f"{name}: path parameter {parameter['name']} is no UUID")
    assert problems == []
    assert paths == SERVICES_PATHS


def parameters_of(schema, path: str, method: str) -> dict:
    return {p["name"]: p for p in schema["paths"][path][method].get("parameters", [])}


def test_the_list_and_fetch_take_the_specs_parameters(schema):
    listing = parameters_of(schema, "/services/{serviceUuid}/campaigns", "get")
    fetching = parameters_of(schema, "/services/{serviceUuid}/campaigns/{campaignUuid}", "get")

    assert set(listing) == {
        "serviceUuid",
        "sending_type",
        "status",
        "fields",
        "sort",
        "page_number",
        "page_size",
    }
    assert set(fetching) == {"serviceUuid", "campaignUuid", "fields"}
    assert set(listing["sending_type"]["schema"]["enum"]) == SENDING_TYPES
    assert set(listing["status"]["schema"]["enum"]) == STATUSES
    assert listing["fields"]["schema"]["items"]["enum"] == ["tasks", "messages"]
    assert fetching["fields"] == listing["fields"]
    assert listing["sort"]["schema"]["type"] == "array"
    assert listing["page_number"]["schema"]["default"] == 1
    assert listing["page_size"]["schema"]["default"] == 10


def test_the_bodies_are_the_specs_data_models(schema):
    schemas = schema["components"]["schemas"]
    create, update = schemas["CampaignCreateRequest"], schemas["CampaignUpdateRequest"]
    status = schemas["CampaignStatusRequest"]
    response = schemas["CampaignResponse"]

    assert set(update["properties"]) == CAMPAIGN_FIELDS
    assert set(update["required"]) == CAMPAIGN_REQUIRED
    assert set(create["properties"]) == CAMPAIGN_FIELDS | {"clone_uuid", "template_vars"}
    assert "required" not in create  # a clone needs only clone_uuid
    assert [set(option["required"]) for option in create["anyOf"]] == [CAMPAIGN_REQUIRED, {"clone_uuid"}]
    assert set(component(schema, create["anyOf"][0]["properties"]["status"])["enum"]) == {"active", "draft"}
    assert status["required"] == ["status"]
    assert set(component(schema, status["properties"]["status"])["enum"]) == {"active", "stopped"}
    assert set(response["properties"]) == CAMPAIGN_FIELDS | RESPONSE_FIELDS
    assert set(component(schema, response["properties"]["sending_type"])["enum"]) == SENDING_TYPES
    assert all(response["properties"][name].get("description") for name in CAMPAIGN_FIELDS | RESPONSE_FIELDS)


def test_the_oauth2_scheme_is_client_credentials_against_the_token_endpoint(schema):
    scheme = schema["components"]["securitySchemes"]["OAuth2ClientCredentials"]

    assert scheme["type"] == "oauth2"
    assert scheme["flows"] == {
        "clientCredentials": {"tokenUrl": TOKEN_PATH, "scopes": {"campaigns": "Manage message campaigns"}}
    }


def test_the_token_endpoint_is_documented(schema):
    op = schema["paths"][TOKEN_PATH]["post"]
    form = op["requestBody"]["content"]["application/x-www-form-urlencoded"]

    assert op["operationId"] == "oauth_token" and op["summary"] and op["description"]
    assert {"grant_type", "client_id", "client_secret"} <= set(form["schema"]["properties"])
    assert form["schema"]["properties"]["grant_type"]["enum"] == ["client_credentials"]
    assert form["examples"]
    assert {"OAuth2ClientBasic": []} in op["security"]
    assert schema["components"]["securitySchemes"]["OAuth2ClientBasic"] == {
        "type": "http",
        "scheme": "basic",
        "description": schema["components"]["securitySchemes"]["OAuth2ClientBasic"]["description"],
    }
    token = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(token["required"]) == {"access_token", "token_type", "expires_in", "scope"}
    for status, errors in TOKEN_ERRORS.items():
        response = op["responses"][str(status)]
        documented = set(response["content"]["application/json"]["schema"]["properties"]["error"]["enum"])
        assert documented == errors
        assert {value["error"] for value in examples_of(response)} == errors
        assert all(error in response["description"] for error in errors)


def test_every_services_example_matches_its_schema(schema):
    assert examples_checked(schema, services_and_token_operations(schema)) > 40


class Answers:
    """Checks each answer against what the schema documents for its operation and status."""

    def __init__(self, schema):
        self.schema = schema
        self.seen: set[tuple[str, str, int]] = set()

    def check(self, response, path: str, method: str, status: int):
        assert response.status_code == status, response.content
        documented = self.schema["paths"][path][method]["responses"].get(str(status))
        assert documented is not None, f"{method.upper()} {path} answered an undocumented {status}"
        self.seen.add((path, method, status))
        if "content" not in documented:
            assert response.content == b""
            return None
        body = response.json()
        assert_matches(self.schema, documented["content"]["application/json"]["schema"], body)
        return body


def with_ids(value, ids: dict[str, str]):
    """A documented example with its placeholder ids swapped for real ones."""
    text = json.dumps(value)
    for placeholder, real in ids.items():
        text = text.replace(placeholder, real)
    return json.loads(text)


def request_examples(schema, path: str, method: str) -> list:
    content = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
    return [example["value"] for example in content["examples"].values()]


def test_the_services_answer_as_documented(schema):
    """Real answers of every services operation (and the token endpoint), each validated against
    the schema its operation documents for its status, with every object closed to other keys;
    the request examples of the schema are the bodies sent."""
    company = CompanyFactory()
    workspace = default_workspace(company=company)
    application = OAuthApplicationFactory(company=company)
    lists = [RecipientGroupFactory(company=company) for _ in range(2)]
    for n, group in enumerate(lists):
        RecipientFactory(
            company=company, group=group, first_name="Ada", mobile=f"+44770090000{n}", email="ada@example.com"
        )
    answers = Answers(schema)
    many, one = "/services/{serviceUuid}/campaigns", "/services/{serviceUuid}/campaigns/{campaignUuid}"
    url = f"/services/{workspace.pk}/campaigns"
    credentials = basic(application.client_id, application.plain_secret)

    def token_request(data, authorization=credentials):
        return APIClient().post(TOKEN_URL, data, HTTP_AUTHORIZATION=authorization)

    token = answers.check(token_request({"grant_type": "client_credentials"}), TOKEN_PATH, "post", 200)
    answers.check(token_request({"grant_type": "x"}), TOKEN_PATH, "post", 400)
    answers.check(
        token_request({"grant_type": "client_credentials"}, basic(application.client_id, "wrong")),
        TOKEN_PATH,
        "post",
        401,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    ids = {LIST_UUID: str(lists[0].pk), OTHER_LIST_UUID: str(lists[1].pk)}

    created = []
    for body in request_examples(schema, many, "post"):
        answer = answers.check(client.post(url, with_ids(body, ids), format="json"), many, "post", 201)
        created.append(answer["data"]["uuid"])
        ids.setdefault(CAMPAIGN_UUID, created[0])  # the clone example copies the first
    campaigns_fire_due.apply()  # the clone example runs now: it gets a task
    answers.check(client.post(url, {}, format="json"), many, "post", 400)
    answers.check(client.post(url, "x", content_type="text/plain"), many, "post", 415)
    too_large = json.dumps({"name": "x" * 1024 * 1024})
    answers.check(client.post(url, too_large, content_type="application/json"), many, "post", 413)
    answers.check(client.post(f"/services/{CAMPAIGN_UUID}/campaigns", {}, format="json"), many, "post", 404)

    listed = answers.check(client.get(url, {"fields": "tasks,messages", "sort": "-name"}), many, "get", 200)
    assert len(listed["data"]) == len(created)
    assert any(campaign["tasks"] for campaign in listed["data"])  # the tasks shape is exercised too
    answers.check(client.get(url, {"page_size": 2, "page_number": 2}), many, "get", 200)
    answers.check(client.get(url, {"page_size": 0}), many, "get", 400)
    answers.check(client.get(f"/services/{CAMPAIGN_UUID}/campaigns"), many, "get", 404)
    answers.check(APIClient().get(url), many, "get", 401)

    first = f"{url}/{created[0]}"
    missing = f"{url}/{CAMPAIGN_UUID}"
    answers.check(client.get(first, {"fields": "tasks,messages"}), one, "get", 200)
    answers.check(client.get(first, {"fields": "nothing"}), one, "get", 400)
    answers.check(client.get(missing), one, "get", 404)
    for body in request_examples(schema, one, "put"):
        answers.check(client.put(first, with_ids(body, ids), format="json"), one, "put", 200)
    answers.check(client.put(first, {}, format="json"), one, "put", 400)
    answers.check(client.put(missing, {}, format="json"), one, "put", 404)
    for body in request_examples(schema, one, "patch"):
        answers.check(client.patch(first, body, format="json"), one, "patch", 200)
    answers.check(client.patch(first, {"status": "finished"}, format="json"), one, "patch", 400)
    answers.check(client.patch(missing, {"status": "active"}, format="json"), one, "patch", 404)
    answers.check(client.delete(first), one, "delete", 204)
    answers.check(client.delete(first), one, "delete", 404)

    operations_answered = {(path, method) for path, method, _ in answers.seen}
    assert operations_answered == {(p, m) for p, methods in SERVICES_PATHS.items() for m in methods} | {
        (TOKEN_PATH, "post")
    }


# ---- /v2/campaign/ ---------------------------------------------------------------------------------

V2_SPEC = {  # operationId -> {status: the messages of the campaign API v2 spec's outcomes}
    "v2_campaign_create": {
        200: [],
        400: [
            "invalid request: at least 2 clients required",
            "invalid request: template not found",
            "invalid request: JSON or TempMsgID required",
            "invalid request: not enough params for variables in JSON",
            "invalid request: each client must have params for all template variables",
        ],
    },
    "v2_campaign_get_all": {200: []},
    "v2_campaign_messages": {200: []},
    "v2_campaign_resend": {200: [], 502: ["upstream service call failed"]},
    "v2_campaign_update": {
        200: [],
        400: ["only scheduled campaigns can be updated (name and SendAt fields only)"],
    },
    "v2_campaign_delete": {200: []},
}
# Beyond the spec's words: what every operation answers (the key, rate limits, a crash), what one
# that reads a body answers, and each operation's own further outcomes (issue 20's words, and
# `invalid request: <field>` for a field of the wrong type or form).
V2_PLUMBING = {401: ["unauthorized"], 429: ["too many requests"], 500: ["internal server error"]}
V2_BODY = {413: ["request body too large"], 415: ["unsupported media type"]}
V2_BAD_BODY = ["invalid request: body", "invalid request: malformed JSON"]
V2_BEYOND_SPEC = {
    "v2_campaign_create": {
        400: [
            "invalid request: name required",
            "invalid request: at most 100000 clients",
            "invalid request: JSON",
            "invalid request: accountID",
            "invalid request: name",
            "invalid request: clients",
            "invalid request: params",
            "invalid request: TempMsgID",
            "invalid request: SendAt",
            "invalid request: message",
            *V2_BAD_BODY,
        ],
        **V2_BODY,
    },
    "v2_campaign_get_all": {400: ["invalid request: resultSize"]},
    "v2_campaign_messages": {
        400: ["invalid request: campaignID", "invalid request: resultSize"],
        404: ["campaign not found"],
    },
    "v2_campaign_resend": {
        400: [
            "invalid request: only failed messages can be resent",
            "invalid request: messageKey",
            *V2_BAD_BODY,
        ],
        404: ["message not found"],
        **V2_BODY,
    },
    "v2_campaign_update": {
        400: ["invalid request: id", "invalid request: name", "invalid request: SendAt", *V2_BAD_BODY],
        404: ["campaign not found"],
        **V2_BODY,
    },
    "v2_campaign_delete": {
        400: ["invalid request: id", *V2_BAD_BODY],
        404: ["campaign not found"],
        **V2_BODY,
    },
}
V2_PATHS = {
    "/v2/campaign/create": {"post"},
    "/v2/campaign/getAll": {"get"},
    "/v2/campaign/getCampMsgs": {"get"},
    "/v2/campaign/resendMsg": {"post"},
    "/v2/campaign/update": {"put"},
    "/v2/campaign/delete": {"delete"},
}
V2_SECURITY = [{"V2ApiKey": []}]
# The spec's structs: each answer's keys exactly, with their types ({} for interface{}).
V2_CAMPAIGN_RESPONSE = {
    "ID": "integer", "Name": "string", "TemplateName": "string", "Lang": "string",
    "CreatedAt": "string", "UpdatedAt": "string", "SendAt": "string", "Status": "string",
    "AgentID": "integer", "Message": "string", "JSON": "string", "SentCount": "integer",
    "DeliveredCount": "integer", "FailedCount": "integer", "Total": "integer", "Clients": "array",
    "CompanyID": "integer", "ReportHeaders": None, "TempMsgID": "string", "Error": "string",
    "SocketKey": "string",
}  # fmt: skip
V2_MESSAGE = {
    "MessageKey": "string", "AccountID": "string", "Status": "string", "Error": "string",
    "Attempts": "integer", "Message": "string", "SentAt": "string", "DeliveredAt": "string",
}  # fmt: skip
V2_REQUESTS = {  # path -> the keys of its body, as the spec's examples spell them
    "/v2/campaign/create": {"name", "message", "clients", "JSON", "TempMsgID", "SendAt"},
    "/v2/campaign/update": {"id", "name", "SendAt"},
    "/v2/campaign/resendMsg": {"messageKey"},
    "/v2/campaign/delete": {"id"},
}


def v2_outcomes(name: str) -> dict[int, list[str]]:
    return merged(V2_SPEC[name], V2_PLUMBING, V2_BEYOND_SPEC[name])


def v2_example_problem(status: int, value: dict) -> str | None:
    if status >= 400 and (set(value) != {"error"} or not isinstance(value["error"], str)):
        return "an example that is no {error}"
    if status < 400 and "error" in value:
        return "a success example that is an error"
    return None


def test_every_v2_operation_documents_its_outcomes(schema):
    problems, seen = outcome_problems(
        schema, "/v2/", V2_SPEC, v2_outcomes, message_key="error", example_problem=v2_example_problem
    )

    assert problems == []
    assert seen == set(V2_SPEC)


def test_every_v2_operation_is_worded_secured_and_on_the_specs_path(schema):
    problems = []
    paths = {}
    for path, method, op in operations(schema, "/v2/"):
        paths.setdefault(path, set()).add(method)
        name = op["operationId"]
        problems += wording_problems(name, op, V2_SECURITY)
        if op.get("tags") != ["campaign v2"]:
            problems.append(f"{name}: tags {op.get('tags')}")
        if bool(op.get("requestBody")) != (path in V2_REQUESTS):
            problems.append(f"{name}: a request body where the spec has none, or none where it has one")
    assert problems == []
    assert paths == V2_PATHS


def test_the_v2_key_is_an_api_key_in_the_x_api_key_header(schema):
    scheme = schema["components"]["securitySchemes"]["V2ApiKey"]

    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")


def test_the_v2_parameters_are_the_specs(schema):
    get_all = parameters_of(schema, "/v2/campaign/getAll", "get")
    messages = parameters_of(schema, "/v2/campaign/getCampMsgs", "get")
    delete = parameters_of(schema, "/v2/campaign/delete", "delete")

    result_size = {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000}
    assert set(get_all) == {"resultSize"} and get_all["resultSize"]["schema"] == result_size
    assert not get_all["resultSize"].get("required")
    assert set(messages) == {"campaignID", "resultSize"}
    assert messages["resultSize"] == get_all["resultSize"]
    assert messages["campaignID"]["required"] is True
    assert messages["campaignID"]["schema"]["type"] == "integer"
    assert set(delete) == {"id", "Idempotency-Key"} and not delete["id"].get("required")
    assert delete["id"]["schema"]["type"] == "integer"
    assert "required" not in schema["paths"]["/v2/campaign/delete"]["delete"]["requestBody"]


def answer_schema(schema, path: str, method: str, status: int = 200) -> dict:
    media = schema["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    return component(schema, media["schema"])


def test_the_v2_bodies_and_answers_are_the_specs_structs(schema):
    def type_of(prop: dict):
        return prop.get("type") or component(schema, prop).get("type")

    campaign = answer_schema(schema, "/v2/campaign/create", "post")
    for path, method in (("/v2/campaign/update", "put"), ("/v2/campaign/delete", "delete")):
        assert answer_schema(schema, path, method) == campaign
    listed = answer_schema(schema, "/v2/campaign/getAll", "get")
    messages = answer_schema(schema, "/v2/campaign/getCampMsgs", "get")
    message = component(schema, messages["properties"]["Messages"]["items"])
    client = component(schema, campaign["properties"]["Clients"]["items"])
    resend = answer_schema(schema, "/v2/campaign/resendMsg", "post")

    assert list(campaign["properties"]) == list(V2_CAMPAIGN_RESPONSE)
    assert {name: type_of(prop) for name, prop in campaign["properties"].items()} == V2_CAMPAIGN_RESPONSE
    assert set(campaign["required"]) == set(V2_CAMPAIGN_RESPONSE)
    assert (
        campaign["properties"]["Clients"]["nullable"] and campaign["properties"]["ReportHeaders"]["nullable"]
    )
    assert list(client["properties"]) == ["AccountID", "Params"]
    assert list(listed["properties"]) == ["Campaigns", "Total"]
    assert component(schema, listed["properties"]["Campaigns"]["items"]) == campaign
    assert list(messages["properties"]) == ["CampaignID", "Messages", "Total"]
    assert {name: type_of(prop) for name, prop in message["properties"].items()} == V2_MESSAGE
    assert list(resend["properties"]) == ["MessageKey", "Status"]
    for path, keys in V2_REQUESTS.items():
        method = next(iter(V2_PATHS[path]))
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert set(component(schema, body["schema"])["properties"]) == keys
    create_body = schema["paths"]["/v2/campaign/create"]["post"]["requestBody"]["content"]["application/json"]
    create = component(schema, create_body["schema"])
    assert (create["properties"]["clients"]["minItems"], create["properties"]["clients"]["maxItems"]) == (
        2,
        100_000,
    )
    assert set(component(schema, create["properties"]["clients"]["items"])["properties"]) == {
        "accountID",
        "params",
    }


def test_every_v2_example_matches_its_schema(schema):
    assert examples_checked(schema, operations(schema, "/v2/")) > 60


def test_the_v2_create_examples_are_the_specs_four(schema):
    examples = request_examples(schema, "/v2/campaign/create", "post")

    assert [set(body) for body in examples] == [
        {"name", "clients", "TempMsgID", "SendAt"},
        {"name", "clients", "TempMsgID", "JSON", "SendAt"},
        {"name", "clients", "TempMsgID", "JSON", "message", "SendAt"},
        {"name", "message", "clients", "JSON", "TempMsgID", "SendAt"},
    ]
    assert all(len(body["clients"]) == 2 for body in examples)  # the rule table asks for two
    assert request_examples(schema, "/v2/campaign/delete", "delete") == [{"id": 385}]
    assert request_examples(schema, "/v2/campaign/update", "put") == [
        {"id": 387, "name": "test22", "SendAt": "2025-03-04T11:31:25.000Z"}
    ]
    assert request_examples(schema, "/v2/campaign/resendMsg", "post") == [
        {"messageKey": "C030200170205C476A3B882B2702FF"}
    ]


def test_the_v2_api_answers_as_documented(schema, settings, gateway):
    """Real answers of every v2 operation, each validated against the schema its operation
    documents for its status (every object closed to other keys), and each error's text one the
    schema documents for that status; the request examples of the schema are the bodies sent."""
    settings.MESSAGING_GATEWAY_URL = gateway.url
    settings.MESSAGING_DEFAULT_BACKEND = ""
    settings.MESSAGING_RATE_PER_SECOND = {}
    company = CompanyFactory()
    key = account_services.api_key_issue(user=UserFactory(company=company)).secret
    template = MessageTemplateFactory(company=company)
    answers = Answers(schema)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    ids = {V2_TEMPLATE_ID: str(template.pk)}

    def check(response, path: str, method: str, status: int):
        body = answers.check(response, path, method, status)
        if status >= 400:
            documented = schema["paths"][path][method]["responses"][str(status)]
            assert body["error"] in [value["error"] for value in examples_of(documented)], body
        return body

    def send(method: str, path: str, body=None, content_type="application/json"):
        data = json.dumps(body) if body is not None and not isinstance(body, str) else body
        with TestCase.captureOnCommitCallbacks(execute=True):  # generation and delivery run
            return getattr(client, method)(path, data, content_type=content_type)

    create, update, delete = "/v2/campaign/create", "/v2/campaign/update", "/v2/campaign/delete"
    get_all, messages, resend = "/v2/campaign/getAll", "/v2/campaign/getCampMsgs", "/v2/campaign/resendMsg"

    # create: the spec's four examples, sent now (their SendAt is past); every message fails
    gateway.answer = lambda request: Answer(status=400)
    created = [
        check(send("post", create, with_ids(body, ids)), create, "post", 200)
        for body in request_examples(schema, create, "post")
    ]
    check(send("post", create, {}), create, "post", 400)
    check(send("post", create, {"name": "x", "clients": [], "JSON": "{}"}), create, "post", 400)
    check(send("post", create, "{"), create, "post", 400)
    check(send("post", create, "x", content_type="text/plain"), create, "post", 415)
    check(APIClient().post(create, {}, format="json"), create, "post", 401)

    # getAll and getCampMsgs
    listed = check(send("get", f"{get_all}?resultSize=2"), get_all, "get", 200)
    assert listed["Total"] == len(created) and len(listed["Campaigns"]) == 2
    check(send("get", f"{get_all}?resultSize=0"), get_all, "get", 400)
    sent = check(send("get", f"{messages}?campaignID={created[0]['ID']}"), messages, "get", 200)
    assert [m["Status"] for m in sent["Messages"]] == ["failed", "failed"]
    check(send("get", messages), messages, "get", 400)
    check(send("get", f"{messages}?campaignID=999999"), messages, "get", 404)

    # resendMsg: the gateway takes the first, fails the second
    first, second = (m["MessageKey"] for m in sent["Messages"])
    gateway.answer = lambda request: Answer(status=200)
    (example,) = request_examples(schema, resend, "post")
    check(send("post", resend, with_ids(example, {V2_MESSAGE_KEY: first})), resend, "post", 200)
    check(send("post", resend, {"messageKey": first}), resend, "post", 400)
    check(send("post", resend, example), resend, "post", 404)
    gateway.answer = lambda request: Answer(status=500)
    check(send("post", resend, {"messageKey": second}), resend, "post", 502)
    too_large = json.dumps({"messageKey": "x" * 1024 * 1024})
    check(send("post", resend, too_large), resend, "post", 413)

    # update: a campaign still scheduled, then one already sent
    scheduled = {
        **with_ids(request_examples(schema, create, "post")[0], ids),
        "SendAt": "2099-01-01T00:00:00Z",
    }
    later = check(send("post", create, scheduled), create, "post", 200)
    (example,) = request_examples(schema, update, "put")
    moved = {**example, "id": later["ID"], "SendAt": "2099-02-01T00:00:00Z"}
    updated = check(send("put", update, moved), update, "put", 200)
    assert (updated["Name"], updated["Status"]) == (example["name"], "scheduled")
    check(send("put", update, {"id": created[0]["ID"], "name": "x"}), update, "put", 400)
    check(send("put", update, {"id": "387"}), update, "put", 400)
    check(send("put", update, {"id": 999999}), update, "put", 404)

    # delete: by the body's id, then by the query's
    (example,) = request_examples(schema, delete, "delete")
    deleted = check(send("delete", delete, {**example, "id": later["ID"]}), delete, "delete", 200)
    assert deleted["Status"] == "deleted"
    check(send("delete", delete, {"id": later["ID"]}), delete, "delete", 404)
    check(send("delete", f"{delete}?id={created[1]['ID']}"), delete, "delete", 200)
    check(send("delete", f"{delete}?id=abc"), delete, "delete", 400)

    operations_answered = {(path, method) for path, method, _ in answers.seen}
    assert operations_answered == {(p, m) for p, methods in V2_PATHS.items() for m in methods}


# ---- /v1/: the messages export API ----------------------------------------------------------------

EXPORT_HEADERS = ["Unauthorized", "auth error"]
EXPORT_BODY = {
    400: ["Bad request."],
    413: ["Request body too large."],
    415: ["Unsupported media type: send application/json."],
}
EXPORT_PLUMBING = {
    403: EXPORT_HEADERS,
    429: ["Too many requests."],
    500: ["Internal server error."],
    **EXPORT_BODY,
}
EXPORT_SPEC = {  # operationId -> {status: the messages of its outcomes}, beyond the plumbing's
    "export_campaign_all": {200: []},
    "export_messages_publish": {
        202: [],
        401: ["Missing required fields.", "Campaign/details not found."],
        404: ["Campaign not found."],
        429: ["Usage limit exceeded.", "Too many requests."],
    },
    "export_messages_pages": {200: [], 401: ["Missing required fields."], 404: ["Campaign not found."]},
    "export_messages_fetch": {
        200: [],
        401: ["Missing required fields.", "Invalid export option."],
        404: ["Campaign not found.", "File not found."],
        500: ["Failed to parse.", "Internal server error."],
    },
}
EXPORT_DOWNLOAD = "export_messages_download"
EXPORT_PATHS = {
    "/v1/campaign/all": {"post"},
    "/v1/messages/publish": {"post"},
    "/v1/messages/pages": {"post"},
    "/v1/messages/fetch": {"post"},
    "/v1/messages/download/{token}": {"get"},
}
EXPORT_REQUIRED = {"ExportBearerJWT": [], "ExportAuthContext": [], "ExportClientIP": []}
ZERO_UUID = "00000000-0000-0000-0000-000000000000"
EXPORT_SECURITY = [EXPORT_REQUIRED, {**EXPORT_REQUIRED, "ExportApiKey": []}]


def export_outcomes(name: str) -> dict[int, list[str]]:
    outcomes: dict[int, list[str]] = {status: list(texts) for status, texts in EXPORT_PLUMBING.items()}
    for status, texts in EXPORT_SPEC[name].items():
        outcomes[status] = texts or outcomes.get(status, [])
    return outcomes


def test_every_export_operation_documents_its_outcomes(schema):
    problems, paths = [], {}
    for path, method, op in operations(schema, "/v1/"):
        paths.setdefault(path, set()).add(method)
        name = op.get("operationId")
        for key in ("summary", "description", "tags"):
            if not op.get(key):
                problems.append(f"{name}: no {key}")
        if name == EXPORT_DOWNLOAD:
            wanted = {200: [], 403: ["Download link expired or invalid."], 500: ["Internal server error."]}
            if op.get("security") not in (None, [{}]):
                problems.append(f"{name}: security {op.get('security')}")
        elif name in EXPORT_SPEC:
            wanted = export_outcomes(name)
            if op.get("security") != EXPORT_SECURITY:
                problems.append(f"{name}: security {op.get('security')}")
            if not op["requestBody"]["content"]["application/json"].get("examples"):
                problems.append(f"{name}: no request example")
        else:
            problems.append(f"{method.upper()} {path} ({name}): not in EXPORT_SPEC; add its outcomes")
            continue
        documented = {int(status) for status in op["responses"]}
        if documented != set(wanted):
            problems.append(f"{name}: documents {sorted(documented)}, the table says {sorted(wanted)}")
        for status, texts in wanted.items():
            response = op["responses"].get(str(status))
            if response is None:
                continue
            examples = examples_of(response)
            if status < 300 and "application/json" in response.get("content", {}) and not examples:
                problems.append(f"{name} {status}: no example")
            for value in examples:
                if status >= 400 and set(value) != {"message"}:
                    problems.append(f"{name} {status}: an example that is no {{message}}: {value}")
            for text in texts:
                if text not in [value.get("message") for value in examples]:
                    problems.append(f"{name} {status}: no example says {text!r}")
                if text not in response["description"]:
                    problems.append(f"{name} {status}: the description does not name {text!r}")
    assert problems == []
    assert paths == EXPORT_PATHS


def test_every_export_example_matches_its_schema(schema):
    assert examples_checked(schema, operations(schema, "/v1/")) > 40


def test_the_export_answers_as_documented(schema, django_capture_on_commit_callbacks, settings):
    """Real answers of every /v1/ operation, each validated against the schema its operation
    documents for its status, with every object closed to other keys."""
    settings.MESSAGING_DEFAULT_BACKEND = "messaging.delivery.console.ConsoleBackend"  # the firing delivers
    company = CompanyFactory()
    user = UserFactory(company=company)
    token = login(APIClient(), account_services.api_key_issue(user=user).secret)["token"]
    client = export_client(token, account_services.messages_api_code_rotate(company=company))
    campaign = campaign_with_messages(
        company, ["Ada", "Bob, Jr."], capture=django_capture_on_commit_callbacks
    )
    ours = {"campaign_id": str(campaign.pk)}
    answers = Answers(schema)

    def check(path, body, status):
        return answers.check(call(client, path.removeprefix("/v1/"), body), path, "post", status)

    check("/v1/campaign/all", None, 200)
    check("/v1/messages/pages", ours, 200)
    check("/v1/messages/publish", ours, 202)
    check("/v1/messages/publish", {}, 401)
    check("/v1/messages/publish", {"campaign_id": ZERO_UUID}, 404)
    check("/v1/messages/pages", ours, 200)
    check("/v1/messages/pages", [ours], 400)
    for export_type in ("utf8", "json"):
        check("/v1/messages/fetch", {**ours, "file_num": 0, "export_type": export_type}, 200)
    link = check("/v1/messages/fetch", {**ours, "file_num": 0, "export_type": "url"}, 200)["data"]
    check("/v1/messages/fetch", {**ours, "file_num": 0, "export_type": "csv"}, 401)
    check("/v1/messages/fetch", {**ours, "file_num": 5, "export_type": "json"}, 404)
    answers.check(APIClient().post("/v1/campaign/all"), "/v1/campaign/all", "post", 403)
    answers.check(
        client.post("/v1/campaign/all", "x", content_type="text/plain"), "/v1/campaign/all", "post", 415
    )
    download = "/v1/messages/download/{token}"
    response = APIClient().get(link)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    answers.seen.add((download, "get", 200))
    answers.check(APIClient().get("/v1/messages/download/x:y:z"), download, "get", 403)

    assert {(path, method) for path, method, _ in answers.seen} == {
        (path, method) for path, methods in EXPORT_PATHS.items() for method in methods
    }


# Writes whose callers bring no credential, and so no principal to keep keys for.
UNAUTHENTICATED_WRITES = {
    ("post", "/api/v1/account/login"),
    ("post", "/api/v1/account/refresh"),
    ("post", "/oauth/token/"),
}


def test_every_authenticated_write_documents_the_idempotency_key(schema):
    writes = [
        (method, path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("post", "put", "patch", "delete")
    ]

    for method, path, op in writes:
        header = parameters_of(schema, path, method).get("Idempotency-Key")
        if (method, path) in UNAUTHENTICATED_WRITES:
            assert header is None, (method, path)
            continue
        assert header, (method, path)
        assert header["in"] == "header" and not header.get("required")
        assert "Idempotent-Replayed: true" in header["description"]
    surfaces = {
        "/api/v1/recipients",
        "/services/{serviceUuid}/campaigns",
        "/v2/campaign/create",
        "/v1/messages/publish",
    }
    assert {p for _, p, _ in writes} >= surfaces

"""The served OpenAPI schema: valid (openapi-spec-validator, drf-spectacular's own validation) with
no warning, complete for every /api/v1/ operation (summary, description, examples, the spec's
messages for every outcome it documents), and linked from the operations that create an object to
those that take its id.

SPEC is the contract (../shared/spec/platform-api-v1.txt) written out: per operation, each status
its examples show and their messages. An operation added without a row here fails, as does one
whose schema leaves out an outcome or words it differently."""

import warnings

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

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
}
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        if path.startswith("/api/v1/"):
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

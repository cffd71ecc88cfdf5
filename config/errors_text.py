"""The platform API's (v1) wording of every domain error code: its status, `message` and `errors`,
as the spec gives them. Messages and errors are format strings filled from the error's params
(a list param reads "a, b, c"; `{x:size}` reads a byte count as "4 MiB").

Read by the v1 exception handler (config/api/v1/errors.py, where views may override the text per
endpoint) and by the admin (`staff_text`: the back office speaks v1's words). Domain code never
reads it: an import contract keeps services, selectors, tasks and models off this module.
A plain module without DRF, keyed by the codes' string values (config sits below the apps, so it
cannot import their enums); tests/api/test_error_codes.py checks both ways that every code of
every app has a wording here and every wording a code."""

import string
from typing import NamedTuple

from config.errors import DomainError


class Wording(NamedTuple):
    status: int
    message: str
    errors: tuple[str, ...] | None  # None renders as null


def _w(status: int, message: str, *errors: str, null: bool = False) -> Wording:
    return Wording(status, message, None if null else errors)


def _null(status: int, message: str) -> Wording:
    return Wording(status, message, None)


VALIDATION_FAILED = "Validation failed"
NOT_FOUND = "Not found"
INVALID_PDF = "Empty or invalid PDF."

COMMON = {
    "body_too_large": _w(413, "Request body exceeds allowed limit", "Payload Too Large"),
    "not_a_whole_number": _w(400, "{name} must be a whole number.", VALIDATION_FAILED),
    "offset_negative": _w(400, "offset must be 0 or more.", VALIDATION_FAILED),
    "offset_too_large": _w(400, "offset must be at most {maximum}.", VALIDATION_FAILED),
    "limit_negative": _w(400, "limit must be 0 or more.", VALIDATION_FAILED),
    "limit_zero": _w(400, "limit must be between 1 and 1000.", VALIDATION_FAILED),
    "number_out_of_range": _w(400, "{name} must be between {minimum} and {maximum}.", VALIDATION_FAILED),
}

ACCOUNTS = {
    "invalid_api_key": _w(401, "Invalid or expired API key", "Unauthorized"),
    "invalid_refresh_token": _w(401, "Invalid or expired refresh token", "Unauthorized"),
    "not_staff": _null(400, "Only staff can do this."),
    "not_staff_for_api_access": _null(400, "Only staff can change API access."),
    "not_staff_for_api_logging": _null(400, "Only staff can change API logging."),
    "user_without_company": _w(400, "Only a company user can hold an API key.", VALIDATION_FAILED),
    "api_logging_not_on": _null(400, "API logging is not on for this company."),
    "logging_window_invalid": _w(
        400,
        "The logging window must end in the future, within the longest window allowed.",
        VALIDATION_FAILED,
    ),
    "logging_window_unspecified": _w(400, "Give either a duration or an end time.", VALIDATION_FAILED),
    "workspace_not_found": _w(404, "Workspace not found.", NOT_FOUND),
    "workspace_name_invalid": _w(
        400, "A workspace needs a name of at most 200 characters.", VALIDATION_FAILED
    ),
    "invalid_allowed_ips": _w(
        400, "Allowed addresses must be IP addresses or networks (CIDR).", VALIDATION_FAILED
    ),
    "oauth_application_not_found": _w(404, "OAuth application not found.", NOT_FOUND),
    "idempotency_key_invalid": _w(
        400, "The Idempotency-Key header must be 1 to 255 visible ASCII characters.", VALIDATION_FAILED
    ),
    "idempotency_key_reused": _w(
        422,
        "This Idempotency-Key was already used with a different request (method, path or body).",
        "Unprocessable Entity",
    ),
    "idempotency_key_in_use": _w(
        409,
        "A request with this Idempotency-Key is still being processed. Retry after the time given in Retry-After.",
        "Conflict",
    ),
}

RECIPIENTS = {
    "recipient_not_found": _w(404, "Recipient not found.", NOT_FOUND),
    "group_not_found": _w(404, "Group not found.", NOT_FOUND),
    "import_job_not_found": _w(404, "Import job not found.", NOT_FOUND),
    "group_not_in_company": _w(400, "Group not found in this company.", VALIDATION_FAILED),
    "group_name_required": _w(400, "Group name is required.", VALIDATION_FAILED),
    "group_name_taken": _w(409, "A group with the same name already exists in this company.", "Conflict"),
    "group_not_deletable": _w(400, "Group cannot be deleted in its current state.", VALIDATION_FAILED),
    "recipient_in_active_campaign": _null(
        400, "This recipient is associated with an active campaign and cannot be deleted right now."
    ),
    "recipient_ids_required": _w(400, "RecipientIds is required.", VALIDATION_FAILED),
    "mappings_invalid": _w(400, "The column mappings are invalid.", VALIDATION_FAILED),
    "mappings_required": _w(400, "mappings is required.", VALIDATION_FAILED),
    "mapping_not_an_object": _w(400, "mappings[{index}] must be an object.", VALIDATION_FAILED),
    "mapping_source_header_required": _w(
        400, "mappings[{index}].sourceHeader is required.", VALIDATION_FAILED
    ),
    "mapping_type_invalid": _w(
        400, "mappings[{index}].mappingType must be one of: standard, custom, skip.", VALIDATION_FAILED
    ),
    "mapping_target_invalid": _w(
        400,
        "mappings[{index}].destinationField '{destination}' is not a standard field. "
        "Standard fields: {standard_fields}.",
        VALIDATION_FAILED,
    ),
    "mappings_miss_required_fields": _w(
        400, "mappings must map the required fields: {fields}.", VALIDATION_FAILED
    ),
    "import_source_required": _null(400, "You must provide either 'fileData' (Base64) or a 'fileUrl'."),
    "import_group_name_taken": _null(
        400, "A group with this name already exists. Please choose a different name."
    ),
    "import_file_invalid": _w(400, "The import file is not valid.", VALIDATION_FAILED),
    "import_file_not_base64": _w(400, "fileData is not valid Base64.", VALIDATION_FAILED),
    "body_id_mismatch": _null(400, "Body Id does not match route Id."),
    "recipient_fields_invalid": _w(400, "Validation failed", "One or more request fields are invalid."),
    "group_id_invalid": _w(400, "GroupId is not a valid GUID.", VALIDATION_FAILED),
    "recipient_group_id_invalid": _w(400, "recipientGroupId is not a valid GUID.", VALIDATION_FAILED),
    "group_name_parameter_required": _w(400, "name is required", VALIDATION_FAILED),
    "group_name_parameter_has_null": _w(400, "name must not contain null characters", VALIDATION_FAILED),
}

FILES = {
    "invalid_path": _w(400, "Invalid path.", "Invalid path input"),
    "path_required": _w(400, "Path is required.", "Invalid path"),
    "path_outside_home": _w(403, "Unauthorized access.", "Forbidden"),
    "invalid_name": _w(400, "Invalid name.", "Invalid name"),
    "unsupported_file_type": _w(
        400,
        "Unsupported file type.",
        "Allowed extensions: .pdf, .jpg, .jpeg, .png, .gif, .ttf, .otf, .woff, .woff2",
    ),
    "content_mismatch": _w(
        400, "The file content does not match its extension.", "Content does not match extension"
    ),
    "file_required": _w(400, "A file is required.", "Missing file"),
    "folder_missing": _w(400, "Folder does not exist.", "Folder does not exist"),
    "already_exists": _w(400, "An item with this name already exists.", "Duplicate name"),
    "not_deletable": _w(400, "Delete failed", "Invalid path or target not deletable"),
    "folder_not_found": _w(404, "Folder not found.", NOT_FOUND),
    "file_not_found": _w(404, "File not found.", NOT_FOUND),
    "item_not_found": _w(404, "Item not found.", NOT_FOUND),
    "name_taken": _w(409, "A file with this name already exists.", "Conflict"),
    "rename_names_required": _w(400, "Old and new names are required.", "Invalid rename request"),
    "upload_too_large": _w(413, "Uploaded payload exceeds allowed limit", "Payload too large"),
    "query_required": _w(400, "Query required.", "Missing query parameter q"),
    "invalid_query": _w(400, "Invalid query.", "Invalid query parameter q"),
    "folder_input_invalid": _w(400, "Failed to create folder", "Invalid folder input or parent path"),
}

TEMPLATES = {
    "no_layout_defined": _null(422, "No layout defined for {page_size}/{orientation}/{envelope}"),
    "template_not_found": _null(404, "Template with id={template_id} not found."),
    "template_settings_mismatch": _null(
        422, "Requested campaign settings do not match the template's settings."
    ),
    "invalid_template_filter": _null(400, "One or more filter values are invalid."),
    "template_in_use": _null(409, "A campaign uses this template: it stays while that campaign exists."),
    "pdf_encrypted": _w(400, INVALID_PDF, "The PDF is encrypted."),
    "pdf_password_protected": _w(400, INVALID_PDF, "The PDF is encrypted (password protected)."),
    "pdf_corrupt": _w(400, INVALID_PDF, "The PDF is corrupt and cannot be read."),
    "pdf_empty": _w(400, INVALID_PDF, "The PDF is empty (0 bytes)."),
    "pdf_not_a_pdf": _w(400, INVALID_PDF, "The file is not a PDF."),
    "pdf_no_pages": _w(400, INVALID_PDF, "The PDF has no pages."),
    "pdf_too_many_pages": _w(
        400, INVALID_PDF, "{page_size} takes at most {limit} page(s); this PDF has {count}."
    ),
    "pdf_page_size_mismatch": _w(
        400,
        INVALID_PDF,
        "Page {number} is {width:.0f} x {height:.0f} mm; {page_size} ({orientation}) "
        "needs {needs_width:.0f} x {needs_height:.0f} mm (within {tolerance:.0f} mm).",
    ),
    "pdf_stream_inflates_too_much": _w(
        400,
        INVALID_PDF,
        "Stream {number} {generation} R of the PDF inflates to more than {limit:size}, the limit for one stream.",
    ),
    "pdf_inflates_too_much": _w(
        400,
        INVALID_PDF,
        "The PDF's streams inflate to more than {limit:size} in all, the limit for one document.",
    ),
    # Message templates, made by staff in the admin (which words them from this table too).
    "message_template_json_invalid": _w(400, "The JSON message must be a JSON object.", VALIDATION_FAILED),
    "message_template_empty": _w(
        400, "A message template needs a BODY text, a JSON message or both.", VALIDATION_FAILED
    ),
}

BILLING = {
    "invalid_amount": _w(400, "Amount must be a non-zero value in pence.", VALIDATION_FAILED),
    "top_up_not_positive": _w(400, "A top-up must be a positive amount.", VALIDATION_FAILED),
    "payment_not_positive": _w(400, "A payment must be a positive amount.", VALIDATION_FAILED),
    # v1 answers a payment that cannot be taken as processed: 200, success true, data null.
    "payment_failed": _null(200, "Can not schedule campaign. Something went wrong."),
    "insufficient_balance": _null(200, "Insufficient balance."),
    "balance_locked": _null(200, "Can not schedule campaign. Company Balance is locked."),
    "already_paid": _null(409, "This campaign has already been paid for."),
    "reason_required": _null(400, "Give a reason for the change."),
    "refund_too_large": _null(400, "A refund cannot exceed what was paid for this reference."),
    "refund_nothing_paid": _null(400, "Nothing was paid for this reference."),
    # The spec's examples:
    # - "Supported StockWeight values: 100UNCOAT, 120UNCOAT, 250SILK, 300GLOSS, 350SILK, 350UNCOAT"
    # - "Supported Mail Class values: First, Second"
    # - "Supported Admail values: true, false"
    # - "Supported Confidential values: true, false"
    "unsupported_stock_weight": _null(400, "Supported StockWeight values: {accepted}"),
    "unsupported_mail_class": _null(400, "Supported Mail Class values: {accepted}"),
    "unsupported_duplex": _null(400, "Supported Duplex values: {accepted}"),
    "unsupported_admail": _null(400, "Supported Admail values: {accepted}"),
    "unsupported_confidential": _null(400, "Supported Confidential values: {accepted}"),
    "voucher_invalid": _null(200, "Unsuccessful! Voucher code is not valid"),
    "voucher_code_required": _null(400, "Voucher code must be provide to apply the voucher."),
    "invalid_date_range": _null(400, "Invalid date range. The end date must be on or after the start date."),
    "date_range_too_long": _null(
        400, "Invalid date range. At most {max_days} days can be requested at once."
    ),
    "date_range_in_past": _null(400, "Invalid date range. The end date is in the past."),
    "date_range_beyond_horizon": _null(
        400, "Invalid date range. Dates can be booked at most {max_days} days ahead."
    ),
    # e.g. "The selected date 2026-04-15 is not available for scheduling."
    "date_not_available": _null(400, "The selected date {day:%Y-%m-%d} is not available for scheduling."),
    # e.g. "No available dates found from 2026-04-15 onwards."
    "no_available_dates": _null(400, "No available dates found from {day:%Y-%m-%d} onwards."),
    "provisional_booking_not_allowed": _null(400, "Company does not have provisional booking permission."),
    "order_already_pending": _null(
        409, "A provisional booking is already awaiting payment for this campaign."
    ),
    "order_not_pending": _null(400, "Only a pending order can be approved or rejected."),
    "voucher_in_use": _null(
        409, "This voucher has been used (redeemed, ordered or applied to a campaign): deactivate it instead."
    ),
}

CAMPAIGNS = {
    "campaign_not_found": _null(404, "Campaign not found."),
    # v1 answers these business-rule outcomes as processed: 200, success true, data null.
    "campaign_read_only": _null(200, "Campaign is currently in a read-only state."),
    "invalid_status_transition": _null(
        200, "Cannot promote status: the requested status is not valid for this campaign."
    ),
    "campaign_has_no_recipients": _null(
        200, "Cannot approve the campaign. Please add at least one recipient before approving."
    ),
    "campaign_not_approved": _null(200, "Please approve the campaign first."),
    "campaign_not_printable": _null(200, "Print files can only be written for an approved print campaign."),
    "not_a_print_campaign": _null(400, "Only a print campaign has a preview."),
    "print_run_busy": _null(409, "The print files of this campaign are being written; try again later."),
    "preview_not_found": _null(404, "Preview file not found for this campaign."),
    "preview_missing_on_server": _null(404, "Preview file does not exist on server."),
    "create_request_invalid": _null(400, "Invalid request"),
    "campaign_required": _null(400, "campaign is required"),
    "campaign_name_required": _null(400, "campaign.name is required"),
    "invalid_recipients_type": _null(400, "recipients.type must be 'group' or 'single'."),
    "recipients_id_required": _null(400, "recipients.id is required when recipients.type is provided."),
    "template_or_pdf_required": _null(400, "Provide templateId or pdf."),
    "template_and_pdf_given": _null(400, "Provide templateId or pdf, not both."),
    "invalid_flag": _null(400, "{name} is invalid."),
    "pdf_too_large": _null(413, "PDF too large (>100MB)."),
    "pdf_not_an_object": _w(400, INVALID_PDF, "pdf must be an object with fileUrl or fileBase64."),
    "pdf_no_source": _w(400, INVALID_PDF, "The pdf object has neither fileUrl nor fileBase64."),
    "pdf_base64_not_a_string": _w(400, INVALID_PDF, "pdf.fileBase64 must be a Base64 string."),
    "pdf_base64_empty": _w(400, INVALID_PDF, "pdf.fileBase64 is empty."),
    "pdf_not_base64": _w(400, INVALID_PDF, "pdf.fileBase64 is not valid Base64."),
    "pdf_url_not_fetched": _w(400, "{reason}", VALIDATION_FAILED),
    "invalid_sort_field": _null(400, "Invalid sortField. Allowed values: {allowed}."),
    "invalid_sort_order": _null(400, "Invalid sortOrder. Allowed values: {allowed}."),
    "invalid_page_format": _null(400, "Invalid pageSize or orientation value."),
    "invalid_voucher_action": _null(400, "Voucher action is invalid."),
    "voucher_action_required": _null(400, "Voucher action must be declared."),
    # The spec words each parameter:
    # - "Invalid start date format. Expected format: yyyy-MM-dd (defaults to today)"
    # - "Invalid end date format. Expected format: yyyy-MM-dd (defaults to 30 days time)"
    # - "Invalid send_date format. Expected format: yyyy-MM-dd (defaults to tomorrow)"
    "invalid_date_parameter": _null(
        400, "Invalid {name} format. Expected format: yyyy-MM-dd (defaults to {default})"
    ),
}

WEBHOOKS = {
    "webhook_not_found": _w(404, "Webhook endpoint not found.", NOT_FOUND),
    "webhook_delivery_not_found": _w(404, "Webhook delivery not found.", NOT_FOUND),
    "webhook_body_not_object": _w(400, "The request body must be a JSON object.", VALIDATION_FAILED),
    "webhook_url_required": _w(400, "url is required: the http(s) URL to post events to.", VALIDATION_FAILED),
    "webhook_url_invalid": _w(
        400,
        "url must be an http or https URL with a host, without spaces or a user name and password.",
        VALIDATION_FAILED,
    ),
    "webhook_url_too_long": _w(400, "url must be at most {maximum} characters.", VALIDATION_FAILED),
    "webhook_url_not_https": _w(400, "url must use https.", VALIDATION_FAILED),
    "webhook_events_required": _w(
        400, 'events is required: a list of event types, or ["*"] for all of them.', VALIDATION_FAILED
    ),
    "webhook_events_invalid": _w(
        400, "Unknown event types: {unknown}.", "Known event types: {known}, or * for all of them."
    ),
    "webhook_description_invalid": _w(
        400, "description must be text of at most {maximum} characters.", VALIDATION_FAILED
    ),
    "webhook_enabled_invalid": _w(400, "enabled must be true or false.", VALIDATION_FAILED),
    "webhook_workspace_id_invalid": _w(400, "workspaceId must be a workspace's id.", VALIDATION_FAILED),
    "webhook_endpoint_disabled": _w(
        400, "This webhook endpoint is disabled. Enable it first.", VALIDATION_FAILED
    ),
}

SECTIONS = (COMMON, ACCOUNTS, RECIPIENTS, FILES, TEMPLATES, BILLING, CAMPAIGNS, WEBHOOKS)
WORDING: dict[str, Wording] = {code: wording for section in SECTIONS for code, wording in section.items()}


class _Formatter(string.Formatter):
    def format_field(self, value, format_spec):
        if format_spec == "size":
            return readable_size(value)
        return super().format_field(value, format_spec)

    def convert_field(self, value, conversion):
        if conversion is None and isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return super().convert_field(value, conversion)


_FORMATTER = _Formatter()


def fill(text: str, params: dict) -> str:
    """`text` with the error's params filled in."""
    return _FORMATTER.format(text, **params)


def readable_size(count: int) -> str:
    for unit, name in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if count >= unit and count % unit == 0:
            return f"{count // unit} {name}"
    return f"{count:,} bytes"


def worded(exc: DomainError) -> tuple[int, str, list[str] | None] | None:
    """(status, message, errors) of `exc` in v1's words; None for a code without a wording."""
    wording = WORDING.get(exc.code)
    if wording is None:
        return None
    errors = None if wording.errors is None else [fill(line, exc.params) for line in wording.errors]
    return wording.status, fill(wording.message, exc.params), errors


GENERIC_REASONS = frozenset(
    {VALIDATION_FAILED, NOT_FOUND, "Unauthorized", "Forbidden", "Conflict", "Payload Too Large"}
)


# What the admin adds to v1's words where v1 words several reasons alike: (code, the error's
# `reason` param) -> the reason in a sentence.
STAFF_REASONS = {
    ("group_not_deletable", "default"): "It is the company's default group.",
    (
        "group_not_deletable",
        "in_active_campaign",
    ): "A campaign that is approved and not yet dispatched uses it.",
    ("group_not_deletable", "importing"): "Its import is still running.",
}


def staff_text(exc: DomainError) -> str:
    """One line for the back office: v1's message, then any reasons beyond the generic ones
    (e.g. "Empty or invalid PDF. The PDF is encrypted.") and the admin's own reason where v1
    words several alike; the code for one without a wording."""
    parts = worded(exc)
    if parts is None:
        return str(exc)
    _status, message, errors = parts
    why = exc.params.get("reason")
    reason = STAFF_REASONS.get((exc.code, why)) if isinstance(why, str) else None
    lines = [message, *(line for line in errors or () if line not in GENERIC_REASONS)]
    return " ".join([*lines, reason] if reason else lines)

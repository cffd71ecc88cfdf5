"""How /services/ words a domain error. A bad field is a 400 `Invalid request.` with one item
naming the field and saying what is wrong with it (ITEM_TEXT, by code); anything not found is a
404 worded by the method (the spec: `Resource not found.` for reads, `Campaign not found.` for
PUT, PATCH and DELETE). A code without a text here reads as the generic item text and is logged:
tests/api/test_error_codes.py lists codes no surface words."""

import logging

from config import errors as domain
from config.api.services import messages

logger = logging.getLogger("postroom.api")

GENERIC_ITEM = "The value is not valid."

# Item texts, keyed by code value (config sits below the apps: it cannot import their enums).
ITEM_TEXT: dict[str, str] = {
    "not_a_whole_number": "Must be a whole number.",
    "number_out_of_range": "Must be a whole number from {minimum} to {maximum}.",
    "body_too_large": "The request body is too large.",
    "workspace_not_found": "Service not found.",
    "idempotency_key_invalid": "Must be 1 to 255 visible ASCII characters.",
    # Campaign requests (messaging.services.campaigns).
    "message_campaign_not_found": "Campaign not found.",
    "field_required": "This field is required.",
    "clone_source_not_found": "Campaign to clone not found.",
    "create_status_invalid": "A new campaign is either active or draft.",
    "status_change_invalid": "Must be active or stopped.",
    "status_not_settable": "A campaign cannot be set to {status}.",
    "recipient_list_not_found": "Recipient list not found: {value}.",
    "too_many_recipient_lists": "At most {maximum} recipient lists.",
    "segmentation_query_required": "A segmentation query is required when query_type is segmentation.",
    "template_not_json": "Must be a JSON message for this sending_type.",
    "template_vars_invalid": "Must be an object of names to text values.",
    "receipts_invalid": "Receipts are {{message_key, status: delivered|failed, error}} objects, at most {maximum}.",
    "sort_unknown": "Unknown sort key {value}: use created_dt, updated_dt, name, next_dt or last_dt.",
    # Schedules (messaging.schedules).
    "schedule_type_invalid": "Must be now, once or scheduled.",
    "schedule_rrule_required": "Required for schedule_type once or scheduled.",
    "schedule_rrule_too_long": "May hold at most {maximum} characters.",
    "schedule_rrule_bad_character": "Holds characters that are not allowed.",
    "schedule_time_invalid": "Must be a UTC time as Y-m-d H:i:s (or ISO 8601).",
    "schedule_rrule_invalid": "Must be an iCalendar RRULE.",
    "schedule_rrule_unsupported": "The RRULE part {part} is not supported.",
    "schedule_rrule_dtstart_too_early": "DTSTART must be {minimum} or later.",
    "schedule_rrule_count_too_large": "COUNT may be at most {maximum}.",
    "schedule_rrule_too_frequent": "Must not fire more often than every {minimum_minutes} minutes.",
    "schedule_rrule_no_future_firing": "The rule has no firing in the future (within {horizon_years} years).",
    # Segmentation queries (messaging.segmentation).
    "segmentation_invalid_json": "Must be a SegmentationQuery serialized as JSON.",
    "segmentation_too_deep": "Is nested too deeply.",
    "segmentation_too_large": "{at} may hold at most {maximum} {limit}.",
    "segmentation_malformed": "{at} must be a JSON {expected}.",
    "segmentation_member_missing": "{at} is required.",
    "segmentation_empty": "{at} must not be empty.",
    "segmentation_operator_unknown": "{at} must be one of: {allowed}.",
    "segmentation_operators_mixed": "All rules of a group must use the operator of its first rule ({at}).",
    "segmentation_field_unknown": "{at} is not a known contact field.",
    "segmentation_condition_unknown": "{at} is not a known condition.",
    "segmentation_value_invalid": "{at} must be a {expected}.",
    "segmentation_value_too_long": "{at} may hold at most {maximum} characters.",
    "segmentation_value_unsafe": "{at} holds characters that are not allowed.",
    "segmentation_days_invalid": "{at} must be a whole number of days from {minimum} to {maximum}.",
}

# Refusals of the request as a whole rather than of one of its fields: code -> (status, message).
REQUEST_TEXT: dict[str, tuple[int, str]] = {
    "idempotency_key_reused": (422, "This Idempotency-Key was already used with a different request."),
    "idempotency_key_in_use": (
        409,
        "A request with this Idempotency-Key is still being processed. Retry after the time given in Retry-After.",
    ),
}
# Item names of fields that are headers, in their HTTP spelling.
HEADER_NAMES = {"idempotency_key": "Idempotency-Key"}

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


def not_found_message(method: str) -> str:
    return messages.CAMPAIGN_NOT_FOUND if method in WRITE_METHODS else messages.RESOURCE_NOT_FOUND


def item_text(exc: domain.DomainError) -> str:
    text = ITEM_TEXT.get(exc.code)
    if text is None:
        logger.warning("No services wording for the domain error code %r", exc.code)
        return GENERIC_ITEM
    try:
        return text.format(**exc.params)
    except (KeyError, IndexError, ValueError):
        return text


def services_wording(exc: domain.DomainError, method: str) -> tuple[int, str, list[dict]]:
    """(status, message, items) of `exc` on /services/ for a request of `method`."""
    if isinstance(exc, domain.NotFound):
        return 404, not_found_message(method), []
    if isinstance(exc, domain.PayloadTooLarge):
        return 413, messages.PAYLOAD_TOO_LARGE, []
    if isinstance(exc, domain.NotAuthenticated):
        return 401, messages.UNAUTHORIZED, []
    if exc.code in REQUEST_TEXT:
        return *REQUEST_TEXT[exc.code], []
    name = HEADER_NAMES.get(exc.field or "", exc.field or "body")
    return 400, messages.INVALID_REQUEST, [{"name": name, "message": item_text(exc)}]

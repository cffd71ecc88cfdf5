"""What messaging services refuse: each error carries a code of MessagingErrorCode and the input
`field` at fault (the services API turns each into an item of its Error, named by the field); the
API surfaces word it. Codes are grouped by the module that raises them."""

from enum import StrEnum

from config.errors import (  # noqa: F401
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    UpstreamError,
)


class MessagingErrorCode(StrEnum):
    # Campaign requests (messaging.services.campaigns).
    MESSAGE_CAMPAIGN_NOT_FOUND = "message_campaign_not_found"
    FIELD_REQUIRED = "field_required"
    CLONE_SOURCE_NOT_FOUND = "clone_source_not_found"
    CREATE_STATUS_INVALID = "create_status_invalid"  # on create: active or draft
    STATUS_CHANGE_INVALID = "status_change_invalid"  # PATCH: active or stopped
    STATUS_NOT_SETTABLE = "status_not_settable"  # PUT: params: status
    RECIPIENT_LIST_NOT_FOUND = "recipient_list_not_found"  # params: value
    TOO_MANY_RECIPIENT_LISTS = "too_many_recipient_lists"  # params: maximum
    SEGMENTATION_QUERY_REQUIRED = "segmentation_query_required"
    TEMPLATE_NOT_JSON = "template_not_json"
    TEMPLATE_VARS_INVALID = "template_vars_invalid"
    # Delivery receipts (messaging.services.receipts).
    RECEIPTS_INVALID = "receipts_invalid"  # params: maximum
    # Lists (messaging.selectors).
    SORT_UNKNOWN = "sort_unknown"  # params: value
    # Segmentation queries (messaging.segmentation); field "query", params: `at`, the place in
    # the query (segmentation[0].rules[1].value), and as named.
    SEGMENTATION_INVALID_JSON = "segmentation_invalid_json"
    SEGMENTATION_TOO_DEEP = "segmentation_too_deep"
    # params: limit (groups, rules, values, characters), maximum.
    SEGMENTATION_TOO_LARGE = "segmentation_too_large"
    # params: expected (object, array, string).
    SEGMENTATION_MALFORMED = "segmentation_malformed"
    SEGMENTATION_MEMBER_MISSING = "segmentation_member_missing"
    SEGMENTATION_EMPTY = "segmentation_empty"
    # params: allowed (the operators, comma separated).
    SEGMENTATION_OPERATOR_UNKNOWN = "segmentation_operator_unknown"
    SEGMENTATION_OPERATORS_MIXED = "segmentation_operators_mixed"
    SEGMENTATION_FIELD_UNKNOWN = "segmentation_field_unknown"
    SEGMENTATION_CONDITION_UNKNOWN = "segmentation_condition_unknown"
    # params: expected (string, array of strings).
    SEGMENTATION_VALUE_INVALID = "segmentation_value_invalid"
    # params: maximum (characters).
    SEGMENTATION_VALUE_TOO_LONG = "segmentation_value_too_long"
    # A NUL or an unpaired surrogate in a value.
    SEGMENTATION_VALUE_UNSAFE = "segmentation_value_unsafe"
    # params: minimum, maximum.
    SEGMENTATION_DAYS_INVALID = "segmentation_days_invalid"
    # Campaign schedules (messaging.schedules); field "schedule_type" or "schedule_rrule".
    SCHEDULE_TYPE_INVALID = "schedule_type_invalid"  # params: allowed
    SCHEDULE_RRULE_REQUIRED = "schedule_rrule_required"
    SCHEDULE_RRULE_TOO_LONG = "schedule_rrule_too_long"  # params: maximum (characters)
    SCHEDULE_RRULE_BAD_CHARACTER = "schedule_rrule_bad_character"
    SCHEDULE_TIME_INVALID = "schedule_time_invalid"  # once: not a date and time
    SCHEDULE_RRULE_INVALID = "schedule_rrule_invalid"  # scheduled: not an RRULE we can read
    SCHEDULE_RRULE_UNSUPPORTED = "schedule_rrule_unsupported"  # params: part
    SCHEDULE_RRULE_DTSTART_TOO_EARLY = "schedule_rrule_dtstart_too_early"  # params: minimum
    SCHEDULE_RRULE_COUNT_TOO_LARGE = "schedule_rrule_count_too_large"  # params: maximum
    SCHEDULE_RRULE_TOO_FREQUENT = "schedule_rrule_too_frequent"  # params: minimum_minutes
    SCHEDULE_RRULE_NO_FUTURE_FIRING = "schedule_rrule_no_future_firing"  # params: horizon_years


class ClientCampaignErrorCode(StrEnum):
    """Client campaigns (campaign API v2: messaging.services.clients), in the order checked; only
    that API serves them."""

    CLIENT_CAMPAIGN_NOT_FOUND = "client_campaign_not_found"
    FIELD_INVALID = "field_invalid"  # a value of the wrong type or form; params: maximum, when too long
    NAME_REQUIRED = "name_required"
    TOO_FEW_CLIENTS = "too_few_clients"  # params: minimum
    TOO_MANY_CLIENTS = "too_many_clients"  # params: maximum
    MESSAGE_TEMPLATE_NOT_FOUND = "message_template_not_found"
    CONTENT_REQUIRED = "content_required"  # neither a JSON message nor a template
    JSON_NOT_AN_OBJECT = "json_not_an_object"
    JSON_PARAMS_MISSING = "json_params_missing"  # the first client, for the JSON's variables
    TEMPLATE_PARAMS_MISSING = "template_params_missing"  # a client, for the template's variables
    ACCOUNT_ID_INVALID = "account_id_invalid"  # params: position
    NOT_SCHEDULED = "not_scheduled"  # update: only before the campaign sends
    # Resending a message (messaging.services.clients).
    MESSAGE_NOT_FOUND = "message_not_found"
    ONLY_FAILED_RESENDABLE = "only_failed_resendable"
    UPSTREAM_FAILED = "upstream_failed"  # the gateway refused or did not answer; params: reason


class ExportErrorCode(StrEnum):
    """The messages export (messaging.services.exports, messaging.selectors); only the messages
    export API (/v1/) serves them."""

    EXPORT_CAMPAIGN_NOT_FOUND = "export_campaign_not_found"
    # The campaign has no generated messages and no firing under way.
    EXPORT_NOTHING_TO_PUBLISH = "export_nothing_to_publish"
    # The month's published rows and the campaign's would pass the company's monthly row limit;
    # params: limit, used, requested.
    EXPORT_USAGE_LIMIT_EXCEEDED = "export_usage_limit_exceeded"
    EXPORT_FILE_NOT_FOUND = "export_file_not_found"
    EXPORT_PAGE_UNREADABLE = "export_page_unreadable"  # a stored page cannot be read or parsed
    EXPORT_DOWNLOAD_REFUSED = "export_download_refused"  # a download token expired or altered


class MessageCampaignNotFound(NotFound):
    code = MessagingErrorCode.MESSAGE_CAMPAIGN_NOT_FOUND


class ClientCampaignNotFound(NotFound):
    code = ClientCampaignErrorCode.CLIENT_CAMPAIGN_NOT_FOUND


class MessageNotFound(NotFound):
    code = ClientCampaignErrorCode.MESSAGE_NOT_FOUND


class UpstreamFailed(UpstreamError):
    """A channel's provider refused a message sent while the client waits, or did not answer."""

    code = ClientCampaignErrorCode.UPSTREAM_FAILED


class ExportCampaignNotFound(NotFound):
    """Not a message campaign of the company (missing, malformed, print, another company's)."""

    code = ExportErrorCode.EXPORT_CAMPAIGN_NOT_FOUND


class NothingToPublish(RuleViolation):
    code = ExportErrorCode.EXPORT_NOTHING_TO_PUBLISH


class UsageLimitExceeded(RuleViolation):
    code = ExportErrorCode.EXPORT_USAGE_LIMIT_EXCEEDED


class ExportFileNotFound(NotFound):
    code = ExportErrorCode.EXPORT_FILE_NOT_FOUND


class ExportPageUnreadable(DomainError):
    """A stored page that cannot be read or parsed: the platform's fault, not the request's."""

    code = ExportErrorCode.EXPORT_PAGE_UNREADABLE


class DownloadRefused(Forbidden):
    code = ExportErrorCode.EXPORT_DOWNLOAD_REFUSED

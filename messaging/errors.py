"""What messaging services refuse: each error carries a code of MessagingErrorCode and the input
`field` at fault (the services API turns each into an item of its Error, named by the field); the
API surfaces word it. Codes are grouped by the module that raises them."""

from enum import StrEnum

from config.errors import Conflict, InvalidInput, NotFound, RuleViolation  # noqa: F401


class MessagingErrorCode(StrEnum):
    # Campaign requests (messaging.services).
    MESSAGE_CAMPAIGN_NOT_FOUND = "message_campaign_not_found"
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

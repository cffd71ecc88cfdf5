"""What messaging services refuse: each error carries a code of MessagingErrorCode and the input
`field` at fault (the services API turns each into an item of its Error, named by the field); the
API surfaces word it. Codes are grouped by the module that raises them."""

from enum import StrEnum

from config.errors import Conflict, InvalidInput, NotFound, RuleViolation  # noqa: F401


class MessagingErrorCode(StrEnum):
    # Campaign requests (messaging.services).
    MESSAGE_CAMPAIGN_NOT_FOUND = "message_campaign_not_found"
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

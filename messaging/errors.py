"""What messaging services refuse: each error carries a code of MessagingErrorCode and the input
`field` at fault (the services API turns each into an item of its Error, named by the field); the
API surfaces word it. Codes are grouped by the module that raises them."""

from enum import StrEnum

from config.errors import Conflict, InvalidInput, NotFound, RuleViolation  # noqa: F401


class MessagingErrorCode(StrEnum):
    # Campaign requests (messaging.services).
    MESSAGE_CAMPAIGN_NOT_FOUND = "message_campaign_not_found"

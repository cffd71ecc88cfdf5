"""What the webhook services refuse: each error carries a code of WebhookErrorCode (params where a
surface needs data to word it); the API surfaces word it (config/errors_text.py for v1 and the
admin)."""

from enum import StrEnum

from config.errors import InvalidInput, NotFound, RuleViolation


class WebhookErrorCode(StrEnum):
    WEBHOOK_NOT_FOUND = "webhook_not_found"
    WEBHOOK_DELIVERY_NOT_FOUND = "webhook_delivery_not_found"
    WEBHOOK_BODY_NOT_OBJECT = "webhook_body_not_object"
    WEBHOOK_URL_REQUIRED = "webhook_url_required"
    WEBHOOK_URL_INVALID = "webhook_url_invalid"
    WEBHOOK_URL_TOO_LONG = "webhook_url_too_long"  # params: maximum
    WEBHOOK_URL_NOT_HTTPS = "webhook_url_not_https"
    WEBHOOK_EVENTS_REQUIRED = "webhook_events_required"
    WEBHOOK_EVENTS_INVALID = "webhook_events_invalid"  # params: unknown (a list), known (a list)
    WEBHOOK_DESCRIPTION_INVALID = "webhook_description_invalid"  # params: maximum
    WEBHOOK_ENABLED_INVALID = "webhook_enabled_invalid"
    WEBHOOK_WORKSPACE_ID_INVALID = "webhook_workspace_id_invalid"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint_disabled"


class WebhookNotFound(NotFound):
    code = WebhookErrorCode.WEBHOOK_NOT_FOUND


class WebhookDeliveryNotFound(NotFound):
    code = WebhookErrorCode.WEBHOOK_DELIVERY_NOT_FOUND


class WebhookInvalid(InvalidInput):
    """An endpoint's URL, events, description or flag is not acceptable (the code says which)."""


class WebhookEndpointDisabled(RuleViolation):
    """A test event or a replay asked of an endpoint that is switched off."""

    code = WebhookErrorCode.WEBHOOK_ENDPOINT_DISABLED

"""How /v2/campaign/ words a domain error: {"error": "<text>"} with the spec's exact texts, by
code (config sits below the apps: codes are matched by value). A bad field the table does not
name reads `invalid request: <field>`, the field in the spec's spelling."""

import logging

from config import errors as domain
from config.api.v2 import messages
from config.api.v2.messages import invalid

logger = logging.getLogger("postroom.api")

# code -> (status, text)
TEXT: dict[str, tuple[int, str]] = {
    "client_campaign_not_found": (404, messages.CAMPAIGN_NOT_FOUND),
    "message_not_found": (404, messages.MESSAGE_NOT_FOUND),
    "name_required": (400, "invalid request: name required"),
    "too_few_clients": (400, "invalid request: at least 2 clients required"),
    "too_many_clients": (400, "invalid request: at most 100000 clients"),
    "message_template_not_found": (400, "invalid request: template not found"),
    "content_required": (400, "invalid request: JSON or TempMsgID required"),
    "json_params_missing": (400, "invalid request: not enough params for variables in JSON"),
    "template_params_missing": (
        400,
        "invalid request: each client must have params for all template variables",
    ),
    "json_not_an_object": (400, "invalid request: JSON"),
    "account_id_invalid": (400, "invalid request: accountID"),
    "not_scheduled": (400, messages.NOT_SCHEDULED),
    "only_failed_resendable": (400, "invalid request: only failed messages can be resent"),
    "upstream_failed": (502, messages.UPSTREAM_FAILED),
    "body_too_large": (413, messages.PAYLOAD_TOO_LARGE),
    "idempotency_key_invalid": (
        400,
        "invalid request: Idempotency-Key must be 1 to 255 visible ASCII characters",
    ),
    "idempotency_key_reused": (422, "Idempotency-Key already used with a different request"),
    "idempotency_key_in_use": (409, "a request with this Idempotency-Key is still in progress: retry later"),
}

# The domain's field names in the spec's spelling.
FIELD_NAMES = {
    "name": "name",
    "clients": "clients",
    "account_id": "accountID",
    "params": "params",
    "json": "JSON",
    "message": "message",
    "template_id": "TempMsgID",
    "send_at": "SendAt",
    "id": "id",
    "message_key": "messageKey",
}

KIND_STATUS = (
    (domain.NotAuthenticated, 401),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.PayloadTooLarge, 413),
    (domain.UpstreamError, 502),
    (domain.DomainError, 400),
)


def v2_wording(exc: domain.DomainError) -> tuple[int, str]:
    """(status, text) of `exc` on /v2/campaign/."""
    if exc.code in TEXT:
        return TEXT[exc.code]
    status = next(code for kind, code in KIND_STATUS if isinstance(exc, kind))
    if status == 400:
        return 400, invalid(FIELD_NAMES.get(exc.field or "", exc.field or "body"))
    logger.warning("No v2 wording for the domain error code %r", exc.code)
    return status, {
        401: messages.UNAUTHORIZED,
        403: messages.FORBIDDEN,
        404: messages.NOT_FOUND,
        413: messages.PAYLOAD_TOO_LARGE,
        502: messages.UPSTREAM_FAILED,
    }.get(status, invalid(exc.field or "body"))

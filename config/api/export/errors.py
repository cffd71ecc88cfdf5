"""How /v1/ (the messages export API) words a domain error: {"message": "<text>"} with the spec's
status and text, by code (config sits below the apps: codes are matched by value). A code this
table does not name answers its kind's status with a generic text, and is logged:
tests/api/test_error_codes.py fails for an export code left out."""

import logging

from config import errors as domain
from config.api.export import messages

logger = logging.getLogger("postroom.api")

# code -> (status, text)
TEXT: dict[str, tuple[int, str]] = {
    "export_campaign_not_found": (404, messages.CAMPAIGN_NOT_FOUND),
    # The campaign exists but has no generated messages (or no audience): the spec's 401.
    "export_nothing_to_publish": (401, messages.NOTHING_TO_PUBLISH),
    "export_usage_limit_exceeded": (429, messages.USAGE_LIMIT_EXCEEDED),
    "export_file_not_found": (404, messages.FILE_NOT_FOUND),
    "export_page_unreadable": (500, messages.FAILED_TO_PARSE),
    "export_download_refused": (403, messages.DOWNLOAD_REFUSED),
    "body_too_large": (413, messages.PAYLOAD_TOO_LARGE),
    "idempotency_key_invalid": (400, "The Idempotency-Key header must be 1 to 255 visible ASCII characters."),
    "idempotency_key_reused": (422, "This Idempotency-Key was already used with a different request."),
    "idempotency_key_in_use": (
        409,
        "A request with this Idempotency-Key is still being processed. Retry after the time given in Retry-After.",
    ),
}

KIND_STATUS = (
    (domain.NotAuthenticated, 403),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.PayloadTooLarge, 413),
    (domain.UpstreamError, 502),
    (domain.DomainError, 400),
)
KIND_TEXT = {
    400: messages.BAD_REQUEST,
    403: messages.UNAUTHORIZED,
    404: messages.NOT_FOUND,
    409: messages.CONFLICT,
    413: messages.PAYLOAD_TOO_LARGE,
    502: messages.UPSTREAM_FAILED,
}


def export_wording(exc: domain.DomainError) -> tuple[int, str]:
    """(status, text) of `exc` on /v1/."""
    if exc.code in TEXT:
        return TEXT[exc.code]
    logger.warning("No export wording for the domain error code %r", exc.code)
    status = next(code for kind, code in KIND_STATUS if isinstance(exc, kind))
    return status, KIND_TEXT[status]

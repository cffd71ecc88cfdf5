"""How /api/v1/ words a domain error: the view's own wording for its code (the spec words some
outcomes per endpoint), else the view's wording for the error's kind (e.g. every 400 of an
endpoint alike), else the v1 table (config/errors_text.py). A code with no wording anywhere is a
bug (tests/api/test_error_codes.py lists them); at runtime it answers the kind's status with a
generic message, and logs a warning."""

import logging

from config import errors as domain
from config import errors_text

logger = logging.getLogger("postroom.api")

# The status of a kind, for a code the table does not know.
KIND_STATUS = (
    (domain.InvalidInput, 400),
    (domain.RuleViolation, 400),
    (domain.NotAuthenticated, 401),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.PayloadTooLarge, 413),
    (domain.Unprocessable, 422),
    (domain.DomainError, 400),
)
GENERIC_MESSAGE = "The request could not be completed."


def v1_wording(exc: domain.DomainError, view=None) -> tuple[int, str, list[str] | None]:
    """(status, message, errors) of `exc` on /api/v1/, as `view` words it."""
    worded = errors_text.worded(exc)
    if worded is None:
        logger.warning("No v1 wording for the domain error code %r", exc.code)
        status = next(code for kind, code in KIND_STATUS if isinstance(exc, kind))
        worded = (status, GENERIC_MESSAGE, None)
    status, message, errors = worded
    override = _view_override(view, exc)
    if isinstance(override, tuple):
        message, errors = override
    elif override:
        message = override
    return status, message, errors


def _view_override(view, exc) -> str | tuple[str, list[str]] | None:
    """The view's wording for this error's code, else for its class or kind: a message, or
    (message, errors)."""
    overrides = getattr(view, "error_messages", None) or {}
    for key in (exc.code, *type(exc).__mro__):
        if overrides.get(key):
            return overrides[key]
    return None

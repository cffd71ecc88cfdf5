"""What accounts services refuse: each error carries a code of AccountErrorCode; the API surfaces
word it (config/errors_text.py for v1 and the admin)."""

from enum import StrEnum

from config.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RuleViolation,
    Unprocessable,
)


class AccountErrorCode(StrEnum):
    INVALID_API_KEY = "invalid_api_key"
    INVALID_REFRESH_TOKEN = "invalid_refresh_token"
    NOT_STAFF = "not_staff"
    NOT_STAFF_FOR_API_ACCESS = "not_staff_for_api_access"
    NOT_STAFF_FOR_API_LOGGING = "not_staff_for_api_logging"
    USER_WITHOUT_COMPANY = "user_without_company"
    API_LOGGING_NOT_ON = "api_logging_not_on"
    LOGGING_WINDOW_INVALID = "logging_window_invalid"
    LOGGING_WINDOW_UNSPECIFIED = "logging_window_unspecified"
    WORKSPACE_NOT_FOUND = "workspace_not_found"
    WORKSPACE_NAME_INVALID = "workspace_name_invalid"
    INVALID_ALLOWED_IPS = "invalid_allowed_ips"
    OAUTH_APPLICATION_NOT_FOUND = "oauth_application_not_found"
    # Idempotency-Key (accounts.idempotency): not 1-255 visible ASCII characters; sent before
    # with another request (another method, path or body); its first request still running
    # (params: retry_after, in seconds).
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use"


class InvalidApiKey(NotAuthenticated):
    code = AccountErrorCode.INVALID_API_KEY


class InvalidRefreshToken(NotAuthenticated):
    code = AccountErrorCode.INVALID_REFRESH_TOKEN


class NotStaff(Forbidden):
    """A back-office change asked for by someone who is not staff (every app's services raise it)."""

    code = AccountErrorCode.NOT_STAFF


class UserWithoutCompany(InvalidInput):
    code = AccountErrorCode.USER_WITHOUT_COMPANY


class ApiLoggingNotOn(RuleViolation):
    code = AccountErrorCode.API_LOGGING_NOT_ON


class InvalidLoggingWindow(InvalidInput):
    code = AccountErrorCode.LOGGING_WINDOW_INVALID


class WorkspaceNotFound(NotFound):
    code = AccountErrorCode.WORKSPACE_NOT_FOUND


class WorkspaceNameInvalid(InvalidInput):
    code = AccountErrorCode.WORKSPACE_NAME_INVALID


class InvalidAllowedIps(InvalidInput):
    code = AccountErrorCode.INVALID_ALLOWED_IPS


class OAuthApplicationNotFound(NotFound):
    code = AccountErrorCode.OAUTH_APPLICATION_NOT_FOUND


class IdempotencyKeyInvalid(InvalidInput):
    code = AccountErrorCode.IDEMPOTENCY_KEY_INVALID


class IdempotencyKeyReused(Unprocessable):
    code = AccountErrorCode.IDEMPOTENCY_KEY_REUSED


class IdempotencyKeyInUse(Conflict):
    code = AccountErrorCode.IDEMPOTENCY_KEY_IN_USE

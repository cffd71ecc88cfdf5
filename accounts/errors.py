from config.errors import DomainError, InvalidInput, NotAuthenticated, NotFound, RuleViolation


class InvalidApiKey(NotAuthenticated):
    default_message = "Invalid or expired API key"


class InvalidRefreshToken(NotAuthenticated):
    default_message = "Invalid or expired refresh token"


class NotStaff(DomainError):
    """A back-office change asked for by someone who is not staff (every app's services raise it)."""

    default_message = "Only staff can do this."


class UserWithoutCompany(InvalidInput):
    default_message = "Only a company user can hold an API key."


class ApiLoggingNotOn(RuleViolation):
    default_message = "API logging is not on for this company."


class InvalidLoggingWindow(InvalidInput):
    default_message = "The logging window must end in the future, within the longest window allowed."


class WorkspaceNotFound(NotFound):
    default_message = "Workspace not found."


class WorkspaceNameInvalid(InvalidInput):
    default_message = "A workspace needs a name of at most 200 characters."

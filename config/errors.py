"""Domain errors: what services raise. Each API surface maps these classes to its own status
codes and envelope (config/api/<surface>/exceptions.py), so no service knows about HTTP."""


class DomainError(Exception):
    default_message = "The request could not be completed."
    # The envelope's `errors` when the raiser gives none (None renders as null).
    default_errors: list[str] | None = None

    def __init__(self, message: str | None = None, *, errors: list[str] | None = None):
        self.message = message or self.default_message
        self.errors = errors if errors is not None else self.default_errors
        super().__init__(self.message)


class InvalidInput(DomainError):
    default_message = "Validation failed"
    default_errors = ["Validation failed"]


class RuleViolation(DomainError):
    """A business rule refused the request (400 with no field errors)."""


class Declined(DomainError):
    """A business rule declined the request, and the surface reports it as processed: the spec's
    "200 OK with a business-rule message" outcomes (success true, data null)."""


class NotAuthenticated(DomainError):
    default_message = "Missing or invalid authentication token"
    default_errors = ["Unauthorized"]


class Forbidden(DomainError):
    default_message = "Authenticated token is valid, but permission is denied"
    default_errors = ["Forbidden"]


class NotFound(DomainError):
    default_message = "Item not found."
    default_errors = ["Not found"]


class Conflict(DomainError):
    default_message = "The request conflicts with the current state."
    default_errors = ["Conflict"]


class PayloadTooLarge(DomainError):
    default_message = "Request body exceeds allowed limit"
    default_errors = ["Payload Too Large"]


class Unprocessable(DomainError):
    default_message = "The request could not be processed."

"""Domain errors: what services raise. Each API surface maps these classes to its own status
codes and envelope (config/api/<surface>/exceptions.py), so no service knows about HTTP."""


class DomainError(Exception):
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, errors: list[str] | None = None):
        self.message = message or self.default_message
        self.errors = errors
        super().__init__(self.message)


class InvalidInput(DomainError):
    default_message = "Validation failed"


class NotAuthenticated(DomainError):
    default_message = "Missing or invalid authentication token"


class Forbidden(DomainError):
    default_message = "Authenticated token is valid, but permission is denied"


class NotFound(DomainError):
    default_message = "Item not found."


class Conflict(DomainError):
    default_message = "The request conflicts with the current state."


class PayloadTooLarge(DomainError):
    default_message = "Request body exceeds allowed limit"


class Unprocessable(DomainError):
    default_message = "The request could not be processed."

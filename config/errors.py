"""Domain errors: what services raise. An error carries a stable machine `code` (a member of its
app's `<App>ErrorCode` StrEnum; codes are lower_snake_case and unique across apps), the input
`field` at fault where there is one (in the domain's own naming, snake_case, e.g.
"pdf.file_base64"), and `params`: data a surface may word its message with (a page number, a
limit). It never carries a sentence meant for clients: each API surface maps codes to its own
status and text in one table beside its exception handler (v1: config/errors_text.py, read by
config/api/v1/errors.py), so no service knows about HTTP or wording.

The kind classes below say what kind of failure it is; a surface falls back to the kind's status
for a code it has no wording for."""

from enum import StrEnum


class CommonErrorCode(StrEnum):
    """Codes of the plumbing shared by every app (config)."""

    BODY_TOO_LARGE = "body_too_large"
    # Paging parameters of every list (params: name, maximum).
    NOT_A_WHOLE_NUMBER = "not_a_whole_number"
    OFFSET_NEGATIVE = "offset_negative"
    OFFSET_TOO_LARGE = "offset_too_large"
    LIMIT_NEGATIVE = "limit_negative"
    LIMIT_ZERO = "limit_zero"
    # A page number or size outside its range (params: minimum, maximum).
    NUMBER_OUT_OF_RANGE = "number_out_of_range"


class DomainError(Exception):
    # A specific subclass fixes its code here; a kind class takes one per raise.
    code: str | None = None

    def __init__(self, code: str | None = None, *, field: str | None = None, **params):
        code = code or type(self).code
        if not code:
            raise TypeError(f"{type(self).__name__} needs a code")
        self.code = str(code)
        self.field = field
        self.params = params
        super().__init__(self.code)

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.code} ({details})" if details else self.code


class InvalidInput(DomainError):
    """The request's input is malformed or missing."""


class RuleViolation(DomainError):
    """A business rule refused the request."""


class NotAuthenticated(DomainError):
    pass


class Forbidden(DomainError):
    pass


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """The request conflicts with the current state."""


class PayloadTooLarge(DomainError):
    code = CommonErrorCode.BODY_TOO_LARGE


class Unprocessable(DomainError):
    pass


class UpstreamError(DomainError):
    """An outside service the request needed (a channel's gateway) refused or did not answer."""

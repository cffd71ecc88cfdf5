from config.errors import InvalidInput

# The spec's message for a PDF that cannot be used (400).
INVALID_PDF_MESSAGE = "Empty or invalid PDF."


class InvalidPdf(InvalidInput):
    """A campaign/template PDF that cannot be used. `reason` says why, for logs, the admin and
    tests; the message is the spec's own, and an API surface may map subclasses differently."""

    default_message = INVALID_PDF_MESSAGE
    default_errors = None

    def __init__(self, reason: str, *, message: str | None = None):
        super().__init__(message)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class PdfDoesNotFitFormat(InvalidPdf):
    """The PDF is readable but its page size or page count does not suit the campaign's format."""

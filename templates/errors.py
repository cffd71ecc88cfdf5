from config.errors import InvalidInput, NotFound, Unprocessable


class NoLayoutDefined(Unprocessable):
    """The orientation / page size / envelope combination is not one of the supported formats.
    The message is the spec's own: "No layout defined for A4 Letter/Portrait/N/A"."""

    default_message = "No layout defined."

    def __init__(self, *, page_size: str, orientation: str, envelope: str):
        super().__init__(f"No layout defined for {page_size}/{orientation}/{envelope}")
        self.page_size = page_size
        self.orientation = orientation
        self.envelope = envelope


class TemplateNotFound(NotFound):
    default_errors = None

    def __init__(self, template_id=None):
        super().__init__(f"Template with id={template_id} not found.")
        self.template_id = template_id


class TemplateSettingsMismatch(Unprocessable):
    default_message = "Requested campaign settings do not match the template's settings."


class InvalidTemplateFilter(InvalidInput):
    """A list filter value that is not one of the supported values (the API lists them)."""

    default_message = "One or more filter values are invalid."
    default_errors = None

    def __init__(self, *, field: str, value: str, valid: list[str]):
        super().__init__()
        self.field, self.value, self.valid = field, value, valid


# The spec's message for a PDF that cannot be used (400).
INVALID_PDF_MESSAGE = "Empty or invalid PDF."


class InvalidPdf(InvalidInput):
    """A campaign/template PDF that cannot be used. `reason` says why, for logs, the admin and
    tests, and the API's `errors`; the message is the spec's own, and an API surface may map
    subclasses differently."""

    default_message = INVALID_PDF_MESSAGE
    default_errors = None

    def __init__(self, reason: str, *, message: str | None = None):
        super().__init__(message, errors=[reason] if reason else None)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class PdfDoesNotFitFormat(InvalidPdf):
    """The PDF is readable but its page size or page count does not suit the campaign's format."""


class PdfInflatesTooMuch(InvalidPdf):
    """The PDF's streams decode to more than the platform takes (a "decompression bomb"), per
    stream or in all (settings CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES and
    CAMPAIGN_PDF_MAX_INFLATED_BYTES)."""

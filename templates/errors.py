"""What templates refuse, and why a design PDF cannot be used: each error carries a code of
TemplateErrorCode (with params where a surface needs data to word it); the API surfaces word it
(config/errors_text.py for v1 and the admin)."""

from enum import StrEnum

from config.errors import Conflict, InvalidInput, NotFound, Unprocessable


class TemplateErrorCode(StrEnum):
    NO_LAYOUT_DEFINED = "no_layout_defined"  # params: page_size, orientation, envelope
    TEMPLATE_NOT_FOUND = "template_not_found"  # params: template_id
    TEMPLATE_SETTINGS_MISMATCH = "template_settings_mismatch"
    INVALID_TEMPLATE_FILTER = "invalid_template_filter"
    TEMPLATE_IN_USE = "template_in_use"
    # Why a PDF cannot be used (InvalidPdf and its subclasses).
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_PASSWORD_PROTECTED = "pdf_password_protected"
    PDF_CORRUPT = "pdf_corrupt"
    PDF_EMPTY = "pdf_empty"
    PDF_NOT_A_PDF = "pdf_not_a_pdf"
    PDF_NO_PAGES = "pdf_no_pages"
    PDF_TOO_MANY_PAGES = "pdf_too_many_pages"  # params: page_size, limit, count
    # params: number, width, height (mm), page_size, orientation, needs_width, needs_height, tolerance
    PDF_PAGE_SIZE_MISMATCH = "pdf_page_size_mismatch"
    PDF_STREAM_INFLATES_TOO_MUCH = "pdf_stream_inflates_too_much"  # params: number, generation, limit
    PDF_INFLATES_TOO_MUCH = "pdf_inflates_too_much"  # params: limit (bytes)
    # Message templates (field "json" or "body").
    MESSAGE_TEMPLATE_JSON_INVALID = "message_template_json_invalid"
    MESSAGE_TEMPLATE_EMPTY = "message_template_empty"


class NoLayoutDefined(Unprocessable):
    """The orientation / page size / envelope combination is not one of the supported formats
    (the spec's message: "No layout defined for A4 Letter/Portrait/N/A")."""

    code = TemplateErrorCode.NO_LAYOUT_DEFINED

    def __init__(self, *, page_size: str, orientation: str, envelope: str):
        super().__init__(page_size=page_size, orientation=orientation, envelope=envelope)
        self.page_size = page_size
        self.orientation = orientation
        self.envelope = envelope


class TemplateNotFound(NotFound):
    code = TemplateErrorCode.TEMPLATE_NOT_FOUND

    def __init__(self, template_id=None):
        super().__init__(template_id=template_id)
        self.template_id = template_id


class TemplateSettingsMismatch(Unprocessable):
    code = TemplateErrorCode.TEMPLATE_SETTINGS_MISMATCH


class InvalidTemplateFilter(InvalidInput):
    """A list filter value that is not one of the supported values (the API lists them)."""

    code = TemplateErrorCode.INVALID_TEMPLATE_FILTER

    def __init__(self, *, field: str, value: str, valid: list[str]):
        super().__init__(field=field, value=value, valid=valid)
        self.value, self.valid = value, valid


class InvalidPdf(InvalidInput):
    """A campaign/template PDF that cannot be used; the code says why (the API words it as the
    spec's message with the reason in `errors`)."""


class PdfDoesNotFitFormat(InvalidPdf):
    """The PDF is readable but its page size or page count does not suit the campaign's format."""


class PdfInflatesTooMuch(InvalidPdf):
    """The PDF's streams decode to more than the platform takes (a "decompression bomb"), per
    stream or in all (settings CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES and
    CAMPAIGN_PDF_MAX_INFLATED_BYTES)."""


class TemplateInUse(Conflict):
    """A campaign prints with the template: it stays while that campaign exists."""

    code = TemplateErrorCode.TEMPLATE_IN_USE

"""What campaign services refuse: each error carries a code of CampaignErrorCode (with params where
a surface needs data to word it); the API surfaces word it (config/errors_text.py for v1, where
some endpoints override the wording as the spec gives it)."""

from enum import StrEnum

from config.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, RuleViolation

# A design PDF is checked below campaigns (templates.pdfcheck); its errors are named here too.
from templates.errors import (  # noqa: F401
    InvalidPdf,
    PdfDoesNotFitFormat,
    PdfInflatesTooMuch,
    TemplateErrorCode,
)


class CampaignErrorCode(StrEnum):
    CAMPAIGN_NOT_FOUND = "campaign_not_found"
    CAMPAIGN_READ_ONLY = "campaign_read_only"
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    CAMPAIGN_HAS_NO_RECIPIENTS = "campaign_has_no_recipients"
    CAMPAIGN_NOT_APPROVED = "campaign_not_approved"
    CAMPAIGN_NOT_PRINTABLE = "campaign_not_printable"
    NOT_A_PRINT_CAMPAIGN = "not_a_print_campaign"
    PRINT_RUN_BUSY = "print_run_busy"  # params: retry_after (seconds)
    PREVIEW_NOT_FOUND = "preview_not_found"
    PREVIEW_MISSING_ON_SERVER = "preview_missing_on_server"
    # Creating a campaign: the request and its PDF.
    CREATE_REQUEST_INVALID = "create_request_invalid"
    CAMPAIGN_REQUIRED = "campaign_required"
    CAMPAIGN_NAME_REQUIRED = "campaign_name_required"
    INVALID_RECIPIENTS_TYPE = "invalid_recipients_type"
    RECIPIENTS_ID_REQUIRED = "recipients_id_required"
    TEMPLATE_OR_PDF_REQUIRED = "template_or_pdf_required"
    TEMPLATE_AND_PDF_GIVEN = "template_and_pdf_given"
    INVALID_FLAG = "invalid_flag"  # params: name (as the request names it)
    PDF_TOO_LARGE = "pdf_too_large"
    PDF_NOT_AN_OBJECT = "pdf_not_an_object"
    PDF_NO_SOURCE = "pdf_no_source"
    PDF_BASE64_NOT_A_STRING = "pdf_base64_not_a_string"
    PDF_BASE64_EMPTY = "pdf_base64_empty"
    PDF_NOT_BASE64 = "pdf_not_base64"
    PDF_URL_NOT_FETCHED = "pdf_url_not_fetched"  # params: reason (config.outbound's)
    # Lists, vouchers and dates, as the v1 surface parses them.
    INVALID_SORT_FIELD = "invalid_sort_field"  # params: allowed
    INVALID_SORT_ORDER = "invalid_sort_order"  # params: allowed
    INVALID_PAGE_FORMAT = "invalid_page_format"
    INVALID_VOUCHER_ACTION = "invalid_voucher_action"
    VOUCHER_ACTION_REQUIRED = "voucher_action_required"
    INVALID_DATE_PARAMETER = "invalid_date_parameter"  # params: name, default


class PdfTooLarge(PayloadTooLarge):
    code = CampaignErrorCode.PDF_TOO_LARGE


class CampaignNotFound(NotFound):
    code = CampaignErrorCode.CAMPAIGN_NOT_FOUND


class CampaignReadOnly(Conflict):
    code = CampaignErrorCode.CAMPAIGN_READ_ONLY


class InvalidStatusTransition(Conflict):
    code = CampaignErrorCode.INVALID_STATUS_TRANSITION


class CampaignHasNoRecipients(RuleViolation):
    code = CampaignErrorCode.CAMPAIGN_HAS_NO_RECIPIENTS


class CampaignRequired(InvalidInput):
    code = CampaignErrorCode.CAMPAIGN_REQUIRED


class CampaignNameRequired(InvalidInput):
    code = CampaignErrorCode.CAMPAIGN_NAME_REQUIRED


class InvalidRecipientsType(InvalidInput):
    code = CampaignErrorCode.INVALID_RECIPIENTS_TYPE


class RecipientsIdRequired(InvalidInput):
    code = CampaignErrorCode.RECIPIENTS_ID_REQUIRED


class TemplateOrPdfRequired(InvalidInput):
    code = CampaignErrorCode.TEMPLATE_OR_PDF_REQUIRED


class TemplateAndPdfGiven(InvalidInput):
    code = CampaignErrorCode.TEMPLATE_AND_PDF_GIVEN


class InvalidFlag(InvalidInput):
    """A yes/no option that is not a boolean, named as the request names it (the spec:
    "isAdMail is invalid.", "isConfidential is invalid.", "isDuplex is invalid.")."""

    code = CampaignErrorCode.INVALID_FLAG

    def __init__(self, name: str):
        super().__init__(name=name)


class PreviewNotFound(NotFound):
    code = CampaignErrorCode.PREVIEW_NOT_FOUND


class PreviewMissingOnServer(NotFound):
    code = CampaignErrorCode.PREVIEW_MISSING_ON_SERVER


class CampaignNotApproved(RuleViolation):
    """Voucher, cost and schedule need an approved campaign; each endpoint words it (the spec:
    "Approve the campaign to apply the voucher", "Can not schedule campaign. Please approve the
    campaign first.", "Cost details unavailable - please approve the campaign first.")."""

    code = CampaignErrorCode.CAMPAIGN_NOT_APPROVED


class InvalidVoucherAction(InvalidInput):
    code = CampaignErrorCode.INVALID_VOUCHER_ACTION


class VoucherActionRequired(InvalidInput):
    code = CampaignErrorCode.VOUCHER_ACTION_REQUIRED


class InvalidDateParameter(InvalidInput):
    """A date query value that is not yyyy-MM-dd, with the parameter's name and default. The spec
    words each parameter, e.g. "Invalid start date format. Expected format: yyyy-MM-dd (defaults
    to today)"."""

    code = CampaignErrorCode.INVALID_DATE_PARAMETER

    def __init__(self, name: str, default: str):
        super().__init__(name=name, default=default)


class CampaignNotPrintable(RuleViolation):
    """Print files are written only for a print campaign that is approved (or further on)."""

    code = CampaignErrorCode.CAMPAIGN_NOT_PRINTABLE


class NotAPrintCampaign(RuleViolation):
    """A preview (and print output) belongs to a print campaign, not to a message campaign."""

    code = CampaignErrorCode.NOT_A_PRINT_CAMPAIGN


class PrintRunBusy(Conflict):
    """Another attempt is writing the campaign's print files (it holds the run's lease): try again
    later; once it has finished, the call returns its run."""

    code = CampaignErrorCode.PRINT_RUN_BUSY

    def __init__(self, *, retry_after: float):
        super().__init__(retry_after=max(retry_after, 1.0))
        self.retry_after = max(retry_after, 1.0)

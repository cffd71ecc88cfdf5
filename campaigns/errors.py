"""What campaign services refuse. Classes fix the kind (and so the status); each API view words
its own message where the spec gives the endpoint one (`error_messages`)."""

from config.errors import Conflict, Declined, NotFound, PayloadTooLarge, RuleViolation

# A design PDF is checked below campaigns (templates.pdfcheck); its errors are named here too.
from templates.errors import (  # noqa: F401
    INVALID_PDF_MESSAGE,
    InvalidPdf,
    PdfDoesNotFitFormat,
    PdfInflatesTooMuch,
)


class PdfTooLarge(PayloadTooLarge):
    default_message = "PDF too large (>100MB)."
    default_errors = None


class CampaignNotFound(NotFound):
    default_message = "Campaign not found."
    default_errors = None


class CampaignReadOnly(Declined):
    default_message = "Campaign is currently in a read-only state."


class InvalidStatusTransition(Declined):
    default_message = "Cannot promote status: the requested status is not valid for this campaign."


class CampaignHasNoRecipients(Declined):
    default_message = "Cannot approve the campaign. Please add at least one recipient before approving."


class CampaignRequired(RuleViolation):
    default_message = "campaign is required"


class CampaignNameRequired(RuleViolation):
    default_message = "campaign.name is required"


class InvalidRecipientsType(RuleViolation):
    default_message = "recipients.type must be 'group' or 'single'."


class RecipientsIdRequired(RuleViolation):
    default_message = "recipients.id is required when recipients.type is provided."


class TemplateOrPdfRequired(RuleViolation):
    default_message = "Provide templateId or pdf."


class TemplateAndPdfGiven(RuleViolation):
    default_message = "Provide templateId or pdf, not both."


class InvalidFlag(RuleViolation):
    """A yes/no option that is not a boolean, named as the request names it: "isAdMail is
    invalid.", "isConfidential is invalid.", "isDuplex is invalid." """

    def __init__(self, name: str):
        super().__init__(f"{name} is invalid.")


class PreviewNotFound(NotFound):
    default_message = "Preview file not found for this campaign."
    default_errors = None


class PreviewMissingOnServer(NotFound):
    default_message = "Preview file does not exist on server."
    default_errors = None


class CampaignNotApproved(Declined):
    """Voucher, cost and schedule need an approved campaign; each endpoint words it (the spec:
    "Approve the campaign to apply the voucher", "Can not schedule campaign. Please approve the
    campaign first.", "Cost details unavailable - please approve the campaign first.")."""

    default_message = "Please approve the campaign first."


class InvalidVoucherAction(RuleViolation):
    default_message = "Voucher action is invalid."


class VoucherActionRequired(RuleViolation):
    default_message = "Voucher action must be declared."


class InvalidDateParameter(RuleViolation):
    """A date query value that is not yyyy-MM-dd. The spec words each parameter:
    - "Invalid start date format. Expected format: yyyy-MM-dd (defaults to today)"
    - "Invalid end date format. Expected format: yyyy-MM-dd (defaults to 30 days time)"
    - "Invalid send_date format. Expected format: yyyy-MM-dd (defaults to tomorrow)"
    """

    def __init__(self, name: str, default: str):
        super().__init__(f"Invalid {name} format. Expected format: yyyy-MM-dd (defaults to {default})")


class CampaignNotPrintable(Declined):
    """Print files are written only for a print campaign that is approved (or further on)."""

    default_message = "Print files can only be written for an approved print campaign."


class PrintRunBusy(Conflict):
    """Another attempt is writing the campaign's print files (it holds the run's lease): try again
    later; once it has finished, the call returns its run."""

    default_message = "The print files of this campaign are being written; try again later."
    default_errors = None

    def __init__(self, *, retry_after: float):
        super().__init__()
        self.retry_after = max(retry_after, 1.0)

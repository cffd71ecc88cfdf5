"""The create request of the platform API turned into the service's input, with the spec's
messages for what is missing or malformed. Keys are matched case-insensitively (the parser
folds them); values are taken leniently where the spec's own examples are loose."""

from collections.abc import Mapping
from datetime import date

from campaigns.errors import (
    CampaignErrorCode,
    CampaignNameRequired,
    CampaignRequired,
    InvalidDateParameter,
    InvalidFlag,
    InvalidPdf,
    InvalidRecipientsType,
    RecipientsIdRequired,
)
from campaigns.services import PdfSource, PrintCampaignInput
from config.errors import InvalidInput


def _text(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _flag(data: Mapping, name: str) -> bool:
    value = data.get(name)
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidFlag(name)


def _recipients(data: Mapping) -> tuple[str | None, str | None]:
    recipients = data.get("recipients")
    if recipients in (None, "", {}):
        return None, None
    if not isinstance(recipients, Mapping):
        raise InvalidRecipientsType()
    kind = (_text(recipients.get("type")) or "").strip().lower()
    if kind not in ("group", "single"):
        raise InvalidRecipientsType()
    identifier = (_text(recipients.get("id")) or "").strip()
    if not identifier:
        raise RecipientsIdRequired()
    return kind, identifier


def _pdf(body: Mapping) -> PdfSource | None:
    pdf = body.get("pdf")
    if pdf is None:
        return None
    if not isinstance(pdf, Mapping):
        raise InvalidPdf(CampaignErrorCode.PDF_NOT_AN_OBJECT, field="pdf")
    url, data = pdf.get("fileUrl"), pdf.get("fileBase64")
    if url in (None, "") and data is None:
        return None  # no source in it: as if no pdf were given
    if data is not None and not isinstance(data, str):
        raise InvalidPdf(CampaignErrorCode.PDF_BASE64_NOT_A_STRING, field="pdf.file_base64")
    return PdfSource(
        url=None if data is not None else _text(url),
        base64=data,
        original_name=_text(pdf.get("originalName")) or "",
        file_name=_text(pdf.get("fileName")) or "",
    )


def create_request(body) -> tuple[PrintCampaignInput, object, PdfSource | None, str | None]:
    """(campaign input, templateId or None, pdf source or None, templateName) from the body."""
    if not isinstance(body, Mapping):
        raise InvalidInput(CampaignErrorCode.CREATE_REQUEST_INVALID)
    campaign = body.get("campaign")
    if not isinstance(campaign, Mapping) or not campaign:
        raise CampaignRequired()
    if not (_text(campaign.get("name")) or "").strip():
        raise CampaignNameRequired()
    kind, identifier = _recipients(campaign)
    spec = PrintCampaignInput(
        name=_text(campaign.get("name")) or "",
        page_size=_text(campaign.get("pageSize")),
        orientation=_text(campaign.get("pageOrientation")),
        envelope=_text(campaign.get("windowGummedCode")),
        stock_weight=_text(campaign.get("stockWeightCode")),
        mail_class=_text(campaign.get("mailClassCode")),
        is_duplex=_flag(campaign, "isDuplex"),
        is_admail=_flag(campaign, "isAdmail"),
        is_confidential=_flag(campaign, "isConfidential"),
        default_recipient_name=_text(campaign.get("defaultRecipientName")) or "",
        recipients_type=kind,
        recipients_id=identifier,
    )
    template_id = body.get("templateId")
    if template_id == "":
        template_id = None
    return spec, template_id, _pdf(body), _text(body.get("templateName"))


# ---- query parameters of the billing endpoints (voucher, cost, availableDates, schedule) ----------


def query_value(query: Mapping, name: str) -> str | None:
    """A query parameter by name, in any casing (the first one given)."""
    wanted = name.lower()
    for key in query:
        if key.lower() == wanted:
            return query.get(key)
    return None


def query_flag(query: Mapping, name: str) -> bool | None:
    """A true/false query parameter (any case); None when absent or empty; InvalidFlag ("isDuplex
    is invalid.") for anything else."""
    value = query_value(query, name)
    if value is None or not value.strip():
        return None
    folded = value.strip().lower()
    if folded not in ("true", "false"):
        raise InvalidFlag(name)
    return folded == "true"


def query_date(query: Mapping, key: str, *, name: str, default_words: str) -> date | None:
    """A yyyy-MM-dd query parameter; None when absent or empty; InvalidDateParameter otherwise."""
    value = query_value(query, key)
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidDateParameter(name, default_words) from None

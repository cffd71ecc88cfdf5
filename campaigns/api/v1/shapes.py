"""Platform API shapes of campaigns, with the spec's field names and casing."""

import re

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from campaigns import selectors
from campaigns.models import STATUS_ORDER, Status
from config.api.webhook_shapes import rendered_all
from templates.formats import FORMATS, Format, format_by_code

# Fields a campaign can print or merge (a recipient's standard fields, as the API names them).
RECIPIENT_FIELDS = [
    "Title", "FirstName", "LastName", "CompanyName", "Address1", "Address2", "Address3", "Address4",
    "Address5", "City", "CountyName", "Postcode", "CountryName", "Email", "Mobile",
]  # fmt: skip

# The platform API's status names; the stored values are stable identifiers (campaigns.models).
STATUS_NAMES = {
    Status.DRAFT: "Draft",
    Status.PREVIEW: "Preview",
    Status.APPROVED: "Approved",
    Status.AWAITING_PAYMENT: "AwaitingPayment",
    Status.SCHEDULED: "Scheduled",
    Status.PRINTING: "Printing",
    Status.DISPATCHED: "Dispatched",
    Status.CANCELLED: "Cancelled",
}


def status_name(status: str) -> str:
    """A status as the platform API names it; a message campaign's (no print name) as stored."""
    return STATUS_NAMES.get(status, status)


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _date(day):
    return f"{day.isoformat()}T00:00:00Z" if day else None


def _format(campaign) -> Format | None:
    options = getattr(campaign, "print_options", None)
    return format_by_code(options.format_code) if options else None


def created(result) -> dict:
    return {
        "campaignId": str(result.campaign.pk),
        "templateId": result.template_id,
        "status": status_name(result.campaign.status),
        "warnings": result.warnings,
        "messages": result.messages,
    }


def campaign_list_item(campaign) -> dict:
    fmt = _format(campaign)
    return {
        "campaignId": str(campaign.pk),
        "campaignName": campaign.name,
        "status": status_name(campaign.status),
        "currentStatusOrder": STATUS_ORDER[campaign.status],
        "recipientCount": selectors.recipient_count(campaign),
        "pageSize": fmt.page_size if fmt else None,
        "dispatchDate": _date(campaign.dispatch_date),
        "totalCost": campaign.total_cost,
        "createdDate": _stamp(campaign.created_at),
        "updatedDate": _stamp(campaign.updated_at),
    }


def campaign_details(campaign) -> dict:
    fmt = _format(campaign)
    options = getattr(campaign, "print_options", None)
    return {
        "id": str(campaign.pk),
        "name": campaign.name,
        "status": status_name(campaign.status),
        "recipientCount": selectors.recipient_count(campaign),
        "dispatchDate": _date(campaign.dispatch_date),
        "created": _stamp(campaign.created_at),
        "updated": _stamp(campaign.updated_at),
        "cost": campaign.total_cost,
        "pageSize": fmt.page_size if fmt else None,
        "pageOrientation": fmt.orientation if fmt else None,
        "mailClass": options.mail_class if options else None,
        "windowsGummedCode": fmt.envelope if fmt else None,
        # Beyond the documented fields:
        "currentStatusOrder": STATUS_ORDER[campaign.status],
        "templateId": options.template_id if options else None,
        "stockWeightCode": options.stock_weight if options else None,
        "isDuplex": options.is_duplex if options else None,
        "isAdmail": options.is_admail if options else None,
        "isConfidential": options.is_confidential if options else None,
        "defaultRecipientName": (options.default_recipient_name or None) if options else None,
        "recipients": _selection(campaign),
        "previewReady": bool(campaign.preview_file),
    }


def _selection(campaign) -> dict | None:
    if campaign.recipient_group_id:
        return {"type": "group", "id": str(campaign.recipient_group_id)}
    if campaign.recipient_id:
        return {"type": "single", "id": str(campaign.recipient_id)}
    return None


def approved(campaign) -> dict:
    return {"currentStatus": status_name(campaign.status)}


def status_details(campaign, history) -> dict:
    """The whole history in order, payment, holds and dispatch included; `note` (beyond the
    documented fields) says what happened: the amount paid, the order, a hold's reason, the
    estimated delivery date."""
    return {
        "currentStatus": status_name(campaign.status),
        "statusHistories": [
            {"status": status_name(h.status), "date": _stamp(h.changed_at), "note": h.note or None}
            for h in history
        ],
    }


def status_change(change) -> dict:
    """One move of a campaign's status (a webhook's `change`), worded as statusHistories words it."""
    return {
        "previousStatus": status_name(change.from_status) if change.from_status else None,
        "status": status_name(change.status),
        "date": _stamp(change.changed_at),
        "note": change.note or None,
    }


def print_run(run) -> dict:
    """A finished print run (a webhook's `print_files.written`): the files staff download from the
    admin, with their counts (storage keys stay inside)."""
    return {
        "campaignId": str(run.campaign_id),
        "attempt": run.attempt,
        "letters": run.letters,
        "pages": run.pages,
        "files": [{"name": f["name"], "letters": f["letters"], "pages": f["pages"]} for f in run.files],
        "manifest": "manifest.csv" if run.manifest else None,
        "finished": _stamp(run.finished_at),
    }


def preview(campaign) -> dict:
    """A campaign's preview outcome (a webhook's `preview.ready` / `preview.failed`)."""
    return {
        "campaignId": str(campaign.pk),
        "previewReady": bool(campaign.preview_file),
        "generated": _stamp(campaign.preview_generated_at),
        "error": campaign.preview_error or None,
    }


def _day(day) -> str:
    return f"{day.isoformat()}T00:00:00"


def cost_details(priced) -> dict:
    """CampaignCostDetailsVM, in the spec's casing (note `stockweight`, `isAdmail`)."""
    product, cost = priced.product, priced.cost
    return {
        "mailClass": product.mail_class,
        "stockweight": product.stock_weight,
        "isAdmail": product.is_admail,
        "isConfidential": product.is_confidential,
        "isDuplex": product.is_duplex,
        "isTabbed": False,  # no catalogue product is tabbed
        "scheduledDate": _day(priced.scheduled_date),
        "estimatedDeliveryDate": _day(priced.estimated_delivery),
        "voucherCode": cost.voucher_code,
        "productCode": product.product_code,
        "totalRecipients": cost.quantity,
        "currencyCode": cost.currency,
        "costPerRecipient": cost.unit_price,
        "subtotal": cost.subtotal,
        "discountAmount": cost.discount,
        "vatAmount": cost.vat,
        "totalCost": cost.total,
    }


def schedule_result(result) -> dict:
    data = {"campaignId": str(result.campaign.pk)}
    if result.order_number:
        data["orderId"] = result.order_number
    data["paymentStatus"] = result.payment_status
    return data


def parameters(values: dict) -> dict:
    formats = [f for f in FORMATS if f.code in values["format_codes"]]
    return {
        "pageOrientations": sorted({f.orientation for f in formats}),
        "pageSizes": sorted({f.page_size for f in formats}),
        "outerCodes": sorted({f.envelope for f in formats if f.envelope}),
        "mailClasses": values["mail_classes"],
        "stockWeights": values["stock_weights"],
        "recipientFields": RECIPIENT_FIELDS,
    }


def _norm(value) -> str:
    return re.sub(r"\s+", " ", value or "").strip().casefold()


def formats_for(page_size: str | None, orientation: str | None) -> list[Format] | None:
    """The formats a configurations query names; None when a given value names none."""
    chosen = list(FORMATS)
    if _norm(page_size):
        chosen = [f for f in chosen if _norm(f.page_size) == _norm(page_size)]
        if not chosen:
            return None
    if _norm(orientation):
        if _norm(orientation) not in {_norm(f.orientation) for f in FORMATS}:
            return None
        chosen = [f for f in chosen if _norm(f.orientation) == _norm(orientation)]
    return chosen


def configuration(fmt: Format, products: list) -> dict:
    return {
        "name": " ".join(part for part in (fmt.page_size, fmt.orientation, fmt.envelope) if part),
        "pageSize": fmt.page_size,
        "pageOrientation": fmt.orientation,
        "windowGummedCode": fmt.envelope,
        "validCombinations": [
            {
                "stockWeightCode": p.stock_weight,
                "isDuplex": p.is_duplex,
                "mailClassCode": p.mail_class,
                "isAdmail": p.is_admail,
                "isConfidential": p.is_confidential,
                "productCode": p.product_code,
            }
            for p in products
        ],
    }


@extend_schema_field({"type": "string", "format": "byte"})
class Base64Text(serializers.CharField):
    """Base64 content, for the schema (parsing.py reads the body itself)."""


CREATE_REQUEST_SCHEMA = inline_serializer(
    name="CreateCampaignRequest",
    fields={
        "campaign": inline_serializer(
            name="CampaignDto",
            fields={
                "name": serializers.CharField(),
                "pageSize": serializers.CharField(),
                "pageOrientation": serializers.CharField(),
                "windowGummedCode": serializers.CharField(required=False, allow_null=True),
                "defaultRecipientName": serializers.CharField(required=False),
                "recipients": inline_serializer(
                    name="CampaignRecipientsDto",
                    fields={
                        "type": serializers.ChoiceField(["group", "single"]),
                        "id": serializers.CharField(),
                    },
                    required=False,
                ),
                "stockWeightCode": serializers.CharField(),
                "mailClassCode": serializers.CharField(),
                "isDuplex": serializers.BooleanField(required=False),
                "isAdmail": serializers.BooleanField(required=False),
                "isConfidential": serializers.BooleanField(required=False),
            },
        ),
        "templateId": serializers.IntegerField(required=False),
        "pdf": inline_serializer(
            name="IncomingPdf",
            fields={
                "fileUrl": serializers.URLField(required=False),
                "fileBase64": Base64Text(required=False),
                "originalName": serializers.CharField(required=False),
                "fileName": serializers.CharField(required=False),
            },
            required=False,
        ),
        "templateName": serializers.CharField(required=False),
    },
)


# Print campaigns in webhook events (registered from campaigns.apps), as this API shows them.
WEBHOOK_SHAPES = rendered_all(
    {
        "campaign": campaign_details,
        "campaign_status_change": status_change,
        "campaign_preview": preview,
        "print_run": print_run,
    }
)

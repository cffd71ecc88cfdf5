"""OpenAPI wording and shapes of the campaign endpoints (create, list, parameters,
configurations, details, preview, approve, status, delete), in the spec's words. The billing
steps (voucher, cost, available dates, schedule) are in billing_schema.py."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from campaigns import selectors
from campaigns.api.v1.shapes import CREATE_REQUEST_SCHEMA, STATUS_NAMES
from config.api.v1.schema import OFFSET, blank_or, error, example, ok, operation, paged, path_id, query
from templates.formats import FORMATS

TAG = "campaigns"
CAMPAIGN_ID = "b9c32de3-4f19-4ea8-a273-b2c7d5df42f2"
STATUSES = sorted(set(STATUS_NAMES.values()))
CAMPAIGN_ID_QUERY = query(
    "campaignId",
    {"type": "string", "format": "uuid"},
    "Campaign identifier (from Create or List); another company's or an unknown id is 404.",
    required=True,
)
CAMPAIGN_ID_PATH = path_id("campaign_id", "Campaign identifier.")


class CreatedSerializer(serializers.Serializer):
    campaignId = serializers.UUIDField()
    templateId = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(help_text="Preview, or Draft while no recipients are linked")
    warnings = serializers.ListField(child=serializers.CharField())
    messages = serializers.ListField(child=serializers.CharField())


class CampaignListItemSerializer(serializers.Serializer):
    campaignId = serializers.UUIDField()
    campaignName = serializers.CharField()
    status = serializers.CharField()
    currentStatusOrder = serializers.IntegerField()
    recipientCount = serializers.IntegerField(min_value=0)
    pageSize = serializers.CharField(allow_null=True)
    dispatchDate = serializers.DateTimeField(allow_null=True)
    totalCost = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    createdDate = serializers.DateTimeField()
    updatedDate = serializers.DateTimeField(allow_null=True)


class ParametersSerializer(serializers.Serializer):
    pageOrientations = serializers.ListField(child=serializers.CharField())
    pageSizes = serializers.ListField(child=serializers.CharField())
    outerCodes = serializers.ListField(child=serializers.CharField())
    mailClasses = serializers.ListField(child=serializers.CharField())
    stockWeights = serializers.ListField(child=serializers.CharField())
    recipientFields = serializers.ListField(child=serializers.CharField())


class CombinationSerializer(serializers.Serializer):
    stockWeightCode = serializers.CharField()
    isDuplex = serializers.BooleanField()
    mailClassCode = serializers.CharField()
    isAdmail = serializers.BooleanField()
    isConfidential = serializers.BooleanField()
    productCode = serializers.CharField()


class ConfigurationSerializer(serializers.Serializer):
    name = serializers.CharField()
    pageSize = serializers.CharField()
    pageOrientation = serializers.CharField()
    windowGummedCode = serializers.CharField(allow_null=True)
    validCombinations = CombinationSerializer(many=True)


class SelectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["group", "single"])
    id = serializers.UUIDField()


class CampaignDetailsSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    status = serializers.CharField()
    recipientCount = serializers.IntegerField(min_value=0)
    dispatchDate = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField(allow_null=True)
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    pageSize = serializers.CharField(allow_null=True)
    pageOrientation = serializers.CharField(allow_null=True)
    mailClass = serializers.CharField(allow_null=True)
    windowsGummedCode = serializers.CharField(allow_null=True)
    currentStatusOrder = serializers.IntegerField()
    templateId = serializers.IntegerField(allow_null=True)
    stockWeightCode = serializers.CharField(allow_null=True)
    isDuplex = serializers.BooleanField(allow_null=True)
    isAdmail = serializers.BooleanField(allow_null=True)
    isConfidential = serializers.BooleanField(allow_null=True)
    defaultRecipientName = serializers.CharField(allow_null=True)
    recipients = SelectionSerializer(allow_null=True)
    previewReady = serializers.BooleanField()


class ApprovedSerializer(serializers.Serializer):
    currentStatus = serializers.CharField()


class HistorySerializer(serializers.Serializer):
    status = serializers.CharField()
    date = serializers.DateTimeField()
    note = serializers.CharField(allow_null=True, help_text="beyond the spec: what happened")


class StatusDetailsSerializer(serializers.Serializer):
    currentStatus = serializers.CharField()
    statusHistories = HistorySerializer(many=True)


def rule(title: str, message: str):
    """A business-rule outcome: 200, success true, data null."""
    return example(title, message, None)


CAMPAIGN = {
    "name": "Spring Campaign (Template)",
    "pageSize": "A4 Letter",
    "pageOrientation": "Portrait",
    "windowGummedCode": "C5WIN",
    "defaultRecipientName": "Customer",
    "recipients": {"type": "group", "id": "0f710b4e-99d8-4b59-b793-a5db290df77f"},
    "stockWeightCode": "100UNCOAT",
    "mailClassCode": "First",
    "isDuplex": True,
    "isAdmail": True,
    "isConfidential": True,
}
PDF_CAMPAIGN = {k: v for k, v in CAMPAIGN.items() if k not in ("defaultRecipientName", "recipients")}

create = operation(
    operation_id="campaigns_create",
    tag=TAG,
    summary="Create a print campaign",
    description=(
        "Creates a new campaign for the authenticated account, from an existing template "
        "(`templateId` from GET /api/v1/template) or from a PDF (`pdf.fileUrl` or `pdf.fileBase64`), "
        "one of the two. `campaign.pageOrientation`, `campaign.pageSize` and "
        "`campaign.windowGummedCode` must be one of the supported format combinations (see "
        "GET /api/v1/campaigns/configurations). The response returns `campaignId`, used by the "
        "other campaign endpoints (details, preview, approve, voucher, cost, schedule, status, "
        "delete). A campaign without recipients stays in Draft. Right: Campaign.Write."
    ),
    request=CREATE_REQUEST_SCHEMA,
    request_examples={
        "Mode A: existing template": {"campaign": CAMPAIGN, "templateId": 101},
        "Mode B: PDF URL": {
            "campaign": PDF_CAMPAIGN,
            "pdf": {
                "fileUrl": "https://example.com/files/spring-campaign.pdf",
                "originalName": "spring-campaign.pdf",
                "fileName": "spring-campaign.pdf",
            },
            "templateName": "Spring Campaign Imported Template",
        },
        "Mode C: PDF Base64": {
            "campaign": PDF_CAMPAIGN,
            "pdf": {
                "fileBase64": "JVBERi0xLjQKJcfs",
                "originalName": "spring-campaign.pdf",
                "fileName": "spring-campaign.pdf",
            },
            "templateName": "Spring Campaign Base64 Template",
        },
    },
    responses={
        200: ok(
            "CampaignCreatedEnvelope",
            CreatedSerializer(),
            example(
                "Created",
                "Campaign created successfully.",
                {
                    "campaignId": CAMPAIGN_ID,
                    "templateId": 101,
                    "status": "Preview",
                    "warnings": [],
                    "messages": ["Campaign successfully created."],
                },
            ),
            example(
                "Draft: no recipients linked yet",
                "Campaign created successfully.",
                {
                    "campaignId": CAMPAIGN_ID,
                    "templateId": 101,
                    "status": "Draft",
                    "warnings": ["Campaign has no recipients yet; staying in Draft."],
                    "messages": ["Campaign successfully created."],
                },
            ),
            description="Campaign created successfully.",
        ),
        400: error(
            "Invalid payload or unsupported format/options.",
            *[
                (message, None)
                for message in (
                    "Invalid request",
                    "campaign is required",
                    "campaign.name is required",
                    "Supported StockWeight values: 100UNCOAT, 120UNCOAT, 250SILK, 300GLOSS, 350SILK, 350UNCOAT",
                    "Supported Mail Class values: First, Second",
                    "recipients.type must be 'group' or 'single'.",
                    "Provide templateId or pdf.",
                )
            ],
            ("Empty or invalid PDF.", ["The file is not a PDF."]),
        ),
        404: error(
            "Template, group or recipient not found.",
            ("Template with id=101 not found.", None),
            ("Group not found.", None),
            ("Recipient not found.", None),
        ),
        413: error("Uploaded PDF exceeds allowed size.", ("PDF too large (>100MB).", None)),
        422: error(
            "No page layout defined for the requested format combination, or campaign settings do "
            "not match the template's settings.",
            ("No layout defined for A4 Letter/Portrait/N/A", None),
            ("Requested campaign settings do not match the template's settings.", None),
        ),
    },
)

campaigns_list = operation(
    operation_id="campaigns_list",
    tag=TAG,
    summary="List campaigns",
    description=(
        "Returns a paginated list of campaigns for the authenticated account: the main listing "
        "endpoint for dashboards and campaign tables. Use `campaignId` values from this response "
        "with the detail, preview, approve, voucher, cost, schedule, status and delete endpoints. "
        "Right: Campaign.Read."
    ),
    parameters=[
        query(
            "sortField",
            {"type": "string", "enum": [*selectors.SORT_FIELDS, ""], "default": "updateddate"},
            "Sort field (any casing). Default is updateddate.",
        ),
        query(
            "sortOrder",
            {"type": "string", "enum": [*selectors.SORT_ORDERS, ""], "default": "descending"},
            "Sort order (any casing). Default is descending.",
        ),
        OFFSET,
        query(
            "limit",
            blank_or({"type": "integer", "default": 50}),
            "Number of records to return. Default is 50; 0, a negative number or more than 200 gives 100.",
        ),
    ],
    responses={
        200: ok(
            "CampaignListEnvelope",
            paged("CampaignListData", CampaignListItemSerializer, key="items"),
            example(
                "Campaigns",
                "Campaign list fetched successfully.",
                {
                    "total": 1,
                    "offset": 0,
                    "limit": 50,
                    "hasMore": False,
                    "nextOffset": None,
                    "items": [
                        {
                            "campaignId": CAMPAIGN_ID,
                            "campaignName": "Spring Campaign",
                            "status": "Preview",
                            "currentStatusOrder": 2,
                            "recipientCount": 150,
                            "pageSize": "A4 Letter",
                            "dispatchDate": None,
                            "totalCost": 0.00,
                            "createdDate": "2026-03-08T10:00:00Z",
                            "updatedDate": "2026-03-09T14:30:00Z",
                        }
                    ],
                },
            ),
            description="Campaign list returned.",
        ),
        400: error(
            "Invalid query values.",
            ("Invalid sortField. Allowed values: updateddate, createddate, name.", None),
            ("Invalid sortOrder. Allowed values: ascending, descending.", None),
            ("offset must be 0 or more.", ["Validation failed"]),
        ),
    },
)

parameters = operation(
    operation_id="campaigns_parameters",
    tag=TAG,
    summary="Campaign parameters",
    description=(
        "Returns all available campaign parameters such as page sizes, orientations, outer codes, "
        "mail classes, stock weights, and recipient fields. Right: Campaign.Read."
    ),
    responses={
        200: ok(
            "CampaignParametersEnvelope",
            ParametersSerializer(),
            example(
                "Parameters",
                "Campaign parameters fetched successfully.",
                {
                    "pageOrientations": ["Landscape", "Portrait"],
                    "pageSizes": ["A4 Letter", "A5 Postcard"],
                    "outerCodes": ["C4WIN", "C5NONWINDOW", "C5WIN"],
                    "mailClasses": ["First", "Second"],
                    "stockWeights": ["100UNCOAT", "120UNCOAT"],
                    "recipientFields": ["Title", "FirstName", "LastName"],
                },
            ),
            description="Campaign parameters fetched successfully.",
        ),
    },
)

configurations = operation(
    operation_id="campaigns_configurations",
    tag=TAG,
    summary="Campaign configurations",
    description=(
        "Returns available campaign configurations including page size, orientation, and valid "
        "combinations (stock, duplex, mail class, admail, confidential) for campaign creation, "
        "optionally filtered by page size and orientation. Right: Campaign.Read."
    ),
    parameters=[
        query(
            "pageSize",
            {"type": "string", "enum": [*sorted({f.page_size for f in FORMATS}), ""]},
            "Filter configurations by page size (e.g. A4 Letter; any casing; blank: all).",
        ),
        query(
            "orientation",
            {"type": "string", "enum": [*sorted({f.orientation for f in FORMATS}), ""]},
            "Filter by page orientation (Portrait / Landscape; any casing; blank: all).",
        ),
    ],
    responses={
        200: ok(
            "CampaignConfigurationsEnvelope",
            ConfigurationSerializer(many=True),
            example(
                "Configurations",
                "Campaign configurations fetched successfully.",
                [
                    {
                        "name": "A4 Letter Portrait C5WIN",
                        "pageSize": "A4 Letter",
                        "pageOrientation": "Portrait",
                        "windowGummedCode": "C5WIN",
                        "validCombinations": [
                            {
                                "stockWeightCode": "100UNCOAT",
                                "isDuplex": True,
                                "mailClassCode": "Second",
                                "isAdmail": True,
                                "isConfidential": False,
                                "productCode": "A4L-C5W-100U-D-2-AM",
                            }
                        ],
                    }
                ],
            ),
            description="Campaign configurations fetched successfully.",
        ),
        400: error(
            "A page size or orientation names no format.", ("Invalid pageSize or orientation value.", None)
        ),
    },
)

details = operation(
    operation_id="campaigns_details",
    tag=TAG,
    summary="Get a campaign",
    description=(
        "Returns full details for one campaign. Use `campaignId` from Create Campaign or List "
        "Campaigns, to confirm current campaign settings before approval or scheduling. "
        "Right: Campaign.Read."
    ),
    parameters=[CAMPAIGN_ID_PATH],
    responses={
        200: ok(
            "CampaignDetailsEnvelope",
            CampaignDetailsSerializer(),
            example(
                "Campaign details",
                "Campaign details fetched successfully.",
                {
                    "id": CAMPAIGN_ID,
                    "name": "Spring Campaign",
                    "status": "Preview",
                    "recipientCount": 150,
                    "dispatchDate": None,
                    "created": "2026-03-08T10:00:00Z",
                    "updated": "2026-03-09T14:30:00Z",
                    "cost": 0.00,
                    "pageSize": "A4 Letter",
                    "pageOrientation": "Portrait",
                    "mailClass": "First",
                    "windowsGummedCode": "C5WIN",
                    "currentStatusOrder": 2,
                    "templateId": 101,
                    "stockWeightCode": "100UNCOAT",
                    "isDuplex": True,
                    "isAdmail": False,
                    "isConfidential": False,
                    "defaultRecipientName": None,
                    "recipients": {"type": "group", "id": "0f710b4e-99d8-4b59-b793-a5db290df77f"},
                    "previewReady": True,
                },
            ),
            description="Campaign details returned.",
        ),
        404: error(
            "Campaign not found or does not belong to the authenticated company.",
            ("Campaign not found.", None),
        ),
    },
)

preview = operation(
    operation_id="campaigns_preview",
    tag=TAG,
    summary="Download the campaign preview PDF",
    description=(
        "Returns the campaign preview PDF file, to verify visual output before approving and "
        "scheduling. Success is the raw PDF (`Content-Type: application/pdf`, no JSON wrapper); "
        "errors use the envelope. Right: Campaign.Read."
    ),
    parameters=[CAMPAIGN_ID_PATH],
    responses={
        (200, "application/pdf"): OpenApiResponse(
            OpenApiTypes.BINARY, description="Preview file returned (application/pdf, campaign-preview.pdf)."
        ),
        404: error(
            "Campaign preview file not found or does not exist on server.",
            ("Preview file not found for this campaign.", None),
            ("Preview file does not exist on server.", None),
        ),
    },
)

approve = operation(
    operation_id="campaigns_approve",
    tag=TAG,
    summary="Approve a campaign",
    description=(
        "Moves a campaign to approved state when business rules are met; the recipient list is "
        "frozen then. Approval is a prerequisite for voucher actions, final cost confirmation, and "
        "scheduling. A business rule that blocks approval is answered 200 with a message and "
        "`data: null`. No request body is required. Right: Campaign.Approve."
    ),
    parameters=[CAMPAIGN_ID_QUERY],
    responses={
        200: ok(
            "CampaignApprovedEnvelope",
            ApprovedSerializer(allow_null=True),
            example("Approved", "Campaign approved successfully.", {"currentStatus": "Approved"}),
            rule(
                "Read-only state",
                "Unable to approve the campaign because it is currently in a read-only state.",
            ),
            rule(
                "Invalid status transition",
                "Cannot promote status: the requested status is not valid for this campaign.",
            ),
            rule(
                "No recipients",
                "Cannot approve the campaign. Please add at least one recipient before approving.",
            ),
            description="Request processed: approved, or a business-rule message with data null.",
        ),
        404: error(
            "Campaign not found or does not belong to the authenticated company.",
            ("Approval failed: the campaign could not be found.", None),
        ),
    },
)

status_details = operation(
    operation_id="campaigns_status_details",
    tag=TAG,
    summary="Campaign status and history",
    description=(
        "Returns the current status and status history for a campaign, for tracking screens and "
        f"status timelines after approve/schedule. Statuses: {', '.join(STATUSES)}. No request body "
        "is required. Right: Campaign.Read."
    ),
    parameters=[CAMPAIGN_ID_QUERY],
    responses={
        200: ok(
            "CampaignStatusEnvelope",
            StatusDetailsSerializer(),
            example(
                "Status details",
                "Successful!",
                {
                    "currentStatus": "Scheduled",
                    "statusHistories": [
                        {"status": "Draft", "date": "2026-03-08T10:00:00Z", "note": None},
                        {"status": "Preview", "date": "2026-03-08T10:05:00Z", "note": None},
                        {"status": "Approved", "date": "2026-03-09T14:30:00Z", "note": None},
                        {"status": "Scheduled", "date": "2026-03-10T09:00:00Z", "note": "Paid 99.00 GBP"},
                    ],
                },
            ),
            description="Status details returned.",
        ),
        404: error(
            "Campaign not found or does not belong to the authenticated company.",
            ("campaign not found.", None),
        ),
    },
)

delete = operation(
    operation_id="campaigns_delete",
    tag=TAG,
    summary="Delete a campaign",
    description=(
        "Deletes a campaign when allowed by current campaign state: for cleanup of draft or "
        "editable campaigns before scheduling. A scheduled or read-only campaign is answered 200 "
        "with a message and `data: null`. No request body is required. Right: Campaign.Delete."
    ),
    parameters=[CAMPAIGN_ID_QUERY],
    responses={
        200: ok(
            "CampaignDeletedEnvelope",
            serializers.BooleanField(allow_null=True),
            example("Deleted", "Campaign deleted successfully.", True),
            rule(
                "Read-only or already scheduled",
                "Can not delete. Campaign is already scheduled or in a read-only state.",
            ),
            description="Request processed: true, or a business-rule message with data null.",
        ),
        404: error(
            "Campaign not found or does not belong to the authenticated company.",
            ("Cannot delete — campaign not found.", None),
        ),
    },
)

"""OpenAPI wording and shapes of a campaign's billing steps: voucher, cost, available dates and
schedule, in the spec's words. Each takes its input in the query; none takes a body."""

from rest_framework import serializers

from campaigns.api.v1.schema import CAMPAIGN_ID, CAMPAIGN_ID_QUERY, TAG, rule
from config.api.v1.schema import error, example, ok, operation, query

FLAG = {"type": "string", "enum": ["true", "false", ""]}
DAY = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}  # blank: default


class CostDetailsSerializer(serializers.Serializer):
    mailClass = serializers.CharField()
    stockweight = serializers.CharField()
    isAdmail = serializers.BooleanField()
    isConfidential = serializers.BooleanField()
    isDuplex = serializers.BooleanField()
    isTabbed = serializers.BooleanField()
    scheduledDate = serializers.CharField(help_text="yyyy-MM-ddT00:00:00")
    estimatedDeliveryDate = serializers.CharField(help_text="yyyy-MM-ddT00:00:00")
    voucherCode = serializers.CharField(allow_blank=True, help_text="empty when none is applied")
    productCode = serializers.CharField()
    totalRecipients = serializers.IntegerField(min_value=0)
    currencyCode = serializers.CharField()
    costPerRecipient = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=False)
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    discountAmount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    vatAmount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    totalCost = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)


class ScheduledSerializer(serializers.Serializer):
    campaignId = serializers.UUIDField()
    orderId = serializers.CharField(required=False, help_text="provisional booking only")
    paymentStatus = serializers.ChoiceField(choices=["ACCEPTED", "PENDING"])


COST = {
    "mailClass": "First",
    "stockweight": "120UNCOAT",
    "isAdmail": False,
    "isConfidential": False,
    "isDuplex": False,
    "isTabbed": False,
    "scheduledDate": "2026-04-15T00:00:00",
    "estimatedDeliveryDate": "2026-04-17T00:00:00",
    "voucherCode": "SAVE20",
    "productCode": "PRODCODE01",
    "totalRecipients": 150,
    "currencyCode": "GBP",
    "costPerRecipient": 0.55,
    "subtotal": 82.50,
    "discountAmount": 16.50,
    "vatAmount": 13.20,
    "totalCost": 79.20,
}
NOT_FOUND = "Campaign not found or does not belong to the authenticated company."


def _cost(*examples, description: str):
    return ok(
        "CampaignCostEnvelope", CostDetailsSerializer(allow_null=True), *examples, description=description
    )


voucher = operation(
    operation_id="campaigns_voucher",
    tag=TAG,
    summary="Apply or remove a voucher",
    description=(
        "Applies or removes a voucher for an approved campaign, after approval and before final "
        "scheduling; voucher updates affect cost and schedule outcomes. Answers the updated cost "
        "breakdown, or 200 with a business-rule message and `data: null` when the action cannot be "
        "completed. No request body is required. Right: Campaign.Write."
    ),
    parameters=[
        CAMPAIGN_ID_QUERY,
        query(
            "VoucherAction",
            {"type": "string", "enum": ["apply", "remove"]},
            "Allowed values: `apply`, `remove` (any casing).",
            required=True,
        ),
        query(
            "VoucherCode",
            {"type": "string", "maxLength": 64},
            "Conditionally required: required when `VoucherAction=apply`.",
        ),
    ],
    responses={
        200: _cost(
            example("Voucher applied", "Successful!", COST),
            example(
                "Voucher removed",
                "Successful!",
                {**COST, "voucherCode": "", "discountAmount": 0.00, "vatAmount": 16.50, "totalCost": 99.00},
            ),
            rule("Read-only state", "Campaign is currently in a read-only state."),
            rule("Not approved", "Approve the campaign to apply the voucher"),
            rule("Invalid voucher code", "Unsuccessful! Voucher code is not valid"),
            rule(
                "No recipients", "Can not apply voucher. Please add at least one recipient before approving."
            ),
            description="Request processed: cost details, or a business-rule message with data null.",
        ),
        400: error(
            "Invalid or missing voucher action/code input.",
            ("Voucher action must be declared.", None),
            ("Voucher action is invalid.", None),
            ("Voucher code must be provide to apply the voucher.", None),
        ),
        404: error(NOT_FOUND, ("campaign not found.", None)),
    },
)

cost = operation(
    operation_id="campaigns_cost",
    tag=TAG,
    summary="Campaign cost",
    description=(
        "Returns pricing details for a campaign using current or overridden options: the final "
        "pricing check before scheduling. cost = unit price x recipients; discount from the "
        "voucher; VAT 20% on (subtotal - discount). A campaign that is read-only, not approved or "
        "without recipients is answered 200 with a message and `data: null`. No request body is "
        "required. Right: Campaign.Read."
    ),
    parameters=[
        CAMPAIGN_ID_QUERY,
        query(
            "stockWeight",
            {"type": "string"},
            "Optional stock override (a stock weight code the format supports).",
        ),
        query("mailClass", {"type": "string"}, "Optional mail class override (First, Second)."),
        query("isAdMail", FLAG, "`true` or `false` (any casing); blank or omitted: the campaign's own."),
        query(
            "isConfidential", FLAG, "`true` or `false` (any casing); blank or omitted: the campaign's own."
        ),
        query("isDuplex", FLAG, "`true` or `false` (any casing); blank or omitted: the campaign's own."),
    ],
    responses={
        200: _cost(
            example("Cost details", "Successful!", COST),
            rule(
                "Read-only state", "Cost details unavailable — because it is currently in a read-only state."
            ),
            rule("Not approved", "Cost details unavailable - please approve the campaign first."),
            rule(
                "No recipients",
                "Cost details unavailable. Please add at least one recipient before approving.",
            ),
            description="Cost request processed: cost breakdown, or a business-rule message with data null.",
        ),
        400: error(
            "Invalid query values (boolean format, or a stock weight, mail class, admail, "
            "confidential or duplex option the campaign's format does not offer; the message lists "
            "the accepted values).",
            ("isAdMail is invalid.", None),
            ("isConfidential is invalid.", None),
            ("isDuplex is invalid.", None),
            (
                "Supported StockWeight values: 100UNCOAT, 120UNCOAT, 250SILK, 300GLOSS, 350SILK, 350UNCOAT",
                None,
            ),
            ("Supported Mail Class values: First, Second", None),
            ("Supported Admail values: true, false", None),
            ("Supported Confidential values: true, false", None),
            ("Supported Duplex values: true, false", None),
        ),
        404: error(NOT_FOUND, ("Cost details unavailable — campaign not found.", None)),
    },
)

available_dates = operation(
    operation_id="campaigns_available_dates",
    tag=TAG,
    summary="Available dispatch dates",
    description=(
        "Returns available campaign schedule dates in a date range (working days, minus bank "
        "holidays and blocked dates), as `yyyy-MM-dd`. Use these dates as `send_date` in "
        "POST /api/v1/campaigns/schedule. No request body is required. Right: Campaign.Read."
    ),
    parameters=[
        query("start", DAY, "Start date in `yyyy-MM-dd`. Defaults to today."),
        query("end", DAY, "End date in `yyyy-MM-dd`. Defaults to today + 30 days."),
    ],
    responses={
        200: ok(
            "AvailableDatesEnvelope",
            serializers.ListField(child=serializers.DateField()),
            example("Dates", "Successful!", ["2026-04-02", "2026-04-03", "2026-04-06", "2026-04-07"]),
            description="Available dates returned.",
        ),
        400: error(
            "Invalid date format for start or end, or an invalid range.",
            ("Invalid start date format. Expected format: yyyy-MM-dd (defaults to today)", None),
            ("Invalid end date format. Expected format: yyyy-MM-dd (defaults to 30 days time)", None),
            ("Invalid date range. The end date must be on or after the start date.", None),
        ),
    },
)

schedule = operation(
    operation_id="campaigns_schedule",
    tag=TAG,
    summary="Schedule a campaign",
    description=(
        "Schedules an approved campaign for dispatch: typically the final step of campaign setup. "
        "Use `send_date` from POST /api/v1/campaigns/availableDates or enable "
        "`next_available_date`. `use_balance=true` pays by balance (paymentStatus ACCEPTED); "
        "`false` makes a provisional booking (paymentStatus PENDING, with an orderId; an invoice "
        "follows by email). A business rule that blocks scheduling is answered 200 with a message "
        "and `data: null`. No request body is required. Right: Campaign.Write."
    ),
    parameters=[
        CAMPAIGN_ID_QUERY,
        query("send_date", DAY, "Requested schedule date in `yyyy-MM-dd`. Defaults to tomorrow."),
        query(
            "next_available_date",
            FLAG,
            "If true, the API uses the next available date at or after `send_date`.",
        ),
        query(
            "use_balance",
            FLAG,
            "`true` (default) to pay by balance; `false` to use provisional booking flow.",
        ),
    ],
    responses={
        200: ok(
            "CampaignScheduledEnvelope",
            ScheduledSerializer(allow_null=True),
            example(
                "Balance payment",
                "Congratulations! Your payment was successful. Campaign scheduled successfully!",
                {"campaignId": CAMPAIGN_ID, "paymentStatus": "ACCEPTED"},
            ),
            example(
                "Provisional booking",
                "Congratulations! Provisional booking was succesful.",
                {"campaignId": CAMPAIGN_ID, "orderId": "ORD-20260415-001", "paymentStatus": "PENDING"},
            ),
            rule("Read-only state", "Can not schedule campaign. Campaign is currently in a read-only state."),
            rule("Not approved", "Can not schedule campaign. Please approve the campaign first."),
            rule("Balance locked", "Can not schedule campaign. Company Balance is locked."),
            rule("Payment failed", "Can not schedule campaign. Something went wrong."),
            rule("Insufficient balance", "Can not schedule campaign. Insufficient balance."),
            rule(
                "No recipients",
                "Cost details unavailable. Please add at least one recipient before approving.",
            ),
            description="Schedule request processed: campaign and payment status, or a business-rule message with data null.",
        ),
        400: error(
            "Invalid date format, unavailable date, or company lacks provisional booking permission.",
            ("Invalid send_date format. Expected format: yyyy-MM-dd (defaults to tomorrow)", None),
            ("No available dates found from 2026-04-15 onwards.", None),
            ("The selected date 2026-04-15 is not available for scheduling.", None),
            ("Company does not have provisional booking permission.", None),
        ),
        404: error(NOT_FOUND, ("Can not schedule campaign. campaign not found.", None)),
    },
)

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse

from billing import dates as dispatch_dates
from billing import selectors as catalogue
from billing.errors import BillingErrorCode, VoucherCodeRequired
from campaigns import selectors, services
from campaigns.api.v1 import billing_schema as billing_docs
from campaigns.api.v1 import parsing
from campaigns.api.v1 import schema as docs
from campaigns.api.v1 import shapes as s
from campaigns.errors import (
    CampaignErrorCode,
    InvalidVoucherAction,
    PreviewMissingOnServer,
    PreviewNotFound,
    VoucherActionRequired,
)
from config.api.parsers import body_fields
from config.api.v1.pagination import lenient_paging_params, paged_items
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PlatformAPIView
from config.errors import InvalidInput, PayloadTooLarge

COMPANY_CLAIM = "CompanyId claim missing or invalid."
CLAIM = "Claim missing or invalid."


def campaign_id_param(request) -> str | None:
    """campaignId from the query (any casing), else from a JSON body."""
    for key, value in request.query_params.items():
        if key.lower() == "campaignid":
            return value
    return body_fields(request.data).get("campaignId")


class CampaignsView(PlatformAPIView):
    @property
    def unauthenticated_message(self):
        return CLAIM if self.request.method == "GET" else COMPANY_CLAIM

    @property
    def unexpected_message(self):
        if self.request.method == "GET":
            return "An unexpected error occurred."
        return "An error occurred. Please try again later."

    @property
    def max_body_bytes(self):
        return settings.CAMPAIGN_MAX_BODY_BYTES

    # A body over the limit is refused before it is read, with the create endpoint's own words.
    error_messages = {PayloadTooLarge: "PDF too large (>100MB)."}

    def get_required_right(self):
        return "Campaign.Read" if self.request.method == "GET" else "Campaign.Write"

    @docs.campaigns_list
    def get(self, request):
        query = request.query_params
        sort_field = (query.get("sortField") or "updateddate").strip().lower()
        sort_order = (query.get("sortOrder") or "descending").strip().lower()
        if sort_field not in selectors.SORT_FIELDS:
            raise InvalidInput(CampaignErrorCode.INVALID_SORT_FIELD, allowed=list(selectors.SORT_FIELDS))
        if sort_order not in selectors.SORT_ORDERS:
            raise InvalidInput(CampaignErrorCode.INVALID_SORT_ORDER, allowed=list(selectors.SORT_ORDERS))
        offset, limit = lenient_paging_params(query)
        page = selectors.campaign_page(
            company=self.company,
            sort_field=sort_field,
            descending=sort_order == "descending",
            offset=offset,
            limit=limit,
        )
        body = paged_items(page, [s.campaign_list_item(c) for c in page.items])
        return ApiResponse(body, message="Campaign list fetched successfully.")

    @docs.create
    def post(self, request):
        spec, template_id, pdf, template_name = parsing.create_request(request.data)
        created = services.campaign_create(
            company=self.company,
            by=self.principal.user,
            spec=spec,
            template_id=template_id,
            pdf=pdf,
            template_name=template_name,
        )
        return ApiResponse(s.created(created), message="Campaign created successfully.")


class CampaignParametersView(PlatformAPIView):
    required_right = "Campaign.Read"
    unauthenticated_message = CLAIM

    @docs.parameters
    def get(self, request):
        return ApiResponse(
            s.parameters(catalogue.catalogue_values()), message="Campaign parameters fetched successfully."
        )


class CampaignConfigurationsView(PlatformAPIView):
    required_right = "Campaign.Read"
    unauthenticated_message = CLAIM

    @docs.configurations
    def get(self, request):
        formats = s.formats_for(request.query_params.get("pageSize"), request.query_params.get("orientation"))
        if formats is None:
            raise InvalidInput(CampaignErrorCode.INVALID_PAGE_FORMAT)
        products = catalogue.combinations_by_format([f.code for f in formats])
        data = [s.configuration(f, products[f.code]) for f in formats if products.get(f.code)]
        return ApiResponse(data, message="Campaign configurations fetched successfully.")


class CampaignView(PlatformAPIView):
    required_right = "Campaign.Read"
    unauthenticated_message = COMPANY_CLAIM

    @docs.details
    def get(self, request, campaign_id):
        campaign = selectors.get_campaign_for_company(company=self.company, campaign_id=campaign_id)
        return ApiResponse(s.campaign_details(campaign), message="Campaign details fetched successfully.")


class CampaignPreviewView(PlatformAPIView):
    required_right = "Campaign.Read"
    unauthenticated_message = COMPANY_CLAIM
    error_messages = {CampaignErrorCode.CAMPAIGN_NOT_FOUND: "Preview file not found for this campaign."}

    @docs.preview
    def get(self, request, campaign_id):
        campaign = selectors.get_campaign_for_company(company=self.company, campaign_id=campaign_id)
        if not campaign.preview_file:
            raise PreviewNotFound()
        try:
            handle = default_storage.open(campaign.preview_file, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise PreviewMissingOnServer() from exc
        return FileResponse(
            handle, content_type="application/pdf", as_attachment=True, filename="campaign-preview.pdf"
        )


class CampaignApproveView(PlatformAPIView):
    required_right = "Campaign.Approve"
    unauthenticated_message = COMPANY_CLAIM
    error_messages = {
        CampaignErrorCode.CAMPAIGN_NOT_FOUND: "Approval failed: the campaign could not be found.",
        CampaignErrorCode.CAMPAIGN_READ_ONLY: "Unable to approve the campaign because it is currently in a read-only state.",
    }

    @docs.approve
    def post(self, request):
        campaign = services.campaign_approve(
            company=self.company, campaign_id=campaign_id_param(request), by=self.principal.user
        )
        return ApiResponse(s.approved(campaign), message="Campaign approved successfully.")


class CampaignStatusDetailsView(PlatformAPIView):
    required_right = "Campaign.Read"
    unauthenticated_message = COMPANY_CLAIM
    error_messages = {CampaignErrorCode.CAMPAIGN_NOT_FOUND: "campaign not found."}

    @docs.status_details
    def post(self, request):
        campaign = selectors.get_campaign_for_company(
            company=self.company, campaign_id=campaign_id_param(request)
        )
        history = selectors.status_history(campaign)
        return ApiResponse(s.status_details(campaign, history), message="Successful!")


class CampaignDeleteView(PlatformAPIView):
    required_right = "Campaign.Delete"
    unauthenticated_message = COMPANY_CLAIM
    error_messages = {
        CampaignErrorCode.CAMPAIGN_NOT_FOUND: "Cannot delete — campaign not found.",
        CampaignErrorCode.CAMPAIGN_READ_ONLY: "Can not delete. Campaign is already scheduled or in a read-only state.",
    }

    @docs.delete
    def post(self, request):
        services.campaign_delete(company=self.company, campaign_id=campaign_id_param(request))
        return ApiResponse(True, message="Campaign deleted successfully.")


# ---- billing: voucher, cost, availableDates, schedule ------------------------------------------


class CampaignVoucherView(PlatformAPIView):
    required_right = "Campaign.Write"
    unauthenticated_message = COMPANY_CLAIM
    error_messages = {
        CampaignErrorCode.CAMPAIGN_NOT_FOUND: "campaign not found.",
        CampaignErrorCode.CAMPAIGN_NOT_APPROVED: "Approve the campaign to apply the voucher",
        CampaignErrorCode.CAMPAIGN_HAS_NO_RECIPIENTS: "Can not apply voucher. Please add at least one recipient before approving.",
    }

    @billing_docs.voucher
    def post(self, request):
        query = request.query_params
        action = (parsing.query_value(query, "VoucherAction") or "").strip().lower()
        if not action:
            raise VoucherActionRequired()
        if action not in ("apply", "remove"):
            raise InvalidVoucherAction()
        campaign_id = campaign_id_param(request)
        if action == "apply":
            code = (parsing.query_value(query, "VoucherCode") or "").strip()
            if not code:
                raise VoucherCodeRequired()
            priced = services.campaign_voucher_apply(
                company=self.company, campaign_id=campaign_id, code=code, by=self.principal.user
            )
        else:
            priced = services.campaign_voucher_remove(
                company=self.company, campaign_id=campaign_id, by=self.principal.user
            )
        return ApiResponse(s.cost_details(priced), message="Successful!")


class CampaignCostView(PlatformAPIView):
    required_right = "Campaign.Read"
    unauthenticated_message = COMPANY_CLAIM
    error_messages = {
        CampaignErrorCode.CAMPAIGN_NOT_FOUND: "Cost details unavailable — campaign not found.",
        CampaignErrorCode.CAMPAIGN_READ_ONLY: "Cost details unavailable — because it is currently in a read-only state.",
        CampaignErrorCode.CAMPAIGN_NOT_APPROVED: "Cost details unavailable - please approve the campaign first.",
        CampaignErrorCode.CAMPAIGN_HAS_NO_RECIPIENTS: "Cost details unavailable. Please add at least one recipient before approving.",
    }

    @billing_docs.cost
    def post(self, request):
        query = request.query_params
        options = services.CostOptions(
            stock_weight=(parsing.query_value(query, "stockWeight") or "").strip() or None,
            mail_class=(parsing.query_value(query, "mailClass") or "").strip() or None,
            is_admail=parsing.query_flag(query, "isAdMail"),
            is_confidential=parsing.query_flag(query, "isConfidential"),
            is_duplex=parsing.query_flag(query, "isDuplex"),
        )
        priced = services.campaign_cost(
            company=self.company, campaign_id=campaign_id_param(request), options=options
        )
        return ApiResponse(s.cost_details(priced), message="Successful!")


class CampaignAvailableDatesView(PlatformAPIView):
    required_right = "Campaign.Read"
    unauthenticated_message = COMPANY_CLAIM

    @billing_docs.available_dates
    def post(self, request):
        query = request.query_params
        start = parsing.query_date(query, "start", name="start date", default_words="today")
        end = parsing.query_date(query, "end", name="end date", default_words="30 days time")
        days = dispatch_dates.available_dates(start=start, end=end)
        return ApiResponse([day.isoformat() for day in days], message="Successful!")


class CampaignScheduleView(PlatformAPIView):
    required_right = "Campaign.Write"
    unauthenticated_message = COMPANY_CLAIM
    error_messages = {
        CampaignErrorCode.CAMPAIGN_NOT_FOUND: "Can not schedule campaign. campaign not found.",
        CampaignErrorCode.CAMPAIGN_READ_ONLY: "Can not schedule campaign. Campaign is currently in a read-only state.",
        CampaignErrorCode.CAMPAIGN_NOT_APPROVED: "Can not schedule campaign. Please approve the campaign first.",
        CampaignErrorCode.CAMPAIGN_HAS_NO_RECIPIENTS: "Cost details unavailable. Please add at least one recipient before approving.",
        # The documented "payment failed" outcome; a short balance says so in the same shape.
        BillingErrorCode.INSUFFICIENT_BALANCE: "Can not schedule campaign. Insufficient balance.",
        BillingErrorCode.BALANCE_LOCKED: "Can not schedule campaign. Company Balance is locked.",
        BillingErrorCode.PAYMENT_FAILED: "Can not schedule campaign. Something went wrong.",
        BillingErrorCode.VOUCHER_INVALID: "Can not schedule campaign. Voucher code is not valid.",
    }

    @billing_docs.schedule
    def post(self, request):
        query = request.query_params
        send_date = parsing.query_date(query, "send_date", name="send_date", default_words="tomorrow")
        next_available = parsing.query_flag(query, "next_available_date")
        use_balance = parsing.query_flag(query, "use_balance")
        result = services.campaign_schedule(
            company=self.company,
            campaign_id=campaign_id_param(request),
            send_date=send_date,
            next_available=bool(next_available),
            use_balance=use_balance is not False,
            by=self.principal.user,
        )
        if result.payment_status == services.ACCEPTED:
            message = "Congratulations! Your payment was successful. Campaign scheduled successfully!"
        else:
            message = "Congratulations! Provisional booking was succesful."
        return ApiResponse(s.schedule_result(result), message=message)

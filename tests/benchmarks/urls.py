import csv
import io

from django.core.files.storage import default_storage
from django.urls import path
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import MESSAGE_CHANNELS, Campaign
from config.urls import urlpatterns as real_urlpatterns
from messaging.models import ClientCampaign, Message, MessageExport


class BareView(APIView):
    """The baseline: a DRF endpoint with no auth, no database, returning a constant."""

    authentication_classes = []
    permission_classes = []

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"ok": True})


class BareReadView(APIView):
    """A baseline that reads: a plain DRF endpoint, no auth, no throttle, plain JSON."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    renderer_classes = [JSONRenderer]


class BareCampaignsView(BareReadView):
    """The baseline of the services API's campaign list: a plain DRF endpoint (no auth, no
    throttle, no paging) returning the workspace's newest 10 message campaigns as plain dicts."""

    def get(self, request, workspace_id):
        campaigns = (
            Campaign.unscoped.filter(workspace_id=workspace_id, channel__in=MESSAGE_CHANNELS)
            .select_related("message_settings")
            .order_by("-created_at", "-id")[:10]
        )
        return Response({"data": [_campaign_dict(campaign) for campaign in campaigns]})


def _campaign_dict(campaign: Campaign) -> dict:
    settings = campaign.message_settings
    return {
        "uuid": str(campaign.pk),
        "name": campaign.name,
        "status": campaign.status,
        "sending_type": campaign.channel,
        "schedule_type": settings.schedule_type,
        "schedule_rrule": settings.schedule_rrule,
        "template": settings.template,
        "webpush_title": settings.webpush_title,
        "webpush_body": settings.webpush_body,
        "webpush_target_url": settings.webpush_target_url,
        "webpush_icon": settings.webpush_icon,
        "webpush_image": settings.webpush_image,
        "sender": settings.sender,
        "recipient_lists": ",".join(settings.recipient_lists),
        "query_type": settings.query_type,
        "query": settings.query,
        "created_dt": campaign.created_at.isoformat(),
        "updated_dt": campaign.updated_at.isoformat(),
        "next_dt": settings.next_at.isoformat() if settings.next_at else None,
        "last_dt": settings.last_at.isoformat() if settings.last_at else None,
    }


class BareClientCampaignsView(BareReadView):
    """The baseline of campaign API v2's getAll?resultSize=100: a plain DRF endpoint (no auth, no
    throttle) returning the company's newest 100 client campaigns, with their campaign and
    settings, as plain dicts."""

    def get(self, request, company_id):
        rows = (
            ClientCampaign.unscoped.filter(company_id=company_id)
            .select_related("campaign__message_settings")
            .order_by("-id")[:100]
        )
        return Response({"Campaigns": [_client_campaign_dict(row) for row in rows]})


def _client_campaign_dict(row: ClientCampaign) -> dict:
    campaign, settings = row.campaign, row.campaign.message_settings
    return {
        "ID": row.pk,
        "Name": campaign.name,
        "Status": campaign.status,
        "Message": row.message,
        "JSON": row.json,
        "SendAt": row.send_at.isoformat(),
        "CreatedAt": campaign.created_at.isoformat(),
        "UpdatedAt": campaign.updated_at.isoformat(),
        "SentCount": settings.sent_count,
        "DeliveredCount": settings.delivered_count,
        "FailedCount": settings.failed_count,
        "Total": settings.total_messages,
    }


class BareClientMessagesView(BareReadView):
    """The baseline of campaign API v2's getCampMsgs?resultSize=100: a plain DRF endpoint (no auth,
    no throttle) returning a campaign's first 100 messages in client order as plain dicts."""

    def get(self, request, campaign_id):
        rows = (
            Message.unscoped.filter(campaign_id=campaign_id, client__isnull=False)
            .order_by("campaign_id", "occurrence_id", "client")
            .values(
                "message_key",
                "address",
                "status",
                "last_error",
                "attempts",
                "body",
                "sent_at",
                "delivered_at",
            )[:100]
        )
        return Response({"Messages": list(rows)})


class BareExportPageView(APIView):
    """The baseline of the messages export API's fetch as json: a plain DRF endpoint (no headers,
    no throttle, no audit) reading the export's stored page and answering its rows as
    {customer_id, message} dicts."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    renderer_classes = [JSONRenderer]

    def post(self, request, export_id, number):
        export = MessageExport.unscoped.get(pk=export_id)
        with default_storage.open(export.page_key(number), "rb") as page:
            reader = csv.reader(io.TextIOWrapper(page, encoding="utf-8", newline=""))
            next(reader)
            rows = [{"customer_id": customer, "message": message} for customer, message in reader]
        return Response({"data": rows})


urlpatterns = [
    path("bench/bare", BareView.as_view()),
    path("bench/bare-export-page/<uuid:export_id>/<int:number>", BareExportPageView.as_view()),
    path("bench/bare-campaigns/<uuid:workspace_id>", BareCampaignsView.as_view()),
    path("bench/bare-client-campaigns/<uuid:company_id>", BareClientCampaignsView.as_view()),
    path("bench/bare-client-messages/<uuid:campaign_id>", BareClientMessagesView.as_view()),
    *real_urlpatterns,
]

"""/v1/: the messages export API. Campaigns by workspace, publish (an export job), pages (from the
job's row), fetch (a page as CSV text, JSON rows or a link) and the signed download behind a link.
Every call is audited (messaging.services.exports) with the caller's x-ip."""

from django.http import FileResponse
from django.urls import reverse
from rest_framework.response import Response

from config.api.export.exceptions import LinkRefused
from config.api.export.views import CAMPAIGN_WRITE, ExportAPIView, PublicExportAPIView
from messaging import selectors
from messaging.api.export import requests
from messaging.api.export import schema as docs
from messaging.api.export.responses import fetch_body, pages_body, publish_body
from messaging.services import exports
from messaging.services.exports import ExportType

# Far past any token the domain signs: a longer one is refused unread.
MAX_TOKEN_LENGTH = 1000


class CampaignAllView(ExportAPIView):
    @docs.campaign_all
    def post(self, request):
        requests.body_of(request.data)
        campaigns = selectors.campaigns_by_workspace(company=self.company)
        exports.messages_api_call_record(
            company=self.company, user=self.user, ip=self.ip, endpoint=exports.Endpoint.CAMPAIGNS
        )
        return Response({"data": campaigns})


class PublishView(ExportAPIView):
    required_right = CAMPAIGN_WRITE

    @docs.messages_publish
    def post(self, request):
        data = requests.required(request.data, "campaign_id")
        export = exports.messages_publish(
            company=self.company, campaign_id=requests.campaign_id_of(data), user=self.user, ip=self.ip
        )
        return Response(publish_body(export), status=202)


class PagesView(ExportAPIView):
    @docs.messages_pages
    def post(self, request):
        data = requests.required(request.data, "campaign_id")
        pages = exports.messages_pages(
            company=self.company, campaign_id=requests.campaign_id_of(data), user=self.user, ip=self.ip
        )
        return Response(pages_body(pages))


class FetchView(ExportAPIView):
    @docs.messages_fetch
    def post(self, request):
        data = requests.required(request.data, "campaign_id", "file_num", "export_type")
        campaign_id = requests.campaign_id_of(data)
        export_type = requests.export_type_of(data)
        page = exports.messages_fetch(
            company=self.company,
            campaign_id=campaign_id,
            file_num=requests.file_num_of(data),
            export_type=export_type,
            user=self.user,
            ip=self.ip,
        )
        url = None
        if export_type == ExportType.URL:
            url = page.url or request.build_absolute_uri(
                reverse("export:messages-download", kwargs={"token": page.url_token})
            )
        return Response(fetch_body(page, export_type, url=url))


class DownloadView(PublicExportAPIView):
    """The signed link of a fetch as url on local storage: the token names the company and the
    page, and expires; nothing else is asked."""

    @docs.messages_download
    def get(self, request, token):
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise LinkRefused()
        file, filename = exports.download_open(token=token)
        return FileResponse(file, as_attachment=True, filename=filename, content_type=exports.CONTENT_TYPE)

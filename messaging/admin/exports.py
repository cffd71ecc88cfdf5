"""The messages export API in the back office, read-only as the API's rules want it: export jobs
of every company (status, rows, pages, error, and a download link per page while its files are
kept, served to staff only) and each company's usage by month (counted by publishes and pages
calls). Staff change only the company's monthly row limit, on the company's page, and rotate
its api_code there (accounts.admin)."""

from django.contrib import admin
from django.db.models import F
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from config.admin import KeySearch, ReadOnly, change_url, shortened
from config.admin_files import stored_file_response
from messaging.models import MessageExport, MessagesUsage

ERROR_SHOWN = 60  # characters of an export's error in the list (all of it on hover)


@admin.register(MessageExport)
class MessageExportAdmin(KeySearch, ReadOnly, admin.ModelAdmin):
    """The jobs of POST /v1/messages/publish, newest first, with their pages to download."""

    list_display = [
        "id", "company", "campaign_link", "status", "is_current", "pages", "rows", "rows_reserved",
        "created_at", "finished_at", "error_shown",
    ]  # fmt: skip
    list_filter = ["status", "is_current", ("company", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["company", "campaign"]
    search_fields = ["campaign__name"]
    search_help_text = "Part of a campaign's name, or a job's id (job_id)."
    ordering = ["-created_at"]
    show_full_result_count = False
    fields = [
        "id", "company", "campaign_link", "status", "is_current", "page_rows", "pages", "rows",
        "rows_reserved", "attempts", "error", "requested_by", "requested_ip", "created_at", "started_at",
        "heartbeat_at", "finished_at", "files_purge_at", "files",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        # A campaign of campaign API v2 has its own page, by its number.
        return super().get_queryset(request).annotate(client_number=F("campaign__client_campaign__id"))

    @admin.display(description="campaign", ordering="campaign__name")
    def campaign_link(self, export):
        if export.client_number is not None:
            url = reverse("admin:messaging_clientcampaign_change", args=[export.client_number])
        else:
            url = reverse("admin:messaging_messagecampaign_change", args=[export.campaign_id])
        return format_html('<a href="{}">{}</a>', url, export.campaign.name)

    @admin.display(description="error")
    def error_shown(self, export):
        return shortened(export.error, ERROR_SHOWN)

    @admin.display(description="pages to download")
    def files(self, export):
        if not export.pages:
            return "none written yet"
        if not export.files_kept():
            return "removed from storage (replaced or failed)"
        links = ((self.page_url(export, number), f"page-{number:05d}.csv") for number in range(export.pages))
        return format_html_join(" ", '<a href="{}">{}</a>', links)

    @staticmethod
    def page_url(export, number: int) -> str:
        return reverse("admin:messaging_messageexport_page", args=[export.pk, number])

    def get_urls(self):
        page = self.admin_site.admin_view(self.page_view)  # active staff only
        return [
            path("<uuid:export_id>/pages/<int:number>/", page, name="messaging_messageexport_page"),
            *super().get_urls(),
        ]

    def page_view(self, request, export_id, number: int):
        """One page of an export whose files are kept, by number (only the export's own keys)."""
        export = self.get_queryset(request).filter(pk=export_id).first()
        if export is None or not self.has_view_permission(request, export):
            raise Http404("No such export")
        if not export.files_kept() or not 0 <= number < export.pages:
            raise Http404("No such page")
        filename = f"messages-{export.campaign_id}-page-{number:05d}.csv"
        return stored_file_response(export.page_key(number), filename=filename, as_attachment=True)


@admin.register(MessagesUsage)
class MessagesUsageAdmin(ReadOnly, admin.ModelAdmin):
    """Each company's use of the messages export API by month, beside its monthly row limit."""

    list_display = ["company_link", "month_shown", "rows_published", "row_limit", "pages_calls"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["company"]
    ordering = ["-month", "company__name"]
    fields = ["company_link", "month_shown", "rows_published", "row_limit", "pages_calls"]
    readonly_fields = fields

    @admin.display(description="company", ordering="company__name")
    def company_link(self, usage):
        return format_html('<a href="{}">{}</a>', change_url(usage.company), usage.company)

    @admin.display(description="month", ordering="month")
    def month_shown(self, usage):
        return f"{usage.month:%Y-%m}"

    @admin.display(description="monthly row limit (the company's, edited on its page)")
    def row_limit(self, usage):
        limit = usage.company.messages_monthly_row_limit
        return "unlimited" if limit is None else limit

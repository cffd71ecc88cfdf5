from django.contrib import admin
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html

from campaigns import services
from campaigns import status as machine
from campaigns.models import Campaign, PrintOptions, StatusChange


class PrintOptionsInline(admin.StackedInline):
    model = PrintOptions
    can_delete = False
    readonly_fields = [
        "template", "format_code", "product", "stock_weight", "mail_class", "is_duplex", "is_admail",
        "is_confidential", "default_recipient_name",
    ]  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusChangeInline(admin.TabularInline):
    """The status history, as written by the one transition function: read-only."""

    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_at", "from_status", "status", "changed_by", "note"]
    ordering = ["changed_at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns change through their services (create, approve, ...) so that every rule and the
    status history hold; here staff read them, rename editable ones and open the preview."""

    list_display = ["name", "company", "channel", "status", "recipient_count", "preview_link", "updated_at"]
    list_filter = ["status", "channel"]
    search_fields = ["name", "company__name", "id"]
    list_select_related = ["company"]
    show_full_result_count = False
    inlines = [PrintOptionsInline, StatusChangeInline]
    readonly_fields = [
        "id", "company", "channel", "status", "selection", "recipient_group", "recipient", "recipient_count",
        "total_cost", "dispatch_date", "preview_link", "preview_generated_at", "preview_error", "approved_at",
        "created_by", "created_at", "updated_at",
    ]  # fmt: skip
    fields = ["name", *readonly_fields]

    @admin.display(description="preview")
    def preview_link(self, obj):
        if not obj.preview_file:
            return "not rendered yet" if not obj.preview_error else f"failed: {obj.preview_error}"
        return format_html(
            '<a href="{}">preview PDF</a>', reverse("admin:campaigns_campaign_preview", args=[obj.pk])
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<uuid:campaign_id>/preview/", preview, name="campaigns_campaign_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, campaign_id):
        campaign = Campaign.unscoped.filter(pk=campaign_id).first()
        if campaign is None or not self.has_view_permission(request, campaign) or not campaign.preview_file:
            raise Http404("No preview")
        try:
            handle = default_storage.open(campaign.preview_file, "rb")
        except OSError as exc:
            raise Http404("Preview file does not exist on server.") from exc
        return FileResponse(handle, content_type="application/pdf", filename="campaign-preview.pdf")

    def delete_model(self, request, obj):
        services.campaign_delete(company=obj.company, campaign_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for campaign in queryset.select_related("company"):
            services.campaign_delete(company=campaign.company, campaign_id=campaign.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None or not machine.is_read_only(obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None or not machine.is_read_only(obj)

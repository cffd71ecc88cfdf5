from django.contrib import admin
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from campaigns import services
from campaigns import status as machine
from campaigns.models import Campaign, PrintOptions, PrintRun, StatusChange
from config.admin_files import stored_file_response, stored_file_url


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
        "created_by", "created_at", "updated_at", "print_output",
    ]  # fmt: skip
    fields = ["name", *readonly_fields]
    stored_file_fields = ["preview_file"]  # opened through config.admin_files

    @admin.display(description="preview")
    def preview_link(self, obj):
        if not obj.preview_file:
            return "not rendered yet" if not obj.preview_error else f"failed: {obj.preview_error}"
        return format_html('<a href="{}">preview PDF</a>', stored_file_url(obj, "preview_file"))

    @admin.display(description="print files")
    def print_output(self, obj):
        """The print-ready output (campaigns.printing), with a download link per file."""
        run = PrintRun.unscoped.filter(campaign=obj).first()
        if run is None:
            return "not written yet"
        if run.status != PrintRun.Status.DONE:
            return (
                f"{run.get_status_display()} (attempt {run.attempt}){': ' + run.error if run.error else ''}"
            )
        rows = [
            (self._print_file_url(obj, f["name"]), f["name"], f["letters"], f["pages"]) for f in run.files
        ]
        rows.append((self._print_file_url(obj, "manifest.csv"), "manifest.csv", "", ""))
        return format_html(
            "{} letters, {} pages in {} file(s), finished {}<table>"
            "<tr><th>file</th><th>letters</th><th>pages</th></tr>{}</table>",
            run.letters,
            run.pages,
            len(run.files),
            run.finished_at,
            format_html_join("", '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td></tr>', rows),
        )

    @staticmethod
    def _print_file_url(obj, name: str) -> str:
        return reverse("admin:campaigns_campaign_print_file", args=[obj.pk, name])

    def get_urls(self):
        print_file = self.admin_site.admin_view(self.print_file_view)
        return [
            path("<uuid:campaign_id>/print/<str:name>", print_file, name="campaigns_campaign_print_file"),
            *super().get_urls(),
        ]

    def print_file_view(self, request, campaign_id, name):
        """One file of the campaign's finished print run, by name (only the run's own keys)."""
        run = PrintRun.unscoped.filter(campaign_id=campaign_id, status=PrintRun.Status.DONE).first()
        campaign = run.campaign if run else None
        if run is None or not self.has_view_permission(request, campaign):
            raise Http404("No print files")
        keys = {f["name"]: f["key"] for f in run.files} | {"manifest.csv": run.manifest}
        if name not in keys:
            raise Http404("No such print file")
        return stored_file_response(keys[name], filename=name, as_attachment=True)

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

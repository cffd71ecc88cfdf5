from django.contrib import admin, messages
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from billing import selectors as billing_selectors
from campaigns import printing, services
from campaigns import status as machine
from campaigns.models import Campaign, Channel, PrintOptions, PrintRun, StatusChange
from config.admin import ServiceAdmin, change_url, shortened
from config.admin_files import stored_file_response, stored_file_url
from config.errors import DomainError
from config.errors_text import staff_text


# The staff actions' services, as (campaign, staff user) -> None. The background work (preview,
# print files, dispatch) is enqueued as the tasks once the request's transaction commits: no
# background work runs inside a web request; each service checks its rule first, so a refusal is
# told at once.
def _cancel(c, by):
    services.campaign_cancel(company=c.company, campaign_id=c.pk, by=by)


def _render_preview(c, by):
    services.campaign_preview_request(company=c.company, campaign_id=c.pk)


def _write_print_files(c, by):
    printing.print_files_request(company=c.company, campaign_id=c.pk)


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
class CampaignAdmin(ServiceAdmin):
    """Print campaigns (message campaigns are messaging.admin's). They change through their
    services (create, approve, ...) so that every rule and the status history hold; here staff read
    them, rename editable ones, open the preview and the print files, and act through the list's
    actions (cancel, re-render the preview, write the print files, dispatch what is due), each a
    campaigns service. The status is never edited."""

    list_display = [
        "name", "status", "recipient_count", "total_cost", "dispatch_date", "company", "preview_link", "updated_at",
    ]  # fmt: skip
    actions = ["cancel_campaigns", "render_previews", "write_print_files_now", "dispatch_due_now"]
    list_filter = ["status"]
    search_fields = ["name", "company__name", "id"]
    list_select_related = ["company"]
    show_full_result_count = False
    inlines = [PrintOptionsInline, StatusChangeInline]
    readonly_fields = [
        "id", "company", "channel", "status", "selection", "recipient_group", "recipient", "recipient_count",
        "total_cost", "paid_by", "dispatch_date", "preview_link", "preview_generated_at", "preview_error", "approved_at",
        "created_by", "created_at", "updated_at", "print_output",
    ]  # fmt: skip
    fields = ["name", *readonly_fields]
    stored_file_fields = ["preview_file"]  # opened through config.admin_files

    def get_queryset(self, request):
        return super().get_queryset(request).filter(channel=Channel.POST)

    @admin.display(description="preview")
    def preview_link(self, obj):
        if not obj.preview_file:
            return shortened(f"failed: {obj.preview_error}", 60) if obj.preview_error else "not rendered yet"
        return format_html('<a href="{}">preview PDF</a>', stored_file_url(obj, "preview_file"))

    @admin.display(description="paid by")
    def paid_by(self, obj):
        """The campaign's payment from the balance or its order (provisional booking), linked."""
        payment = billing_selectors.payment_for_reference(company=obj.company, reference=str(obj.pk))
        if payment is not None:
            refunded = f", {payment.refunded} refunded" if payment.refunded else ""
            return format_html(
                '<a href="{}">balance: {}{}</a>', change_url(payment), payment.amount, refunded
            )
        order = billing_selectors.order_for_reference(company=obj.company, reference=str(obj.pk))
        if order is not None:
            return format_html(
                '<a href="{}">order {} ({})</a>', change_url(order), order.number, order.get_status_display()
            )
        return "-"

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

    def delete_through_service(self, request, obj):
        services.campaign_delete(company=obj.company, campaign_id=obj.pk)

    def never_deletable(self, obj):
        try:
            machine.require_writable(obj)
        except DomainError as exc:
            return exc
        return None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None or not machine.is_read_only(obj)

    # ---- staff actions: each calls a campaigns service; a refusal is told per campaign ----------

    def _each(self, request, queryset, call, done: str) -> None:
        for campaign in queryset.select_related("company"):
            try:
                call(campaign, request.user)
            except DomainError as exc:
                self.message_user(request, f"{campaign}: {staff_text(exc)}", messages.ERROR)
            else:
                self.message_user(request, f"{campaign}: {done}", messages.SUCCESS)

    @admin.action(description="Cancel selected campaigns (refund what was paid)", permissions=["change"])
    def cancel_campaigns(self, request, queryset):
        self._each(request, queryset, _cancel, "cancelled.")

    @admin.action(description="Re-render the preview of selected campaigns", permissions=["change"])
    def render_previews(self, request, queryset):
        self._each(request, queryset, _render_preview, "preview queued for rendering.")

    @admin.action(description="Write the print files of selected campaigns now", permissions=["change"])
    def write_print_files_now(self, request, queryset):
        self._each(request, queryset, _write_print_files, "print files queued for writing.")

    @admin.action(description="Dispatch selected campaigns that are due now", permissions=["change"])
    def dispatch_due_now(self, request, queryset):
        campaigns = list(queryset)
        due = services.campaigns_dispatch_request(campaign_ids=[c.pk for c in campaigns])
        for campaign in campaigns:
            if campaign.pk in due.printing:
                self.message_user(
                    request, f"{campaign}: printing; print and dispatch queued.", messages.SUCCESS
                )
            elif campaign.pk in due.held:
                self.message_user(
                    request, f"{campaign}: held, still awaiting payment on its send date.", messages.WARNING
                )
            else:
                self.message_user(
                    request,
                    f"{campaign}: not due for dispatch ({campaign.get_status_display()}, send date "
                    f"{campaign.dispatch_date or 'none'}).",
                    messages.WARNING,
                )

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from recipients.models import ImportJob, ImportRowError, Recipient, RecipientGroup


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "address1", "city", "postcode", "email", "created_at"]
    search_fields = ["first_name", "last_name", "postcode", "email", "company__name"]
    list_select_related = ["company"]
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page
    readonly_fields = ["id", "company", "import_job", "source_row", "created_at", "updated_at"]
    raw_id_fields = ["company"]


@admin.register(RecipientGroup)
class RecipientGroupAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "company",
        "is_default",
        "status",
        "recipient_count",
        "failed_records",
        "total_records",
        "created_at",
    ]
    list_filter = ["status", "is_default"]
    search_fields = ["name", "company__name", "file_name"]
    list_select_related = ["company"]
    readonly_fields = [
        "id", "company", "is_default", "status", "file_name", "recipient_count", "total_records",
        "failed_records", "processed_records", "failure_reason", "created_at", "updated_at", "import_errors",
    ]  # fmt: skip
    fields = ["id", "name", *readonly_fields[1:]]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Import error report (first 200 rows)")
    def import_errors(self, group):
        rows = ImportRowError.objects.filter(job__group=group).order_by("row_number")[:200]
        if not rows:
            return "-"
        return format_html(
            "<table><tr><th>Row</th><th>Reason</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", ((r.row_number, r.reason) for r in rows)),
        )


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "company",
        "group",
        "status",
        "processed_rows",
        "imported_rows",
        "failed_rows",
        "percent_done",
        "attempts",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status"]
    search_fields = ["file_name", "company__name", "group__name", "id"]
    list_select_related = ["company", "group"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

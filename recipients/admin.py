"""Back office for recipients, groups and imports. Deletes and edits go through recipients.services
(counts, memberships and the "in an active campaign" rule stay in one place), and a refusal is
shown with the service's reason."""

import uuid
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from config.admin import ServiceAdmin, change_url, shortened
from recipients import services
from recipients.models import MAX_LENGTHS, ImportJob, ImportRowError, Recipient, RecipientGroup

RECIPIENT_FIELDS = [*MAX_LENGTHS, "custom_fields"]


def recipients_of_group_url(group) -> str:
    """The recipients list filtered to one group (RecipientGroupFilter)."""
    query = urlencode({RecipientGroupFilter.parameter_name: str(group.pk)})
    return f"{reverse('admin:recipients_recipient_changelist')}?{query}"


def group_link(group):
    return format_html('<a href="{}">{}</a>', change_url(group), group.name) if group else "-"


class RecipientGroupFilter(admin.SimpleListFilter):
    """The recipients of one group, reached from the group's page (no list of every group: a
    company may have thousands)."""

    title = "group"
    parameter_name = "group"

    def _group(self, request):
        try:
            key = uuid.UUID(str(self.value()))
        except ValueError:
            return None
        return RecipientGroup.unscoped.filter(pk=key).first()

    def lookups(self, request, model_admin):
        group = self._group(request) if self.value() else None
        return [(str(group.pk), f"{group.name} ({group.company})")] if group else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            key = uuid.UUID(str(self.value()))
        except ValueError:
            return queryset.none()
        return queryset.filter(memberships__group_id=key)


@admin.register(Recipient)
class RecipientAdmin(ServiceAdmin):
    list_display = ["__str__", "company", "postcode", "city", "address1", "email", "created_at"]
    list_filter = [RecipientGroupFilter]
    search_fields = ["first_name", "last_name", "postcode", "email", "company__name"]
    list_select_related = ["company"]
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page
    readonly_fields = ["id", "company", "groups_list", "import_job", "source_row", "created_at", "updated_at"]
    fields = [*readonly_fields[:3], *RECIPIENT_FIELDS, *readonly_fields[3:]]

    def has_add_permission(self, request):
        return False  # a recipient joins a group (and the counts) through the API or an import

    @admin.display(description="groups")
    def groups_list(self, recipient):
        groups = RecipientGroup.unscoped.filter(memberships__recipient=recipient).order_by("name")
        return format_html_join(", ", '<a href="{}">{}</a>', ((change_url(g), g.name) for g in groups)) or "-"

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in form.changed_data if field in RECIPIENT_FIELDS}
        with self.refusals():
            saved = services.recipient_update(company=obj.company, recipient_id=obj.pk, values=values)
        obj.__dict__.update({field: getattr(saved, field) for field in [*RECIPIENT_FIELDS, "updated_at"]})

    def delete_through_service(self, request, obj):
        services.recipient_delete(company=obj.company, recipient_id=obj.pk)


@admin.register(RecipientGroup)
class RecipientGroupAdmin(ServiceAdmin):
    list_display = [
        "name",
        "company",
        "recipient_count",
        "status",
        "is_default",
        "failed_records",
        "total_records",
        "created_at",
    ]
    list_filter = ["status", "is_default"]
    search_fields = ["name", "company__name", "file_name"]
    list_select_related = ["company"]
    readonly_fields = [
        "id", "company", "is_default", "status", "recipients_link", "import_job_link", "file_name",
        "recipient_count", "total_records", "failed_records", "processed_records", "failure_reason",
        "created_at", "updated_at", "import_errors",
    ]  # fmt: skip
    fields = ["id", "name", *readonly_fields[1:]]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        with self.refusals():
            saved = services.group_rename(
                company=obj.company, group_id=obj.pk, name=form.cleaned_data["name"]
            )
        obj.name, obj.updated_at = saved.name, saved.updated_at

    def never_deletable(self, obj):
        return services.group_never_deletable(obj)

    def delete_through_service(self, request, obj):
        services.group_delete(company=obj.company, group_id=obj.pk)

    @admin.display(description="recipients")
    def recipients_link(self, group):
        return format_html(
            '<a href="{}">{} recipient(s) of this group</a>',
            recipients_of_group_url(group),
            group.recipient_count,
        )

    @admin.display(description="import")
    def import_job_link(self, group):
        job = ImportJob.unscoped.filter(group=group).first()
        if job is None:
            return "-"
        return format_html(
            '<a href="{}">{} ({})</a>', change_url(job), job.file_name, job.get_status_display()
        )

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
class ImportJobAdmin(ServiceAdmin):
    never_deleted_because = "An import job goes with its group: delete the group."
    list_display = [
        "file_name",
        "group_name",
        "status",
        "processed_rows",
        "imported_rows",
        "failed_rows",
        "percent_done",
        "company",
        "attempts",
        "failure",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status"]
    search_fields = ["file_name", "company__name", "group__name", "id"]
    list_select_related = ["company", "group"]
    readonly_fields = ["group_name", *(f.name for f in ImportJob._meta.fields if f.name != "group")]

    @admin.display(description="group", ordering="group__name")
    def group_name(self, job):
        return group_link(job.group)

    @admin.display(description="why it failed")
    def failure(self, job):
        """A failed job's reason, at a glance (the whole of it on the job's page)."""
        return shortened(job.failure_reason, 80) or "-"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin

from files.models import LibraryEntry


@admin.register(LibraryEntry)
class LibraryEntryAdmin(admin.ModelAdmin):
    """Browse a company's library: filter by company and kind, search by name or path. Entries
    change through the API (its services keep storage and folder sizes in step), not here."""

    list_display = ["path", "company", "kind", "size", "content_type", "created_at", "modified_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["name", "path", "company__name"]
    list_select_related = ["company"]
    show_full_result_count = False
    raw_id_fields = ["company"]
    ordering = ["company", "path"]
    readonly_fields = [f.name for f in LibraryEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

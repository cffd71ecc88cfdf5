from django.contrib import admin

from config.admin import ServiceAdmin
from files import services
from files.models import LibraryEntry


@admin.register(LibraryEntry)
class LibraryEntryAdmin(ServiceAdmin):
    """Browse a company's library: filter by company and kind, search by name or path. Entries
    are made and renamed through the API; staff may delete one (a folder with everything below
    it) through the same service, which keeps storage and folder sizes in step."""

    list_display = ["path", "kind", "size", "company", "content_type", "modified_at"]
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

    def never_deletable(self, obj):
        return services.entry_never_deletable(obj)

    def delete_through_service(self, request, obj):
        services.entry_delete(company=obj.company, path=obj.path)

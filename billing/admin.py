from django.contrib import admin

from billing.models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "company", "kind", "amount", "balance_after", "created_by", "reason"]
    list_filter = ["kind"]
    search_fields = ["company__name", "reason"]
    list_select_related = ["company", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

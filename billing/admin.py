from django.contrib import admin

from billing.models import LedgerEntry, Product


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


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """The product catalogue: what may be ordered and at what unit price (GBP, before VAT)."""

    list_display = [
        "product_code", "format_code", "stock_weight", "mail_class", "is_duplex", "is_admail",
        "is_confidential", "unit_price", "is_active",
    ]  # fmt: skip
    list_editable = ["unit_price", "is_active"]
    list_filter = [
        "format_code",
        "stock_weight",
        "mail_class",
        "is_duplex",
        "is_admail",
        "is_confidential",
        "is_active",
    ]
    search_fields = ["product_code", "format_code"]
    readonly_fields = ["updated_at"]

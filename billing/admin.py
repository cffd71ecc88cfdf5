"""Back office for billing. Money moves only through billing.services (top-up, adjustment,
lock) and order decisions through campaigns.services (they move the campaign too), so a staff
action obeys the same rules as an API call; ledger entries, payments and voucher redemptions are
shown, never edited."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from billing import services
from billing.models import (
    Balance,
    BlockedDate,
    LedgerEntry,
    Order,
    Payment,
    Product,
    Voucher,
    VoucherRedemption,
    normalise_voucher_code,
)
from billing.pricing import money
from campaigns import selectors as campaign_selectors
from campaigns import services as campaign_services
from config.admin import ServiceAdmin, change_url
from config.errors import DomainError
from config.errors_text import staff_text

LEDGER_ROWS_SHOWN = 25


class ReadOnlyAdmin(ServiceAdmin):
    """Records the services write and nobody edits or deletes; `never_deleted_because` says why."""

    never_deleted_because = "It is a record of money that moved."

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """The product catalogue: what may be ordered and at what unit price (GBP, before VAT)."""

    list_display = [
        "product_code", "unit_price", "is_active", "format_code", "stock_weight", "mail_class", "is_duplex",
        "is_admail", "is_confidential",
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


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    never_deleted_because = (
        "The ledger is append-only: every balance is the sum of its entries. Post an adjustment instead."
    )
    list_display = ["created_at", "amount", "balance_after", "kind", "company", "created_by", "reason"]
    list_filter = ["kind"]
    search_fields = ["company__name", "company__id", "reason"]
    list_select_related = ["company", "created_by"]


# ---- balances: top up, adjust, lock ----------------------------------------------------------------


class BalanceChangeForm(forms.ModelForm):
    OPERATIONS = [("", "No change"), ("top_up", "Top up"), ("adjust", "Adjust (+ or -)")]

    operation = forms.ChoiceField(choices=OPERATIONS, required=False)
    change_amount = forms.DecimalField(
        label="Amount (GBP)",
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text="A top-up is positive; an adjustment may be negative (never below zero).",
    )
    reason = forms.CharField(max_length=300, required=False, help_text="Required for an adjustment.")
    locked = forms.BooleanField(
        label="Locked", required=False, help_text="A locked balance cannot pay for campaigns."
    )

    class Meta:
        model = Balance
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["locked"].initial = self.instance.is_locked

    def clean(self):
        """Only that an operation has its amount: the rules (positive top-ups, never below zero,
        a reason for an adjustment) are the billing services', told when they refuse."""
        cleaned = super().clean()
        if cleaned.get("operation") and cleaned.get("change_amount") is None:
            self.add_error("change_amount", "Give an amount.")
        return cleaned


@admin.register(Balance)
class BalanceAdmin(ServiceAdmin):
    never_deleted_because = "A company has its balance as long as it exists; lock it to stop payments."
    form = BalanceChangeForm
    list_display = ["company", "amount", "currency", "is_locked", "updated_at"]
    list_filter = ["is_locked"]
    search_fields = ["company__name", "company__id"]
    list_select_related = ["company"]
    readonly_fields = ["company", "amount", "currency", "is_locked", "updated_at", "ledger"]
    fieldsets = [
        (None, {"fields": ["company", "amount", "currency", "is_locked", "updated_at"]}),
        (
            "Change",
            {
                "fields": ["operation", "change_amount", "reason", "locked"],
                "description": "Every change is a ledger entry with your user and the reason.",
            },
        ),
        ("Ledger", {"fields": ["ledger"]}),
    ]
    actions = ["lock_balances", "unlock_balances"]

    def has_add_permission(self, request):
        return False  # a company's balance is opened with the company

    @admin.display(description="Latest ledger entries")
    def ledger(self, balance):
        entries = LedgerEntry.objects.for_company(balance.company).select_related("created_by")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{entry.created_at:%Y-%m-%d %H:%M}",
                    entry.get_kind_display(),
                    entry.amount,
                    entry.balance_after,
                    entry.created_by or "-",
                    entry.reason,
                )
                for entry in entries[:LEDGER_ROWS_SHOWN]
            ),
        )
        url = reverse("admin:billing_ledgerentry_changelist") + f"?company__id__exact={balance.company_id}"
        return format_html(
            "<table><thead><tr><th>When</th><th>Kind</th><th>Amount</th><th>Balance after</th><th>By</th>"
            '<th>Reason</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">Whole ledger</a></p>',
            rows,
            url,
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with self.refusals():  # all of it or nothing: a refused top-up leaves the lock as it was
            if data.get("locked") != obj.is_locked:
                services.balance_lock(company=obj.company, locked=bool(data.get("locked")), by=request.user)
            if data.get("operation") == "top_up":
                services.balance_top_up(
                    company=obj.company,
                    amount=data["change_amount"],
                    by=request.user,
                    reason=data.get("reason", ""),
                )
            elif data.get("operation") == "adjust":
                services.balance_adjust(
                    company=obj.company, amount=data["change_amount"], by=request.user, reason=data["reason"]
                )
        obj.refresh_from_db()  # the page's message names the balance as the services left it

    def _set_locked(self, request, queryset, locked: bool) -> None:
        for balance in queryset.select_related("company"):
            services.balance_lock(company=balance.company, locked=locked, by=request.user)
        self.message_user(request, f"{queryset.count()} balance(s) {'locked' if locked else 'unlocked'}.")

    @admin.action(description="Lock selected balances")
    def lock_balances(self, request, queryset):
        self._set_locked(request, queryset, True)

    @admin.action(description="Unlock selected balances")
    def unlock_balances(self, request, queryset):
        self._set_locked(request, queryset, False)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "amount", "refunded", "company", "reference", "voucher", "created_by"]
    search_fields = ["reference", "company__name"]
    list_select_related = ["company", "voucher", "created_by"]


# ---- vouchers -----------------------------------------------------------------------------------


class VoucherForm(forms.ModelForm):
    class Meta:
        model = Voucher
        fields = [
            "code",
            "description",
            "kind",
            "amount",
            "valid_from",
            "valid_until",
            "max_redemptions",
            "max_redemptions_per_company",
            "companies",
            "is_active",
        ]

    def clean_code(self):
        code = normalise_voucher_code(self.cleaned_data.get("code"))
        if not code:
            raise forms.ValidationError("Give a code.")
        return code

    def clean_amount(self):
        return money(self.cleaned_data["amount"])


class VoucherRedemptionInline(admin.TabularInline):
    model = VoucherRedemption
    fields = ["redeemed_at", "company", "reference", "discount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Voucher)
class VoucherAdmin(ServiceAdmin):
    form = VoucherForm
    list_display = [
        "code",
        "kind",
        "amount",
        "is_active",
        "redeemed",
        "max_redemptions",
        "max_redemptions_per_company",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["is_active", "kind"]
    search_fields = ["code", "description"]
    filter_horizontal = ["companies"]
    inlines = [VoucherRedemptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(redeemed_count=Count("redemptions"))

    @admin.display(description="Redeemed", ordering="redeemed_count")
    def redeemed(self, voucher):
        return voucher.redeemed_count

    def never_deletable(self, obj):
        return services.voucher_never_deletable(obj)

    def delete_through_service(self, request, obj):
        services.voucher_delete(voucher=obj)


@admin.register(VoucherRedemption)
class VoucherRedemptionAdmin(ReadOnlyAdmin):
    list_display = ["redeemed_at", "voucher", "company", "reference", "discount"]
    list_filter = ["voucher"]
    search_fields = ["reference", "voucher__code", "company__name"]
    list_select_related = ["voucher", "company"]


# ---- dispatch dates ---------------------------------------------------------------------------------


@admin.register(BlockedDate)
class BlockedDateAdmin(admin.ModelAdmin):
    """Days closed for dispatch, on top of weekends and bank holidays in England and Wales."""

    list_display = ["date", "reason", "created_by", "created_at"]
    date_hierarchy = "date"
    search_fields = ["reason"]
    fields = ["date", "reason"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# ---- orders (provisional bookings) ------------------------------------------------------------------


class OrderDecisionForm(forms.ModelForm):
    DECISIONS = [("", "No decision yet"), ("approve", "Approve (invoice paid)"), ("reject", "Reject")]

    decision = forms.ChoiceField(choices=DECISIONS, required=False)
    decision_reason = forms.CharField(
        label="Reason", max_length=300, required=False, help_text="Required to reject."
    )

    class Meta:
        model = Order
        fields = []


@admin.register(Order)
class OrderAdmin(ServiceAdmin):
    never_deleted_because = "An order is a record of a booking and its invoice; reject it instead."
    form = OrderDecisionForm
    list_display = [
        "number",
        "status",
        "total",
        "currency",
        "send_date",
        "campaign_link",
        "company",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["number", "reference", "company__name"]
    list_select_related = ["company"]
    readonly_fields = [
        "number",
        "company",
        "campaign",
        "status",
        "reason",
        "currency",
        "unit_price",
        "quantity",
        "subtotal",
        "discount",
        "voucher",
        "vat_rate",
        "vat",
        "total",
        "send_date",
        "created_by",
        "created_at",
        "invoice_sent_at",
        "decided_by",
        "decided_at",
    ]
    actions = ["approve_orders"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": self.readonly_fields})]
        if obj is not None and obj.status == Order.Status.PENDING:
            fieldsets.append(("Decision", {"fields": ["decision", "decision_reason"]}))
        return fieldsets

    def has_add_permission(self, request):
        return False  # orders come from provisional bookings

    @admin.display(description="campaign", ordering="reference")
    def campaign_link(self, order):
        """The campaign the order books (its reference is the campaign id), without a query a row."""
        url = reverse("admin:campaigns_campaign_change", args=[order.reference])
        return format_html('<a href="{}">{}…</a>', url, order.reference[:8])

    @admin.display(description="campaign")
    def campaign(self, order):
        found = campaign_selectors.campaign_of_reference(company=order.company, reference=order.reference)
        if found is None:
            return f"{order.reference} (no longer exists)"
        return format_html('<a href="{}">{}</a>', change_url(found), found.name)

    # A decision moves the campaign too (approve: Scheduled; reject: back to Approved with the
    # reason in its history): the campaigns service does both in one transaction.
    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        with self.refusals():  # pending only, a reason to reject: the services' rules
            if decision == "approve":
                campaign_services.campaign_order_approve(order=obj, by=request.user)
            elif decision == "reject":
                campaign_services.campaign_order_reject(
                    order=obj, by=request.user, reason=form.cleaned_data["decision_reason"]
                )

    @admin.action(description="Approve selected orders (invoice paid)")
    def approve_orders(self, request, queryset):
        approved = 0
        for order in queryset:
            try:
                campaign_services.campaign_order_approve(order=order, by=request.user)
                approved += 1
            except DomainError as exc:
                self.message_user(request, f"{order.number}: {staff_text(exc)}", messages.WARNING)
        self.message_user(request, f"{approved} order(s) approved.")

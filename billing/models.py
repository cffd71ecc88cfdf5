from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from accounts.tenancy import TenantModel


class AppendOnly(RuntimeError):
    """A programming error: something tried to change or delete an append-only record."""


class Balance(models.Model):
    """A company's funds: one row per company, changed only with a ledger entry (services)."""

    company = models.OneToOneField(
        "accounts.Company", primary_key=True, on_delete=models.CASCADE, related_name="balance"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="GBP")
    is_locked = models.BooleanField(default=False, help_text="A locked balance cannot pay for campaigns.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="balance_never_negative",
                violation_error_message="The balance cannot go below zero.",
            )
        ]

    def __str__(self):
        return f"{self.amount} {self.currency}"


class LedgerEntry(TenantModel):
    """An append-only record of one change to a balance, with the running total after it."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", "Top-up"
        PAYMENT = "payment", "Campaign payment"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Positive credits, negative debits."
    )
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("A ledger entry is never changed: post a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("A ledger entry is never deleted: post a new entry instead.")

    class Meta(TenantModel.Meta):
        verbose_name_plural = "ledger entries"
        ordering = ["-created_at", "-id"]


class StockWeight(models.TextChoices):
    UNCOATED_100 = "100UNCOAT", "100gsm uncoated"
    UNCOATED_120 = "120UNCOAT", "120gsm uncoated"
    SILK_250 = "250SILK", "250gsm silk"
    GLOSS_300 = "300GLOSS", "300gsm gloss"
    SILK_350 = "350SILK", "350gsm silk"
    UNCOATED_350 = "350UNCOAT", "350gsm uncoated"


class MailClass(models.TextChoices):
    FIRST = "First"
    SECOND = "Second"


class Product(models.Model):
    """One printable, postable product: a print format (templates.formats code) with a stock, a
    mail class and the duplex/admail/confidential options, at a unit price in GBP.

    The catalogue is the one source of what may be ordered: campaign creation and cost
    validate against it, and the API's `parameters` and `configurations` are read from it."""

    format_code = models.CharField(max_length=40, help_text="A code of templates.formats.FORMATS.")
    stock_weight = models.CharField(max_length=20, choices=StockWeight.choices)
    mail_class = models.CharField(max_length=20, choices=MailClass.choices)
    is_duplex = models.BooleanField()
    is_admail = models.BooleanField()
    is_confidential = models.BooleanField()
    product_code = models.CharField(max_length=60, unique=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, help_text="GBP per item, before VAT.")
    is_active = models.BooleanField(default=True, help_text="Inactive products cannot be ordered.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["format_code", "stock_weight", "mail_class", "is_duplex", "is_admail", "is_confidential"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "format_code",
                    "stock_weight",
                    "mail_class",
                    "is_duplex",
                    "is_admail",
                    "is_confidential",
                ],
                name="product_one_per_combination",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0),
                name="product_price_not_negative",
                violation_error_message="The unit price cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.product_code} ({self.unit_price} GBP)"


# ==== Billing and dispatch: payments, vouchers, dispatch dates, provisional-booking orders =======
# (one block, so that it merges beside the product catalogue)


class Payment(TenantModel):
    """The payment of one reference (a campaign id) from the company's balance. At most one per
    reference: the unique constraint, not a check in code, makes a second debit impossible."""

    reference = models.CharField(max_length=64, help_text="What was paid for: the campaign id.")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    refunded = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="payment")
    voucher = models.ForeignKey(
        "billing.Voucher", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "reference"], name="payment_once_per_reference"),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message="A payment must be a positive amount.",
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0, refunded__lte=F("amount")),
                name="payment_refund_within_amount",
                violation_error_message="A refund cannot be negative or more than was paid.",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.amount}"


class Voucher(models.Model):
    """A discount code, managed by staff. Codes are case-insensitive: stored upper-case, unique
    whatever the case. A voucher counts as used only once a payment redeems it."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent of the subtotal"
        FIXED = "fixed", "Fixed amount (GBP)"

    code = models.CharField(max_length=40, help_text="Case-insensitive; stored upper-case.")
    description = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="Percent (e.g. 20.00) or GBP off the subtotal."
    )
    valid_from = models.DateTimeField(null=True, blank=True, help_text="Empty: valid from now.")
    valid_until = models.DateTimeField(null=True, blank=True, help_text="Empty: no end.")
    max_redemptions = models.PositiveIntegerField(
        null=True, blank=True, help_text="Paid campaigns that may use it overall; empty: no limit."
    )
    max_redemptions_per_company = models.PositiveIntegerField(
        null=True, blank=True, help_text="Paid campaigns per company; empty: no limit."
    )
    companies = models.ManyToManyField(
        "accounts.Company",
        blank=True,
        related_name="+",
        help_text="Only these companies may use it; none chosen: every company.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="voucher_code_unique_any_case",
                violation_error_message="A voucher with this code already exists (codes ignore case).",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="voucher_amount_positive",
                violation_error_message="The amount must be more than zero.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(amount__lte=100),
                name="voucher_percent_at_most_100",
                violation_error_message="A percent voucher takes at most 100 percent off.",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="voucher_window_ends_after_start",
                violation_error_message="“Valid until” must be later than “Valid from”.",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_voucher_code(self.code)
        super().save(*args, **kwargs)


def normalise_voucher_code(code: str) -> str:
    return (code or "").strip().upper()


class VoucherRedemption(TenantModel):
    """A voucher used by a paid campaign (written in the payment's transaction)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    reference = models.CharField(max_length=64, help_text="The campaign id.")
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    redeemed_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-redeemed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "reference"], name="voucher_redeemed_once_per_reference"
            )
        ]
        indexes = [models.Index(fields=["voucher", "company"], name="redemption_voucher_company")]

    def __str__(self):
        return f"{self.voucher_id} for {self.reference}"


class BlockedDate(models.Model):
    """A day staff closed for dispatch (on top of weekends and bank holidays)."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d}"


class Order(TenantModel):
    """A provisional booking: the campaign is booked now and paid by invoice. Staff approve it
    (paid) or reject it. Numbered ORD-YYYYMMDD-NNN, a sequence per day."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending payment"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"

    number = models.CharField(max_length=32, unique=True, editable=False)
    reference = models.CharField(max_length=64, help_text="The campaign id.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    currency = models.CharField(max_length=3, default="GBP")
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    discount = models.DecimalField(max_digits=14, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    vat = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    send_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was rejected.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    invoice_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "reference"],
                condition=Q(status="PENDING"),
                name="order_one_pending_per_reference",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0),
                name="order_total_not_negative",
                violation_error_message="An order's total cannot be negative.",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="order_status_created")]

    def __str__(self):
        return self.number


class OrderSequence(models.Model):
    """The last order number given out on a day; its row is locked while the next is taken."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day:%Y%m%d}: {self.last}"

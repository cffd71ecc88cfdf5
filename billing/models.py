from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.tenancy import TenantModel


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
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="balance_never_negative")]

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
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.product_code} ({self.unit_price} GBP)"

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

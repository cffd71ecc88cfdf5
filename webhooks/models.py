"""Webhooks: the endpoints a company posts events to, the events (an outbox written in the
transaction of the change that causes them) and their deliveries, one per (endpoint, event), with
every attempt logged."""

import base64
import secrets
import uuid

from django.db import models
from django.db.models import Q

from accounts.models import Company, Workspace
from accounts.tenancy import TenantModel

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_event_id() -> str:
    """An event's id, its `webhook-id` (receivers deduplicate by it): unique and opaque."""
    return f"evt_{uuid.uuid4().hex}"


class Endpoint(TenantModel):
    """A URL a company wants events posted to: the types it wants (`["*"]` for all), signed with
    its secret (Standard Webhooks: `whsec_` + Base64 of the key), in one workspace or in all."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(
        Workspace,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Only this workspace's events (empty: every event of the company).",
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text='Event types posted here; ["*"] for all.')
    secret = models.CharField(max_length=100, editable=False)
    enabled = models.BooleanField(default=True)
    # Set by the first failed attempt after a success, cleared by the next success: an endpoint
    # failing for WEBHOOKS_DISABLE_AFTER_DAYS is disabled (disabled_reason says why).
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["created_at"]

    def __str__(self):
        return self.url

    def wants(self, event_type: str, workspace_id) -> bool:
        """Whether an event of this type (and workspace) is posted here."""
        if not self.enabled:
            return False
        if self.workspace_id is not None and self.workspace_id != workspace_id:
            return False
        return "*" in self.events or event_type in self.events


class Event(TenantModel):
    """Something that happened to a company's object, written in the same transaction as the change
    (no event for a rolled-back change, none lost when a worker dies). `data` is the object as the
    API shows it, at the time of the event."""

    id = models.CharField(primary_key=True, max_length=40, default=new_event_id, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    data = models.JSONField()

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["company", "occurred_at"], name="webhook_event_company_time")]

    def __str__(self):
        return f"{self.type} {self.id}"


class Delivery(TenantModel):
    """One event to one endpoint: pending until an attempt gets a 2xx (succeeded) or the retries run
    out (failed). `next_attempt_at` is when a worker may take it next (a claimed delivery's is moved
    ahead as a lease, so a worker that died leaves it to be taken again)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # When the event happened (copied from it): deliveries go out to an endpoint in this order.
    occurred_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]
        indexes = [
            # A worker's claim: an endpoint's pending deliveries in event order, due ones only.
            models.Index(
                fields=["endpoint", "occurred_at", "next_attempt_at"],
                name="webhook_delivery_due",
                condition=Q(status="pending"),
            ),
            # The deliveries list of an endpoint, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_list"),
        ]

    def __str__(self):
        return f"{self.event_id} -> {self.endpoint_id} ({self.status})"


class Attempt(models.Model):
    """One POST of a delivery: what came back (status, duration, an excerpt of the body) or why
    nothing did (error)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self):
        return f"{self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"


def new_secret() -> str:
    """A signing secret in the Standard Webhooks form: whsec_ + Base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()

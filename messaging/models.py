from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import TenantModel


class Occurrence(TenantModel):
    """One firing of a message campaign: what it sent (content and targeting snapshotted when it
    fired, so a later edit changes only future firings) and how far its generation got."""

    class Status(models.TextChoices):
        PENDING = "pending"
        GENERATING = "generating"
        GENERATED = "generated"
        FAILED = "failed"

    id = models.BigAutoField(primary_key=True)
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The unique (campaign, scheduled_at) below is the index by campaign.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="occurrences", db_index=False
    )
    scheduled_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # The snapshot: {channel, sender, template, webpush_*} and {recipient_lists, query}.
    content = models.JSONField()
    targeting = models.JSONField()
    # Progress, written by generation (messaging.generation).
    targeted = models.PositiveIntegerField(default=0)
    generated = models.PositiveIntegerField(default=0)
    without_address = models.PositiveIntegerField(default=0)
    # The last recipient (by id) whose message is committed: a rerun resumes after it.
    checkpoint_recipient_id = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.CharField(max_length=300, blank=True)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-scheduled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "scheduled_at"], name="occurrence_once_per_time")
        ]
        indexes = [
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status__in=["pending", "generating"]),
                name="occurrence_unfinished",
            )
        ]

    def __str__(self):
        return f"{self.campaign_id} @ {self.scheduled_at:%Y-%m-%d %H:%M}"


class Message(TenantModel):
    """One generated message: a recipient of one firing of a message campaign.

    Written set-based by messaging.generation (no per-row Python). Its campaign and occurrence are
    plain references without database constraints: deleting a campaign must not wait for a
    million rows, so its messages are purged later, by campaign, in batches (CampaignPurge)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        DELIVERED = "delivered"
        FAILED = "failed"

    id = models.BigAutoField(primary_key=True)
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    recipient_id = models.UUIDField()
    channel = models.CharField(max_length=20)
    address = models.CharField(max_length=254, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(null=True, blank=True, help_text="The rendered JSON message (JSON channels).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # Unique through the constraint below: `unique=True` would add a second (pattern) index on
    # PostgreSQL, written for every generated message and never read.
    message_key = models.CharField(max_length=30, help_text="30 upper-case hex digits.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "occurrence", "recipient_id"], name="message_once_per_recipient"
            ),
            models.UniqueConstraint(fields=["message_key"], name="message_key_unique"),
        ]
        # The retention purge reads by created_at through a BRIN index on PostgreSQL (migration
        # 0003), a plain one elsewhere.
        indexes = [
            # Delivery claims queued messages that are due; the index holds only queued rows.
            models.Index(
                fields=["next_attempt_at", "id"], condition=Q(status="queued"), name="message_queued_due"
            ),
        ]

    def __str__(self):
        return self.message_key


class CampaignPurge(models.Model):
    """A deleted campaign whose messages are still to be removed (messaging.tasks purges them
    by campaign, in batches, through the unique index that leads with campaign)."""

    campaign_id = models.UUIDField(primary_key=True)
    company_id = models.UUIDField()
    requested_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.campaign_id)

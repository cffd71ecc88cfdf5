import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import TenantModel
from campaigns.models import Campaign


class MessageCampaign(Campaign):
    """The message campaigns of campaigns.Campaign as the back office lists them (messaging.admin
    shows only message channels; the print ones are campaigns.admin's). The same rows: no table."""

    class Meta:
        proxy = True
        verbose_name = "message campaign"


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
    # The last recipient (by id), or client (by position), whose message is committed: a rerun
    # resumes after it.
    checkpoint_recipient_id = models.UUIDField(null=True, blank=True)
    checkpoint_client = models.PositiveIntegerField(null=True, blank=True)
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
    """One generated message: a recipient (or a client, for a campaign of campaign API v2) of one
    firing of a message campaign.

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
    recipient_id = models.UUIDField(null=True, blank=True)
    # A client campaign's message names its client (CampaignClient.position) instead.
    client = models.PositiveIntegerField(null=True, blank=True)
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
            # Also the index of a client campaign's messages in client order.
            models.UniqueConstraint(
                fields=["campaign", "occurrence", "client"],
                condition=Q(client__isnull=False),
                name="message_once_per_client",
            ),
            models.UniqueConstraint(fields=["message_key"], name="message_key_unique"),
        ]
        # The retention purge reads by created_at through a BRIN index on PostgreSQL (migration
        # 0003), a plain one elsewhere.
        indexes = [
            # A campaign's messages in id order: the messages export's keyset pages.
            models.Index(fields=["campaign", "id"], name="message_campaign_id"),
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


class ClientCampaign(TenantModel):
    """A message campaign of campaign API v2: its integer ID, what it was made from (a message
    template, a Message text and a JSON message) and when it sends. Its clients are
    CampaignClient rows; its Campaign (selection `clients`) fires once, at `send_at`."""

    id = models.BigAutoField(primary_key=True, help_text="The campaign API v2 ID.")
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="client_campaign"
    )
    # The template as it was when the campaign was made (it may change or go later).
    template_id = models.UUIDField(null=True, blank=True, help_text="The TempMsgID.")
    template_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True, help_text="The text, with {{1}}..{{n}} variables.")
    json = models.TextField(blank=True, help_text="The JSON message, with <accountID> and {{n}}.")
    send_at = models.DateTimeField()
    client_count = models.PositiveIntegerField(default=0)

    class Meta(TenantModel.Meta):
        # The company's campaigns newest first (getAll).
        indexes = [models.Index(fields=["company", "-id"], name="client_campaign_company")]

    def __str__(self):
        return f"#{self.pk}"


class CampaignClient(models.Model):
    """One client of a client campaign, in the order given: its number (E.164, with +) and the
    params of its {{n}} variables. Written by COPY on PostgreSQL; its key (campaign, position) is
    the only index."""

    pk = models.CompositePrimaryKey("campaign", "position")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    position = models.PositiveIntegerField()
    account_id = models.CharField(max_length=16)
    params = models.JSONField(default=list)

    def __str__(self):
        return f"{self.campaign_id} #{self.position}"


class MessageExport(TenantModel):
    """One publish of a message campaign's generated messages (the messages export API's job): CSV
    pages of at most `page_rows` rows in storage, written in message order by the export task,
    which records each finished page (`pages`, `rows`, and the last message written) so that a
    retry resumes after it. The campaign's published pages are those of its `is_current` export:
    a re-publish becomes current only once complete, in one transaction."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="The job_id.")
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="message_exports", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    is_current = models.BooleanField(default=False, help_text="The campaign's published pages.")
    page_rows = models.PositiveIntegerField()
    pages = models.PositiveIntegerField(default=0, help_text="Pages written (num_files once done).")
    rows = models.PositiveBigIntegerField(default=0, help_text="Rows written (total_rows once done).")
    # Held against the company's monthly row limit from the publish until the export is done (its
    # rows then count as published) or failed (released): 0 once it is neither queued nor running.
    rows_reserved = models.PositiveBigIntegerField(
        default=0, help_text="Rows held against the monthly row limit while the export is at work."
    )
    # The last message (by id) of the last finished page: a retry resumes after it.
    checkpoint_message_id = models.BigIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=300, blank=True)
    # When the files of a replaced (no longer current) or failed export are removed from storage
    # (messaging.tasks.message_exports_purge); None otherwise, and once they are gone.
    files_purge_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at"]
        constraints = [
            # One export at work per campaign: a publish while one runs gets that one back.
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(status__in=["queued", "running"]),
                name="message_export_one_at_work",
            ),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(is_current=True), name="message_export_one_current"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "-created_at"], name="message_export_campaign"),
            # The purge's scan and the stale-lease sweep's: few rows each.
            models.Index(
                fields=["files_purge_at"],
                condition=Q(files_purge_at__isnull=False),
                name="message_export_purge",
            ),
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status__in=["queued", "running"]),
                name="message_export_at_work",
            ),
        ]

    def __str__(self):
        return f"export {self.pk} ({self.status})"

    def page_key(self, number: int) -> str:
        """Where page `number` (from 0) is stored."""
        return f"companies/{self.company_id}/messages/{self.campaign_id}/{self.pk}/page-{number:05d}.csv"

    def files_kept(self) -> bool:
        """Whether its pages are in storage still: it is current or at work, or its purge is due
        (messaging.exporting.exports_purge clears `files_purge_at` once they are gone)."""
        at_work = self.status in (self.Status.QUEUED, self.Status.RUNNING)
        return self.is_current or at_work or self.files_purge_at is not None


class MessagesUsage(models.Model):
    """A company's use of the messages export API in one month: rows published and pages calls.
    A publish locks this row while it checks the published rows plus the rows its exports at work
    hold (MessageExport.rows_reserved) against Company.messages_monthly_row_limit."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(help_text="The first day of the month.")
    rows_published = models.PositiveBigIntegerField(default=0)
    pages_calls = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "messages usage"
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="messages_usage_once_a_month")
        ]

    def __str__(self):
        return f"{self.company_id} {self.month:%Y-%m}"


class MessagesApiCall(models.Model):
    """The audit of the messages export API: who called which endpoint, from which address (the
    x-ip header), about which job."""

    id = models.BigAutoField(primary_key=True)
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField()
    endpoint = models.CharField(max_length=50)
    campaign_id = models.UUIDField(null=True, blank=True)
    job_id = models.UUIDField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["company", "-at"], name="messages_api_call_company")]

    def __str__(self):
        return f"{self.endpoint} {self.at:%Y-%m-%d %H:%M}"


class DeliverySummary(models.Model):
    """A campaign's delivery outcomes in one minute (messages that became sent, delivered or
    failed), added to in the transaction that moves its counters (messaging.counters) and turned
    into one `messages.delivery_summary` webhook event once the minute is over, then deleted
    (messaging.services.summaries): webhooks hear of deliveries per campaign and minute, never per
    message."""

    id = models.BigAutoField(primary_key=True)
    # The unique (campaign, minute) below is the index by campaign.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    minute = models.DateTimeField(help_text="The minute's start (UTC).")
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "minute"], name="delivery_summary_once_a_minute")
        ]
        indexes = [models.Index(fields=["minute"], name="delivery_summary_minute")]

    def __str__(self):
        return f"{self.campaign_id} {self.minute:%Y-%m-%d %H:%M}"

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from accounts.tenancy import TenantModel
from templates.formats import CODE_MAX_LENGTH, format_by_code


class Channel(models.TextChoices):
    """Post is print; every other channel is a message campaign (the services API's
    sending_type)."""

    POST = "post"
    SMS = "sms"
    WEBPUSH = "webpush"
    EMAIL = "email"
    TELEGRAM = "telegram"
    RBM = "rbm"
    VIBER = "viber"
    WHATSAPP = "whatsapp"


MESSAGE_CHANNELS = tuple(c for c in Channel.values if c != Channel.POST)


class Status(models.TextChoices):
    """A print campaign's statuses. The stored values are stable identifiers, never a surface's
    wording: each API maps them to its own names (the platform API's "Draft", "AwaitingPayment",
    ... in campaigns/api/v1/shapes.py)."""

    DRAFT = "draft"
    PREVIEW = "preview"
    APPROVED = "approved"
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    SCHEDULED = "scheduled"
    PRINTING = "printing"
    DISPATCHED = "dispatched"
    CANCELLED = "cancelled"


class MessageStatus(models.TextChoices):
    """A message campaign's statuses, stored in the same `status` field as the print ones (draft is
    the same value for both kinds); campaigns.status keeps a move table per kind. The values are
    also the services API's names."""

    DRAFT = "draft"
    ACTIVE = "active"
    STOPPED = "stopped"
    FINISHED = "finished"


# Either kind's status, as stored.
STATUS_CHOICES = [
    *Status.choices,
    *((v, label) for v, label in MessageStatus.choices if v not in Status.values),
]


# The API's currentStatusOrder (the spec: Draft 1, Preview 2, Approved 3, 4 awaiting payment,
# Scheduled 5, then printing and dispatch).
STATUS_ORDER = {
    Status.DRAFT: 1,
    Status.PREVIEW: 2,
    Status.APPROVED: 3,
    Status.AWAITING_PAYMENT: 4,
    Status.SCHEDULED: 5,
    Status.PRINTING: 6,
    Status.DISPATCHED: 7,
    Status.CANCELLED: 8,
}


class Campaign(TenantModel):
    """One campaign of either kind: print (`channel` post, with PrintOptions beside it) or a
    message channel (message content beside it, later). Status changes only through
    campaigns.status.transition, which writes the history."""

    class Selection(models.TextChoices):
        NONE = "none"
        GROUP = "group"
        SINGLE = "single"
        # A message campaign of campaign API v2: its own list of clients (messaging.CampaignClient).
        CLIENTS = "clients"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.POST)
    # The workspace a message campaign belongs to (the services API's serviceUuid); print
    # campaigns have none.
    workspace = models.ForeignKey(
        "accounts.Workspace",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=Status.DRAFT)

    # Who it goes to until approval; at approval the list is frozen into CampaignRecipient rows.
    selection = models.CharField(max_length=10, choices=Selection.choices, default=Selection.NONE)
    recipient_group = models.ForeignKey(
        "recipients.RecipientGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        "recipients.Recipient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_count = models.PositiveIntegerField(
        default=0,
        help_text="Frozen at approval (the snapshot's size); before that the selection's live count.",
    )

    # Billing: the voucher applied (counted as redeemed only once paid), what was charged or
    # invoiced at scheduling, and the send date chosen then.
    voucher = models.ForeignKey(
        "billing.Voucher", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total_cost = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    dispatch_date = models.DateField(null=True, blank=True)
    held_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the send date passed while awaiting payment."
    )

    preview_file = models.CharField(max_length=300, blank=True, help_text="Storage key of the preview PDF.")
    preview_generated_at = models.DateTimeField(null=True, blank=True)
    preview_error = models.CharField(max_length=500, blank=True)

    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["-updated_at", "-id"]
        permissions = [("approve_campaign", "Can approve campaigns")]
        indexes = [
            models.Index(fields=["company", "updated_at", "id"], name="campaign_company_updated"),
            models.Index(fields=["company", "created_at", "id"], name="campaign_company_created"),
            models.Index(fields=["company", "name", "id"], name="campaign_company_name"),
            models.Index(fields=["recipient_group", "status"], name="campaign_group_status"),
            # The dispatch task's scan: due campaigns of a status, across companies.
            models.Index(fields=["status", "dispatch_date"], name="campaign_status_dispatch"),
            # A workspace's message campaigns, newest first (the services API's list).
            models.Index(
                fields=["workspace", "-created_at", "-id"],
                condition=models.Q(workspace__isnull=False),
                name="campaign_workspace_created",
            ),
            # The list's total, filtered or not, counted from the index alone.
            models.Index(
                fields=["workspace", "company", "channel", "status", "selection"],
                condition=models.Q(workspace__isnull=False),
                name="campaign_workspace_count",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def status_order(self) -> int:
        return STATUS_ORDER[self.status]


class PrintOptions(models.Model):
    """What a print campaign prints and how: its template, format and catalogue product."""

    campaign = models.OneToOneField(
        Campaign, primary_key=True, on_delete=models.CASCADE, related_name="print_options"
    )
    template = models.ForeignKey("templates.PrintTemplate", on_delete=models.PROTECT, related_name="+")
    format_code = models.CharField(max_length=CODE_MAX_LENGTH)
    product = models.ForeignKey("billing.Product", on_delete=models.PROTECT, related_name="+")
    stock_weight = models.CharField(max_length=20)
    mail_class = models.CharField(max_length=20)
    is_duplex = models.BooleanField(default=False)
    is_admail = models.BooleanField(default=False)
    is_confidential = models.BooleanField(default=False)
    default_recipient_name = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "print options"

    def __str__(self):
        return f"{self.format_code} {self.stock_weight} {self.mail_class}"

    @property
    def format(self):
        return format_by_code(self.format_code)


class MessageSettings(models.Model):
    """What a message campaign sends, to whom and when (beside its Campaign, as PrintOptions are
    for print). `next_at` is set exactly while the campaign is active and has a firing left: the
    schedule beat claims rows whose next_at has come."""

    class ScheduleType(models.TextChoices):
        NOW = "now"
        ONCE = "once"
        SCHEDULED = "scheduled"

    class QueryType(models.TextChoices):
        ALL = "all"
        SEGMENTATION = "segmentation"

    campaign = models.OneToOneField(
        Campaign, primary_key=True, on_delete=models.CASCADE, related_name="message_settings"
    )
    schedule_type = models.CharField(max_length=10, choices=ScheduleType.choices)
    schedule_rrule = models.TextField(blank=True, help_text="A UTC time (once) or an RRULE (scheduled).")
    template = models.TextField(help_text="The content: text, or a JSON message for JSON channels.")
    sender = models.CharField(max_length=200)
    webpush_title = models.CharField(max_length=255, blank=True)
    webpush_body = models.TextField(blank=True)
    webpush_target_url = models.CharField(max_length=2000, blank=True)
    webpush_icon = models.CharField(max_length=2000, blank=True)
    webpush_image = models.CharField(max_length=2000, blank=True)
    recipient_lists = models.JSONField(
        default=list, help_text="The targeted groups' ids, in the order given."
    )
    query_type = models.CharField(max_length=20, choices=QueryType.choices, default=QueryType.ALL)
    query = models.JSONField(null=True, blank=True, help_text="The SegmentationQuery, normalised.")
    activated_at = models.DateTimeField(null=True, blank=True, help_text="When the schedule began.")
    next_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    # The campaign's messages by status, moved with every change of a message's status
    # (messaging.counters), so no read counts them: total written, sent (sent or delivered since),
    # delivered, failed; and the last failure's reason.
    total_messages = models.PositiveIntegerField(default=0)
    sent_count = models.PositiveIntegerField(default=0)
    delivered_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "message settings"
        indexes = [
            models.Index(
                fields=["next_at"], condition=models.Q(next_at__isnull=False), name="message_settings_due"
            )
        ]

    def __str__(self):
        return f"{self.schedule_type} {self.schedule_rrule}".strip()


class StatusChange(models.Model):
    """The status history: one row per move, written only by campaigns.status.transition."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="status_changes", db_index=False
    )
    from_status = models.CharField(max_length=20, choices=STATUS_CHOICES, blank=True)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["campaign", "changed_at", "id"], name="status_change_campaign")]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.status}"


class CampaignRecipient(models.Model):
    """The recipient list frozen at approval: each recipient's address as it was then, in send
    order. Written set-based (INSERT ... SELECT) by campaigns.services.campaign_approve; later
    edits to recipients or groups never change it. `recipient_id` is a plain value (no foreign
    key): the snapshot outlives the recipient."""

    pk = models.CompositePrimaryKey("campaign", "sequence")
    # The primary key (campaign, sequence) is the index by campaign: no second one. No database
    # constraint: checking it for each of a million copied rows would cost approval seconds, and
    # the rows are only ever written for a campaign locked in the same transaction (Django still
    # deletes them with their campaign).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    sequence = models.PositiveIntegerField()
    recipient_id = models.UUIDField()
    title = models.CharField(max_length=50, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company_name = models.CharField(max_length=100, blank=True)
    address1 = models.CharField(max_length=255)
    address2 = models.CharField(max_length=255, blank=True)
    address3 = models.CharField(max_length=150, blank=True)
    address4 = models.CharField(max_length=150, blank=True)
    address5 = models.CharField(max_length=150, blank=True)
    city = models.CharField(max_length=255, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=255)
    country = models.CharField(max_length=100, blank=True)

    # "Is this recipient in an active campaign?" (recipient delete) asks by recipient_id: an index
    # made by migration 0003, a hash index on PostgreSQL (equality is all it serves, and it costs
    # approval of a million recipients seconds less than a btree of random UUIDs), a btree elsewhere.

    def __str__(self):
        return f"{self.campaign_id} #{self.sequence}"


# The address columns a snapshot copies from recipients_recipient, in this order.
SNAPSHOT_FIELDS = (
    "title", "first_name", "last_name", "company_name", "address1", "address2", "address3",
    "address4", "address5", "city", "county", "postcode", "country",
)  # fmt: skip


class PrintRun(TenantModel):
    """The print-ready output of one print campaign (one run per campaign): the PDFs and the
    manifest in storage, written by campaigns.printing.print_files_write. Each attempt writes
    under its own prefix (`.../print/<attempt>/`); a later attempt removes what an interrupted
    one left, and only the attempt that still holds the row may mark it done."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="print_run")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    attempt = models.PositiveIntegerField(default=0, help_text="Which attempt holds the run.")
    # The approval the output was made from: a re-approved campaign (new snapshot) is printed anew.
    approved_at = models.DateTimeField(null=True, blank=True)
    files = models.JSONField(
        default=list, blank=True, help_text="[{key, name, letters, pages}] in print order."
    )
    manifest = models.CharField(max_length=500, blank=True, help_text="Storage key of manifest.csv.")
    letters = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(finished_at__isnull=False),
                name="print_run_done_has_finished_at",
                violation_error_message="A finished print run needs the time it finished.",
            )
        ]

    def __str__(self):
        return f"print run of {self.campaign_id} ({self.status})"

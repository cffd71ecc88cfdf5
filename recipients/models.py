import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import TenantModel

# Field lengths as the API documents them.
MAX_LENGTHS = {
    "title": 50,
    "first_name": 100,
    "last_name": 100,
    "company_name": 100,
    "address1": 255,
    "address2": 255,
    "address3": 150,
    "address4": 150,
    "address5": 150,
    "city": 255,
    "county": 100,
    "postcode": 255,
    "country": 100,
    "email": 254,
    "mobile": 32,
}


class RecipientGroup(TenantModel):
    class Status(models.TextChoices):
        READY = "ready"
        IMPORTING = "importing"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    is_default = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.READY)
    file_name = models.CharField(max_length=255, blank=True)
    # Kept up to date by the services, so no list ever counts rows.
    recipient_count = models.PositiveIntegerField(default=0)
    total_records = models.PositiveIntegerField(null=True, blank=True)
    failed_records = models.PositiveIntegerField(default=0)
    processed_records = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="group_name_unique_per_company"),
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default=True), name="one_default_group_per_company"
            ),
        ]
        indexes = [models.Index(fields=["company", "created_at", "id"], name="group_company_created")]

    def __str__(self):
        return self.name


class Recipient(TenantModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The composite index below leads with company: a separate one would only slow imports.
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    title = models.CharField(max_length=MAX_LENGTHS["title"], blank=True)
    first_name = models.CharField(max_length=MAX_LENGTHS["first_name"], blank=True)
    last_name = models.CharField(max_length=MAX_LENGTHS["last_name"], blank=True)
    company_name = models.CharField(max_length=MAX_LENGTHS["company_name"], blank=True)
    address1 = models.CharField(max_length=MAX_LENGTHS["address1"])
    address2 = models.CharField(max_length=MAX_LENGTHS["address2"], blank=True)
    address3 = models.CharField(max_length=MAX_LENGTHS["address3"], blank=True)
    address4 = models.CharField(max_length=MAX_LENGTHS["address4"], blank=True)
    address5 = models.CharField(max_length=MAX_LENGTHS["address5"], blank=True)
    city = models.CharField(max_length=MAX_LENGTHS["city"], blank=True)
    county = models.CharField(max_length=MAX_LENGTHS["county"], blank=True)
    postcode = models.CharField(max_length=MAX_LENGTHS["postcode"], help_text="Stored upper-case.")
    country = models.CharField(max_length=MAX_LENGTHS["country"], blank=True)
    email = models.CharField(max_length=MAX_LENGTHS["email"], blank=True)
    mobile = models.CharField(max_length=MAX_LENGTHS["mobile"], blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    # Set for rows that came from an import: which job and which row of its file. A provenance
    # note, not a relationship: no database constraint, because checking it for every imported
    # row costs an import of a million rows several seconds (Django still nulls it on job delete).
    import_job = models.ForeignKey(
        "recipients.ImportJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    groups = models.ManyToManyField(RecipientGroup, through="GroupMembership", related_name="recipients")

    class Meta(TenantModel.Meta):
        ordering = ["created_at", "id"]
        # The list's order. No other index: nothing looks recipients up by a column (admin search
        # is a substring match, which no B-tree serves), and every index costs each imported row.
        indexes = [models.Index(fields=["company", "created_at", "id"], name="recipient_company_created")]

    def __str__(self):
        return " ".join(part for part in (self.first_name, self.last_name, self.postcode) if part)


class GroupMembership(models.Model):
    """A recipient in a group. Removing it from a group keeps the recipient."""

    # (group, recipient) and (group, id) below serve every lookup by group; no third index.
    group = models.ForeignKey(
        RecipientGroup, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "recipient"], name="membership_unique")]
        # (group, id): a group's members in insertion order, read page by page.
        indexes = [models.Index(fields=["group", "id"], name="membership_group_order")]

    def __str__(self):
        return f"{self.recipient_id} in {self.group_id}"


class RecipientCounter(models.Model):
    """How many recipients a company has, kept by the services (no list counts 1M rows)."""

    company = models.OneToOneField(
        "accounts.Company", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return str(self.count)


class ImportJob(TenantModel):
    """One CSV/XLSX import into a new group: its source, mappings, progress and outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.OneToOneField(RecipientGroup, on_delete=models.CASCADE, related_name="import_job")
    file_name = models.CharField(max_length=255)
    source_url = models.URLField(max_length=2000, blank=True)
    staged_file = models.CharField(max_length=500, blank=True, help_text="Storage key of the uploaded bytes.")
    mappings = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # The last file row whose batch is committed: a retried task resumes after it.
    checkpoint_row = models.PositiveIntegerField(default=1)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    failed_rows = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    # Found when a run opens the file: its columns that no mapping names (not even `skip`), as
    # [{"column": 1-based position, "header": text}], so the API can warn instead of dropping
    # them silently; and its data rows as counted from its line breaks (CSV only: an upper
    # bound, since quoted cells may hold line breaks), which the API's percent is measured by.
    unmapped_columns = models.JSONField(default=list, blank=True)
    estimated_rows = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The lease of the run that holds the job (or of its queued message): renewed when a run
    # starts and with every batch. Older than IMPORT_LEASE_SECONDS, the job's worker is gone
    # (recipients.importing.recipient_imports_resume_stale takes it from there).
    heartbeat_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-created_at"]
        # The stale-lease sweep reads only unfinished jobs.
        indexes = [
            models.Index(
                fields=["heartbeat_at"], condition=Q(status__in=["queued", "running"]), name="importjob_lease"
            )
        ]

    def __str__(self):
        return f"import {self.file_name} → {self.group_id}"

    @property
    def percent_done(self) -> int | None:
        """100 once done; 0 while queued untouched; while running, rows read of the estimate
        (never past 99: the estimate is an upper bound), or None without one (XLSX); None once
        failed (nothing of it is kept)."""
        if self.status == self.Status.DONE:
            return 100
        if self.status == self.Status.QUEUED and not self.processed_rows:
            return 0
        if self.status == self.Status.FAILED or not self.estimated_rows:
            return None
        return min(99, self.processed_rows * 100 // self.estimated_rows)


class ImportRowError(models.Model):
    """A row of an import file that was not imported, and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField()
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [models.UniqueConstraint(fields=["job", "row_number"], name="import_error_row_unique")]

    def __str__(self):
        return f"row {self.row_number}: {self.reason}"

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from oauth2_provider.models import AbstractApplication

from accounts.tenancy import TenantModel


class Company(models.Model):
    """The tenant. Everything a customer owns hangs off one company."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="GBP")
    is_active = models.BooleanField(default=True, help_text="An inactive company cannot use the API.")
    provisional_booking_allowed = models.BooleanField(
        default=False,
        help_text="May schedule campaigns without paying from the balance: an order is invoiced by email.",
    )
    # The company's integer number (campaign API v2's CompanyID), given in order of creation.
    number = models.PositiveIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    api_logging_until = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="API calls of this company are logged until this time (changed through the services).",
    )
    # The messages export API (/v1/): the api_code its x-auth-context must carry, stored only as a
    # SHA-256 hash (accounts.services.messages_api_code_rotate makes one and shows it once), and
    # the rows a month of publishing may write (empty: no limit).
    messages_api_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    messages_api_code_prefix = models.CharField(max_length=12, blank=True, editable=False)
    messages_monthly_row_limit = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="Messages export: rows a month of publishing may write (empty: no limit).",
    )

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.number is not None:
            return super().save(*args, **kwargs)
        # The next number; two companies made at once are told apart by the unique constraint,
        # and the one that lost takes the number after.
        for attempt in range(NUMBER_ATTEMPTS):
            self.number = (Company.objects.aggregate(last=Max("number"))["last"] or 0) + 1
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                self.number = None
                if attempt == NUMBER_ATTEMPTS - 1:
                    raise


NUMBER_ATTEMPTS = 5


class Workspace(TenantModel):
    """A workspace of a company: the account that the services API addresses by its UUID (the
    spec's serviceUuid). Every company has exactly one default workspace, made with the company
    (accounts.services.company_create); further ones are made and renamed through the services."""

    id = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False, help_text="The services API's serviceUuid."
    )
    name = models.CharField(max_length=200)
    is_default = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default=True), name="one_default_workspace_per_company"
            ),
        ]

    def __str__(self):
        return self.name


class OAuthApplication(AbstractApplication):
    """An OAuth2 client of the services API: django-oauth-toolkit's application, swapped in from
    its first migration, bound to one company and optionally one workspace, and optionally to the
    addresses it may call from. Its tokens act for the company with no user (Principal.user None).
    Made by staff in the admin or by accounts.services.oauth_application_create (client
    credentials, confidential, secret stored hashed and shown once)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="oauth_applications")
    workspace = models.ForeignKey(
        Workspace,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Only this workspace; empty: every workspace of the company.",
    )
    allowed_ips = models.TextField(
        blank=True,
        help_text="Addresses or networks (CIDR) the client may call from, separated by spaces, "
        "commas or lines; empty: any address.",
    )

    class Meta(AbstractApplication.Meta):
        verbose_name = "OAuth application"

    def __str__(self):
        return self.name or self.client_id


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Customers belong to a company; staff (back office) usually do not.
    Roles are Django groups; their permissions are the API rights (accounts/roles.py)."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    api_access_enabled = models.BooleanField(
        default=False,
        help_text="API logins work only after staff switch this on (the approval of API users).",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class ApiKey(TenantModel):
    """An API key: shown once, kept only as a prefix (for people) and a SHA-256 hash (for lookup).
    The secret has 256 bits of entropy, so a fast hash is safe and keeps login cheap."""

    PREFIX = "sk_live_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=20, help_text="The first characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = "API key"
        ordering = ["-created_at"]
        constraints = [
            # Rotation revokes the previous key at once: a user has at most one live key.
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_api_key_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class ApiSession(models.Model):
    """One API login: the chain of refresh tokens that descends from it. Revoking the session
    ends every access and refresh token issued in it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_sessions")
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "API session"

    def __str__(self):
        return f"session {self.pk} of {self.user_id}"


class IssuedRefreshToken(models.Model):
    """A refresh token handed out (by its JWT id). Each may be exchanged once."""

    jti = models.CharField(primary_key=True, max_length=64)
    session = models.ForeignKey(ApiSession, on_delete=models.CASCADE, related_name="refresh_tokens")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.jti


class ApiLoggingChange(models.Model):
    """Append-only record of every change to a company's API logging window: who, what, when."""

    class Action(models.TextChoices):
        ENABLED = "enabled", "Enabled"
        EXTENDED = "extended", "Extended"
        DISABLED = "disabled", "Disabled"
        EXPIRED = "expired", "Expired (closed by the housekeeping task)"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_logging_changes")
    action = models.CharField(max_length=20, choices=Action.choices)
    previous_until = models.DateTimeField(null=True, blank=True)
    new_until = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff user; empty when the system closed an expired window.",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "API logging change"
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.company_id}: {self.action} at {self.changed_at:%Y-%m-%d %H:%M}"


class ApiLogEntry(TenantModel):
    """One API call of a company while its logging window was open. Written in batches by the
    process that served the call (accounts/api_logging.py); secrets redacted, bodies capped."""

    # Every index and check is paid for on each logged call: the company's own index would repeat
    # the start of apilog_company_time, so it has none; and no database foreign key, whose check
    # per row was a third of the COPY's cost, and which made a whole batch fail when one company in
    # it had been deleted meanwhile. Django still deletes a company's entries with it.
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # The retention purge finds old entries across companies through a BRIN index on PostgreSQL
    # (migration 0007: the log is written in time order, and a B-tree cost every call an index
    # insertion); not declared here, since Django's index classes would put it on SQLite too.
    requested_at = models.DateTimeField()
    duration_ms = models.FloatField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    route = models.CharField(max_length=200, blank=True, help_text="The resolved route (endpoint) name.")
    query_string = models.TextField(blank=True)
    status_code = models.PositiveSmallIntegerField()
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    session_id = models.UUIDField(null=True, blank=True, help_text="The API session (login) of the token.")
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=128)
    request_headers = models.JSONField(default=dict)
    request_body = models.TextField(blank=True)
    request_body_size = models.PositiveBigIntegerField(default=0, help_text="Original size in bytes.")
    request_body_truncated = models.BooleanField(default=False)
    response_headers = models.JSONField(default=dict)
    response_body = models.TextField(blank=True)
    response_body_size = models.PositiveBigIntegerField(default=0, help_text="Original size in bytes.")
    response_body_truncated = models.BooleanField(default=False)

    class Meta(TenantModel.Meta):
        verbose_name = "API log entry"
        verbose_name_plural = "API log entries"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-requested_at"], name="apilog_company_time"),
            # Matched whole, never by pattern: one plain index, without db_index's second (LIKE) one.
            models.Index(fields=["request_id"], name="apilog_request_id"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} {self.status_code}"


class IdempotencyKey(TenantModel):
    """A request sent with an `Idempotency-Key` header, and the answer it got once it finished
    (accounts/idempotency.py). One row per principal (company + credential kind) and key: the
    unique constraint, not Python, decides which of two identical requests runs."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"

    # The unique constraint's index starts with the company: no second index of its own.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    credential_kind = models.CharField(max_length=20)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField()
    # A running request holds its key until then; past it, its process is presumed gone and a
    # repeat runs the request again instead of waiting for an answer that will never be stored.
    locked_until = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta(TenantModel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["company", "credential_kind", "key"], name="idempotency_key_unique"
            )
        ]
        # The purge finds expired keys across companies.
        indexes = [models.Index(fields=["expires_at"], name="idempotency_key_expiry")]

    def __str__(self):
        return f"{self.key} ({self.status})"

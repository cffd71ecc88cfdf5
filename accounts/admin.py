"""Back office for companies, workspaces, users (API access approval), API keys and the services
API's OAuth applications. Every change goes through accounts.services, so a staff action obeys the
same rules as an API call."""

import json
from datetime import datetime, time, timedelta

import oauth2_provider.admin  # noqa: F401 (its registrations first, so that they can be undone below)
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from accounts import services
from accounts.models import (
    ApiKey,
    ApiLogEntry,
    ApiLoggingChange,
    ApiSession,
    Company,
    OAuthApplication,
    User,
    Workspace,
)
from billing.models import Balance
from config.admin import ReadOnly, ServiceAdmin, shortened
from config.errors import DomainError
from config.errors_text import staff_text

PATH_SHOWN = 60  # characters of a path in the log's list (the whole path on hover and on its page)
LOGGING_DURATIONS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}


class BalanceInline(admin.StackedInline):
    """The balance at a glance; top-ups, adjustments and locking are on the balance's own page
    (billing admin), where every change goes through the billing services with a reason."""

    model = Balance
    can_delete = False
    fields = ["amount", "currency", "is_locked", "updated_at", "manage"]
    readonly_fields = fields

    @admin.display(description="Top up, adjust, lock, ledger")
    def manage(self, balance):
        if balance.pk is None:
            return "-"
        return format_html(
            '<a href="{}">Open the balance</a>', reverse("admin:billing_balance_change", args=[balance.pk])
        )

    def has_change_permission(self, request, obj=None):
        return False


class ApiLoggingChangeInline(ReadOnly, admin.TabularInline):
    """The history of the company's API logging window: read-only, newest first."""

    model = ApiLoggingChange
    verbose_name_plural = "API logging history"
    fields = ["changed_at", "action", "previous_until", "new_until", "changed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-changed_at", "-id"]


# What staff edit on a company's page (the rest changes through the services).
COMPANY_FIELDS = [
    "name",
    "currency",
    "is_active",
    "provisional_booking_allowed",
    "messages_monthly_row_limit",
]


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = COMPANY_FIELDS


class CompanyChangeForm(CompanyForm):
    """The company page: its fields, plus one change to its API logging window."""

    LOGGING_CHOICES = [
        ("", "No change"),
        ("enable_1h", "Enable for 1 hour"),
        ("enable_24h", "Enable for 24 hours"),
        ("enable_7d", "Enable for 7 days"),
        ("enable_until", "Enable until the time below"),
        ("extend_1h", "Extend by 1 hour"),
        ("extend_24h", "Extend by 24 hours"),
        ("extend_7d", "Extend by 7 days"),
        ("disable", "Disable now"),
    ]
    api_logging_change = forms.ChoiceField(
        label="API logging", choices=LOGGING_CHOICES, required=False, initial=""
    )
    api_logging_until_input = forms.SplitDateTimeField(
        label="Log until",
        required=False,
        widget=admin.widgets.AdminSplitDateTime,
        help_text="With “Enable until the time below”.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("api_logging_change") == "enable_until" and not cleaned.get("api_logging_until_input"):
            self.add_error("api_logging_until_input", "Choose when logging ends.")
        return cleaned


@admin.register(Company)
class CompanyAdmin(ServiceAdmin):
    never_deleted_because = (
        "A company is switched off (Is active), never deleted: its ledger, payments and orders are records."
    )
    form = CompanyForm
    list_display = [
        "name",
        "number",
        "id",
        "is_active",
        "provisional_booking_allowed",
        "balance_amount",
        "api_logging",
        "created_at",
    ]
    list_filter = ["is_active", "provisional_booking_allowed"]
    search_fields = ["name", "id"]
    # The number is campaign API v2's CompanyID: given at creation, never changed.
    readonly_fields = ["id", "number", "created_at", "api_logging", "messages_api_code", "messages_usage"]
    inlines = [BalanceInline, ApiLoggingChangeInline]
    actions = [
        "enable_logging_1h",
        "enable_logging_24h",
        "enable_logging_7d",
        "extend_logging_24h",
        "disable_logging",
        "rotate_messages_api_code",
    ]

    @admin.display(description="API logging")
    def api_logging(self, company):
        until = company.api_logging_until
        if until is None or until <= timezone.now():
            return "off"
        return f"on until {timezone.localtime(until):%Y-%m-%d %H:%M %Z}"

    @admin.display(description="Messages api_code")
    def messages_api_code(self, company):
        """Its beginning only: the code is stored as a hash, shown once when it is rotated."""
        if not company.messages_api_code_prefix:
            return "none yet: rotate it (list action) to make one"
        return f"{company.messages_api_code_prefix}… (shown once when rotated)"

    @admin.display(description="Messages export usage")
    def messages_usage(self, company):
        url = reverse("admin:messaging_messagesusage_changelist") + f"?company__id__exact={company.pk}"
        return format_html('<a href="{}">Rows published and pages calls by month</a>', url)

    @admin.action(
        description="Rotate messages api_code (new one shown once; the old one stops working)",
        permissions=["change"],
    )
    def rotate_messages_api_code(self, request, queryset):
        issued = [(company, services.messages_api_code_rotate(company=company)) for company in queryset]
        response = TemplateResponse(
            request,
            "accounts/admin/messages_api_codes_issued.html",
            {
                **admin.site.each_context(request),
                "title": "New messages api_codes",
                "opts": self.opts,
                "issued": issued,
            },
        )
        add_never_cache_headers(response)  # shown once: never in a cache (nor in the messages cookie)
        return response

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["form"] = CompanyChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": COMPANY_FIELDS})]
        return [
            (
                None,
                {
                    "fields": [
                        "id",
                        "number",
                        "name",
                        "currency",
                        "is_active",
                        "provisional_booking_allowed",
                        "created_at",
                    ]
                },
            ),
            (
                "API logging",
                {
                    "fields": ["api_logging", "api_logging_change", "api_logging_until_input"],
                    "description": "Every change is recorded below with your user and the time.",
                },
            ),
            (
                "Messages export API (/v1/)",
                {
                    "fields": ["messages_api_code", "messages_monthly_row_limit", "messages_usage"],
                    "description": "A publish past the monthly row limit is refused (429).",
                },
            ),
        ]

    def _apply_logging_change(self, request, company, change: str, until=None) -> None:
        try:
            if change.startswith("enable_") and change != "enable_until":
                services.api_logging_enable(
                    company=company,
                    by=request.user,
                    duration=LOGGING_DURATIONS[change.removeprefix("enable_")],
                )
            elif change == "enable_until":
                services.api_logging_enable(company=company, by=request.user, until=until)
            elif change.startswith("extend_"):
                services.api_logging_extend(
                    company=company,
                    by=request.user,
                    duration=LOGGING_DURATIONS[change.removeprefix("extend_")],
                )
            elif change == "disable":
                services.api_logging_disable(company=company, by=request.user)
        except DomainError as exc:
            self.message_user(request, f"{company}: {staff_text(exc)}", messages.ERROR)
            return
        self.message_user(request, f"{company}: API logging {self.api_logging(company)}.", messages.SUCCESS)

    def _bulk_logging_change(self, request, queryset, change: str) -> None:
        for company in queryset:
            self._apply_logging_change(request, company, change)

    @admin.action(description="Enable API logging for 1 hour")
    def enable_logging_1h(self, request, queryset):
        self._bulk_logging_change(request, queryset, "enable_1h")

    @admin.action(description="Enable API logging for 24 hours")
    def enable_logging_24h(self, request, queryset):
        self._bulk_logging_change(request, queryset, "enable_24h")

    @admin.action(description="Enable API logging for 7 days")
    def enable_logging_7d(self, request, queryset):
        self._bulk_logging_change(request, queryset, "enable_7d")

    @admin.action(description="Extend API logging by 24 hours")
    def extend_logging_24h(self, request, queryset):
        self._bulk_logging_change(request, queryset, "extend_24h")

    @admin.action(description="Disable API logging")
    def disable_logging(self, request, queryset):
        self._bulk_logging_change(request, queryset, "disable")

    @admin.display(description="Balance", ordering="balance__amount")
    def balance_amount(self, company):
        balance = getattr(company, "balance", None)
        return f"{balance.amount} {balance.currency}" if balance else "-"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("balance")

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            # Only the form's own fields: the logging window changes through the services.
            obj.save(update_fields=COMPANY_FIELDS)
            logging_change = form.cleaned_data.get("api_logging_change")
            if logging_change:
                self._apply_logging_change(
                    request, obj, logging_change, form.cleaned_data.get("api_logging_until_input")
                )
            return
        created = services.company_create(name=obj.name, currency=obj.currency)
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding = False
        if not obj.is_active or obj.provisional_booking_allowed or obj.messages_monthly_row_limit is not None:
            obj.save(update_fields=["is_active", "provisional_booking_allowed", "messages_monthly_row_limit"])


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "company", "api_access_enabled", "is_staff", "is_active", "date_joined"]
    list_filter = ["api_access_enabled", "is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name", "company__name"]
    list_select_related = ["company"]
    readonly_fields = ["api_access_enabled", "last_login", "date_joined"]
    actions = ["enable_api_access", "disable_api_access", "issue_api_key", "unlock_admin_login"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "company"]}),
        ("API access", {"fields": ["api_access_enabled"], "description": "Changed with the list actions."}),
        ("Roles and permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "company", "password1", "password2"]})]

    @admin.action(description="Enable API access (approve API use)")
    def enable_api_access(self, request, queryset):
        for user in queryset:
            services.user_set_api_access(user=user, enabled=True, by=request.user)
        self.message_user(request, f"API access enabled for {queryset.count()} user(s).")

    @admin.action(description="Disable API access (ends their API sessions)")
    def disable_api_access(self, request, queryset):
        for user in queryset:
            services.user_set_api_access(user=user, enabled=False, by=request.user)
        self.message_user(request, f"API access disabled for {queryset.count()} user(s).")

    @admin.action(description="Generate / rotate API key (shown once)")
    def issue_api_key(self, request, queryset):
        issued, skipped = [], []
        for user in queryset:
            if user.company_id is None:
                skipped.append(user)
                continue
            issued.append((user, services.api_key_issue(user=user).secret))
        return issued_keys_response(request, self.opts, issued, skipped)

    @admin.action(description="Unlock admin login (clear failed login attempts)")
    def unlock_admin_login(self, request, queryset):
        cleared = sum(axes_reset(username=user.get_username()) for user in queryset)
        self.message_user(
            request,
            f"Admin login unlocked for {queryset.count()} user(s) ({cleared} record(s) of failed "
            "attempts cleared). An address locked by failures on other accounts is unlocked under "
            "Axes > Access attempts.",
        )


def issued_keys_response(request, opts, issued, skipped=()):
    """The page that shows new API keys, once: rendered into this response only (never into the
    messages framework, whose cookie is signed, not encrypted), and never cached."""
    response = TemplateResponse(
        request,
        "accounts/admin/api_keys_issued.html",
        {
            **admin.site.each_context(request),
            "title": "New API keys",
            "opts": opts,
            "issued": issued,
            "skipped": skipped,
        },
    )
    add_never_cache_headers(response)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out admin login sees (settings.AXES_LOCKOUT_CALLABLE): the login is refused
    with the right password too, for how long, and who can lift it."""
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() / 60
    return render(  # rendered here: a middleware (axes') returns it
        request,
        "accounts/admin/locked_out.html",
        {
            **admin.site.each_context(request),
            "title": "Login locked",
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(minutes) if minutes == int(minutes) else round(minutes, 1),
        },
        status=429,
    )


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["user"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if user.company_id is None:
            raise forms.ValidationError("Only a company user can hold an API key.")
        return user


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceAdmin):
    never_deleted_because = "A key is revoked (the Revoke action), never deleted: it stays as a record."
    list_display = ["prefix", "user", "company", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__email", "company__name"]
    list_select_related = ["user", "company"]
    readonly_fields = ["prefix", "user", "company", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["user"] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        issued = services.api_key_issue(user=form.cleaned_data["user"])
        saved = issued.api_key
        obj.pk, obj.prefix, obj.company_id, obj.created_at = (
            saved.pk,
            saved.prefix,
            saved.company_id,
            saved.created_at,
        )
        obj._state.adding = False
        obj.issued_secret = issued.secret  # for response_add: this request only

    def response_add(self, request, obj, post_url_continue=None):
        return issued_keys_response(request, self.opts, [(obj.user, obj.issued_secret)])

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.api_key_revoke(api_key=api_key)
        self.message_user(request, "Keys revoked.")


class WorkspaceAddForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["company", "name"]


@admin.register(Workspace)
class WorkspaceAdmin(ServiceAdmin):
    """Workspaces of every company: made for a company and renamed through the services. None is
    ever deleted here, so a company never loses its default workspace."""

    never_deleted_because = "Workspaces are never deleted, so a company never loses its default workspace."

    list_display = ["name", "company", "is_default", "id", "created_at"]
    list_filter = ["is_default"]
    search_fields = ["name", "company__name"]
    list_select_related = ["company"]
    ordering = ["company__name", "-is_default", "name"]
    readonly_fields = ["id", "company", "is_default", "created_at"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = WorkspaceAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["company", "name"] if obj is None else ["id", "company", "name", "is_default", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        with self.refusals():
            if change:
                saved = services.workspace_rename(
                    company=obj.company, workspace_id=obj.pk, name=form.cleaned_data["name"]
                )
            else:
                saved = services.workspace_create(
                    company=form.cleaned_data["company"], name=form.cleaned_data["name"]
                )
            obj.pk, obj.created_at = saved.pk, saved.created_at
            obj._state.adding = False
        obj.name = saved.name


# ---- OAuth applications of the services API ------------------------------------------------------

# django-oauth-toolkit's own admin edits its rows raw (a client secret typed in, tokens changed by
# hand): staff make, change, rotate and delete applications below, through the services, and see
# each application's live tokens on its page.
for _model in (
    OAuthApplication,
    get_access_token_model(),
    get_refresh_token_model(),
    get_grant_model(),
    get_id_token_model(),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class WorkspaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, workspace):
        return f"{workspace.company} — {workspace.name}"


class OAuthApplicationAddForm(forms.ModelForm):
    workspace = WorkspaceChoiceField(
        queryset=Workspace.unscoped.select_related("company").order_by(
            "company__name", "-is_default", "name"
        ),
        required=False,
        empty_label="Every workspace of the company",
        help_text="Only this workspace (one of the company's); empty: every workspace of the company.",
    )

    class Meta:
        model = OAuthApplication
        fields = ["company", "workspace", "name", "allowed_ips"]


class OAuthApplicationChangeForm(forms.ModelForm):
    class Meta:
        model = OAuthApplication
        fields = ["name", "allowed_ips"]


@admin.register(OAuthApplication)
class OAuthApplicationAdmin(ServiceAdmin):
    """Client credentials applications of the services API. Made through the service (the client
    secret is shown once, on the page that answers the save, and stored hashed); the name and the
    allowed addresses change through the service; "Rotate the client secret" makes a new one
    (shown once) and ends the application's access tokens; a delete ends them too."""

    list_display = ["name", "company", "workspace_shown", "client_id", "created"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "client_id", "company__name"]
    list_select_related = ["company", "workspace"]
    ordering = ["company__name", "name", "id"]
    actions = ["rotate_secret"]
    readonly_fields = [
        "company", "workspace_shown", "client_id", "client_secret_shown", "live_tokens", "created", "updated",
    ]  # fmt: skip

    @admin.display(description="workspace", ordering="workspace__name")
    def workspace_shown(self, application):
        return application.workspace or "every workspace"

    @admin.display(description="client secret")
    def client_secret_shown(self, application):
        return "Stored hashed: shown once, when the application is made or its secret rotated."

    @admin.display(description="live access tokens")
    def live_tokens(self, application):
        return (
            get_access_token_model()
            .objects.filter(application=application, expires__gt=timezone.now())
            .count()
        )

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = OAuthApplicationAddForm if obj is None else OAuthApplicationChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["company", "workspace", "name", "allowed_ips"]
        return ["name", "allowed_ips", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        values = form.cleaned_data
        with self.refusals():
            if change:
                saved = services.oauth_application_update(
                    company=obj.company,
                    application_id=obj.pk,
                    name=values["name"],
                    allowed_ips=values["allowed_ips"],
                )
            else:
                made = services.oauth_application_create(
                    company=values["company"],
                    workspace=values["workspace"],
                    name=values["name"],
                    allowed_ips=values["allowed_ips"],
                )
                saved = made.application
                obj.issued_secret = made.client_secret  # for response_add: this request only
        obj.pk, obj.client_id, obj.allowed_ips = saved.pk, saved.client_id, saved.allowed_ips
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        return oauth_secrets_response(request, self.opts, [(obj, obj.issued_secret)])

    def delete_through_service(self, request, obj):
        services.oauth_application_delete(company=obj.company, application_id=obj.pk)

    @admin.action(
        description="Rotate the client secret (new one shown once; ends its access tokens)",
        permissions=["change"],
    )
    def rotate_secret(self, request, queryset):
        issued = []
        for application in queryset.select_related("company"):
            try:
                made = services.oauth_application_rotate_secret(
                    company=application.company, application_id=application.pk
                )
            except DomainError as exc:
                self.message_user(request, f"{application}: {staff_text(exc)}", messages.ERROR)
            else:
                issued.append((made.application, made.client_secret))
        if not issued:
            return None
        return oauth_secrets_response(request, self.opts, issued)


def oauth_secrets_response(request, opts, issued):
    """The page that shows new client secrets, once: rendered into this response only (never into
    the messages framework, whose cookie is signed, not encrypted), and never cached."""
    response = TemplateResponse(
        request,
        "accounts/admin/oauth_secrets_issued.html",
        {
            **admin.site.each_context(request),
            "title": "New client secrets",
            "opts": opts,
            "issued": issued,
            "token_url": request.build_absolute_uri(reverse("oauth-token")),
        },
    )
    add_never_cache_headers(response)
    return response


@admin.register(ApiSession)
class ApiSessionAdmin(ServiceAdmin):
    never_deleted_because = "A session ends when its key is revoked or API access is switched off."
    list_display = ["id", "user", "created_at", "revoked_at", "revoked_reason"]
    list_select_related = ["user"]
    search_fields = ["user__email", "id"]
    readonly_fields = ["id", "user", "api_key", "created_at", "revoked_at", "revoked_reason"]

    def has_add_permission(self, request):
        return False


# ---- API log browsing ---------------------------------------------------------------------------


class DateRangeFilter(admin.FieldListFilter):
    """From / to dates (inclusive) for a datetime field, typed into two boxes."""

    template = "accounts/admin/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.param_from = f"{field_path}__range_from"
        self.param_to = f"{field_path}__range_to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.value_from = self._value(self.param_from)
        self.value_to = self._value(self.param_to)

    def _value(self, name) -> str:
        value = self.used_parameters.get(name) or ""
        return (value[-1] if isinstance(value, list) else value) or ""

    def expected_parameters(self):
        return [self.param_from, self.param_to]

    def has_output(self):
        return True

    @staticmethod
    def _moment(text: str, *, end: bool):
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    def queryset(self, request, queryset):
        start = self._moment(self.value_from, end=False) if self.value_from else None
        end = self._moment(self.value_to, end=True) if self.value_to else None
        if start is not None:
            queryset = queryset.filter(**{f"{self.field_path}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{self.field_path}__lt": end})
        return queryset

    def choices(self, changelist):
        keep = {
            key: value
            for key, value in changelist.get_filters_params().items()
            if key not in (self.param_from, self.param_to)
        }
        yield {
            "param_from": self.param_from,
            "param_to": self.param_to,
            "value_from": self.value_from,
            "value_to": self.value_to,
            "keep": [
                (key, v)
                for key, values in keep.items()
                for v in (values if isinstance(values, list) else [values])
            ],
            "query_string": changelist.get_query_string(remove=[self.param_from, self.param_to]),
        }


class StatusClassFilter(admin.SimpleListFilter):
    title = "status class"
    parameter_name = "status_class"

    def lookups(self, request, model_admin):
        return [
            ("2xx", "2xx success"),
            ("3xx", "3xx redirect"),
            ("4xx", "4xx client error"),
            ("5xx", "5xx server error"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value[0] in "2345" and value.endswith("xx"):
            low = int(value[0]) * 100
            return queryset.filter(status_code__gte=low, status_code__lt=low + 100)
        return queryset


def _pretty(value) -> str:
    if isinstance(value, str):
        if not value:
            return "-"
        try:
            value = json.loads(value)
        except ValueError:
            return format_html('<pre style="white-space: pre-wrap">{}</pre>', value)
    return format_html(
        '<pre style="white-space: pre-wrap">{}</pre>', json.dumps(value, indent=2, ensure_ascii=False)
    )


@admin.register(ApiLogEntry)
class ApiLogEntryAdmin(ServiceAdmin):
    """Read-only for everyone: entries are written by the API logging and removed by the purge."""

    never_deleted_because = "API log entries are removed by the retention purge only."

    # The narrow key columns first: a long path must not push them off a 1400 px screen.
    list_display = [
        "requested_at",
        "status_code",
        "duration_ms",
        "method",
        "request_id",
        "short_path",
        "company",
        "route",
    ]
    list_filter = [
        ("requested_at", DateRangeFilter),
        "method",
        StatusClassFilter,
        "status_code",
        "route",
        ("company", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["path", "=request_id"]
    search_help_text = "Part of a path, or =<request id> for that one request."
    date_hierarchy = "requested_at"
    list_select_related = ["company"]
    show_full_result_count = False
    ordering = ["-requested_at", "-id"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "requested_at",
                    "company",
                    "user",
                    "api_key",
                    "session_id",
                    "client_ip",
                    "request_id",
                ]
            },
        ),
        ("Call", {"fields": ["method", "path", "route", "query_string", "status_code", "duration_ms"]}),
        (
            "Request",
            {
                "fields": [
                    "request_headers_pretty",
                    "request_body_pretty",
                    "request_body_size",
                    "request_body_truncated",
                ]
            },
        ),
        (
            "Response",
            {
                "fields": [
                    "response_headers_pretty",
                    "response_body_pretty",
                    "response_body_size",
                    "response_body_truncated",
                ]
            },
        ),
    ]
    readonly_fields = [
        "requested_at",
        "company",
        "user",
        "api_key",
        "session_id",
        "client_ip",
        "request_id",
        "method",
        "path",
        "route",
        "query_string",
        "status_code",
        "duration_ms",
        "request_headers_pretty",
        "request_body_pretty",
        "request_body_size",
        "request_body_truncated",
        "response_headers_pretty",
        "response_body_pretty",
        "response_body_size",
        "response_body_truncated",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        """`=<request id>` (as the README documents it) finds that request exactly, by the
        request id's index; anything else searches paths (and whole request ids)."""
        term = search_term.strip()
        if term.startswith("=") and term[1:].strip():
            return queryset.filter(request_id=term[1:].strip()), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="path", ordering="path")
    def short_path(self, entry):
        return shortened(entry.path, PATH_SHOWN)

    @admin.display(description="API key")
    def api_key(self, entry):
        session = (
            ApiSession.objects.select_related("api_key").filter(pk=entry.session_id).first()
            if entry.session_id
            else None
        )
        return f"{session.api_key.prefix}… (API session {session.pk})" if session else "-"

    @admin.display(description="Request headers")
    def request_headers_pretty(self, entry):
        return _pretty(entry.request_headers)

    @admin.display(description="Request body")
    def request_body_pretty(self, entry):
        return _pretty(entry.request_body)

    @admin.display(description="Response headers")
    def response_headers_pretty(self, entry):
        return _pretty(entry.response_headers)

    @admin.display(description="Response body")
    def response_body_pretty(self, entry):
        return _pretty(entry.response_body)

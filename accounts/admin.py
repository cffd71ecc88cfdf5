"""Back office for companies, users (API access approval) and API keys. Every change goes
through accounts.services, so a staff action obeys the same rules as an API call."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.html import format_html

from accounts import services
from accounts.models import ApiKey, ApiSession, Company, User
from billing.models import Balance


class BalanceInline(admin.StackedInline):
    model = Balance
    can_delete = False
    fields = ["amount", "currency", "is_locked", "updated_at"]
    readonly_fields = ["amount", "currency", "updated_at"]


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "currency", "is_active"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyForm
    list_display = ["name", "id", "is_active", "balance_amount", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at"]
    inlines = [BalanceInline]

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
            super().save_model(request, obj, form, change)
            return
        created = services.company_create(name=obj.name, currency=obj.currency)
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding = False
        if not obj.is_active:
            obj.save(update_fields=["is_active"])


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "company", "api_access_enabled", "is_staff", "is_active", "date_joined"]
    list_filter = ["api_access_enabled", "is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name", "company__name"]
    list_select_related = ["company"]
    readonly_fields = ["api_access_enabled", "last_login", "date_joined"]
    actions = ["enable_api_access", "disable_api_access", "issue_api_key"]
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
        for user in queryset:
            if user.company_id is None:
                self.message_user(request, f"{user} has no company; no key issued.", messages.WARNING)
                continue
            issued = services.api_key_issue(user=user)
            self.message_user(
                request,
                format_html(
                    "New API key for {}: <code>{}</code> (copy it now: it is not shown again; "
                    "the previous key is revoked).",
                    user,
                    issued.secret,
                ),
                messages.SUCCESS,
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
class ApiKeyAdmin(admin.ModelAdmin):
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
        self.message_user(
            request,
            format_html(
                "API key: <code>{}</code> (copy it now: it is not shown again; the previous key is revoked).",
                issued.secret,
            ),
            messages.SUCCESS,
        )

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.api_key_revoke(api_key=api_key)
        self.message_user(request, "Keys revoked.")


@admin.register(ApiSession)
class ApiSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "created_at", "revoked_at", "revoked_reason"]
    list_select_related = ["user"]
    search_fields = ["user__email", "id"]
    readonly_fields = ["id", "user", "api_key", "created_at", "revoked_at", "revoked_reason"]

    def has_add_permission(self, request):
        return False

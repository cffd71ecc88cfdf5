"""The back office of webhooks: endpoints made, changed, deleted and given new secrets through the
services (a secret is shown once, on the page that follows); events and deliveries to read, each
delivery with its attempts, and a replay action."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from config.admin import CappedCountPaginator, KeySearch, ReadOnly, ServiceAdmin, shortened
from webhooks import services
from webhooks.errors import WebhookEndpointDisabled
from webhooks.events import SUBSCRIBABLE
from webhooks.models import Attempt, Delivery, Endpoint, Event

EVENT_CHOICES = [("*", "* (every event)"), *((name, name) for name in sorted(SUBSCRIBABLE))]


class EndpointForm(forms.ModelForm):
    url = forms.CharField(max_length=2000, help_text="https (http in DEBUG and the embedded default)")
    events = forms.MultipleChoiceField(choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Endpoint
        fields = ["company", "workspace", "url", "events", "description", "enabled"]


class EndpointChangeForm(EndpointForm):
    class Meta(EndpointForm.Meta):
        fields = ["url", "events", "description", "enabled"]


def secrets_shown_response(request, opts, endpoints):
    """The page that shows new secrets, once: rendered into this response only, never cached."""
    response = TemplateResponse(
        request,
        "webhooks/admin/secrets_shown.html",
        {
            **admin.site.each_context(request),
            "title": "New webhook secrets",
            "opts": opts,
            "shown": endpoints,
        },
    )
    add_never_cache_headers(response)
    return response


@admin.register(Endpoint)
class EndpointAdmin(KeySearch, ServiceAdmin):
    list_display = ["url", "company", "enabled", "event_list", "failing_since", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "company__name", "description"]
    list_select_related = ["company"]
    readonly_fields = [
        "id",
        "company",
        "workspace",
        "failing_since",
        "disabled_reason",
        "created_at",
        "updated_at",
    ]
    actions = ["rotate_secret", "send_test"]

    @admin.display(description="events")
    def event_list(self, obj):
        return shortened(", ".join(obj.events), 60)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = EndpointChangeForm if obj is not None else EndpointForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return EndpointForm.Meta.fields[:-1]
        return [*EndpointChangeForm.Meta.fields, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with self.refusals():
            if change:
                fields = ("url", "events", "description", "enabled")
                changes = {name: data[name] for name in fields if name in form.changed_data}
                saved = services.endpoint_update(company=obj.company, endpoint_id=obj.pk, changes=changes)
            else:
                saved = services.endpoint_create(
                    company=data["company"],
                    url=data["url"],
                    events=list(data["events"]),
                    description=data["description"],
                    workspace_id=data["workspace"].pk if data.get("workspace") else None,
                )
        obj.pk, obj.secret, obj.created_at, obj.updated_at = (
            saved.pk,
            saved.secret,
            saved.created_at,
            saved.updated_at,
        )
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        return secrets_shown_response(request, self.opts, [obj])

    def delete_through_service(self, request, obj):
        services.endpoint_delete(company=obj.company, endpoint_id=obj.pk)

    @admin.action(permissions=["change"], description="Rotate the secret of selected endpoints")
    def rotate_secret(self, request, queryset):
        rotated = []
        for endpoint in queryset.select_related("company"):
            with self.refusals(endpoint):
                rotated.append(
                    services.endpoint_rotate_secret(company=endpoint.company, endpoint_id=endpoint.pk)
                )
        return secrets_shown_response(request, self.opts, rotated)

    @admin.action(permissions=["change"], description="Send a test event to selected endpoints")
    def send_test(self, request, queryset):
        sent = 0
        for endpoint in queryset.select_related("company"):
            try:
                services.endpoint_send_test(company=endpoint.company, endpoint_id=endpoint.pk)
            except WebhookEndpointDisabled:
                self.message_user(request, f"{endpoint}: disabled, no test event sent.", messages.WARNING)
            else:
                sent += 1
        self.message_user(request, f"{sent} test events queued.")


@admin.register(Event)
class EventAdmin(KeySearch, ReadOnly, admin.ModelAdmin):
    list_display = ["id", "type", "company", "occurred_at"]
    list_filter = ["type"]
    search_fields = ["id", "company__name"]
    list_select_related = ["company"]
    paginator = CappedCountPaginator
    show_full_result_count = False

    def search_key(self, term: str):
        return term if term.startswith("evt_") else None


class AttemptInline(ReadOnly, admin.TabularInline):
    model = Attempt
    fields = ["attempted_at", "status_code", "duration_ms", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(KeySearch, ReadOnly, admin.ModelAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["event__id", "endpoint__url", "company__name"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = [
        "id", "company", "endpoint", "event", "status", "occurred_at", "attempts",
        "next_attempt_at", "last_attempt_at", "last_status_code", "created_at",
    ]  # fmt: skip
    inlines = [AttemptInline]
    actions = ["replay"]
    paginator = CappedCountPaginator
    show_full_result_count = False

    def has_replay_permission(self, request):
        return request.user.has_perm("webhooks.change_endpoint")

    @admin.action(permissions=["replay"], description="Replay selected deliveries")
    def replay(self, request, queryset):
        replayed = 0
        for delivery in queryset.select_related("company"):
            try:
                services.delivery_replay(
                    company=delivery.company, endpoint_id=delivery.endpoint_id, delivery_id=delivery.pk
                )
            except WebhookEndpointDisabled:
                self.message_user(request, f"{delivery}: its endpoint is disabled.", messages.WARNING)
            else:
                replayed += 1
        self.message_user(request, f"{replayed} deliveries queued again.")

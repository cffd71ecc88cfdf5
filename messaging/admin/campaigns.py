"""Back office of the message half: message campaigns (read-only, with their settings, firings and
status history; stopped, resumed and deleted through messaging.services), the client campaigns of
campaign API v2 (read-only, with their clients a page at a time; deleted through
messaging.services) and their messages (a read-only list built to stay quick on a table of
millions). What a campaign sends changes only through its API."""

import json
import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.paginator import Paginator
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from campaigns.admin import StatusChangeInline
from campaigns.models import MESSAGE_CHANNELS, Campaign, Channel, MessageSettings, MessageStatus
from config.admin import CappedCountPaginator, KeySearch, ReadOnly, ServiceAdmin, shortened
from config.errors import DomainError
from config.errors_text import staff_text
from messaging import selectors, services
from messaging.errors import MessagingErrorCode
from messaging.models import ClientCampaign, Message, MessageCampaign, Occurrence
from messaging.services.clients import client_campaign_delete

MESSAGE_KEY = re.compile(r"[0-9A-Fa-f]{30}")
ERROR_SHOWN = 60  # characters of a delivery error in the messages list (all of it on hover)
CLIENTS_PER_PAGE = 100  # of a client campaign's page

# The message half's refusals in the back office's words: v1's table, whose words the admin
# otherwise speaks (config.errors_text.staff_text), never serves these codes.
STAFF_TEXT = {
    MessagingErrorCode.MESSAGE_CAMPAIGN_NOT_FOUND: "Message campaign not found in its workspace.",
}


def refusal_text(exc: DomainError) -> str:
    return STAFF_TEXT.get(exc.code) or staff_text(exc)


def moment(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M %Z}" if value is not None else "-"


class MessageStatusFilter(admin.SimpleListFilter):
    """A message campaign's statuses only (the field's choices hold the print ones too)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return MessageStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() in MessageStatus.values else queryset


class MessageChannelFilter(admin.SimpleListFilter):
    """The message channels, from the code: never a DISTINCT over the table."""

    title = "channel"
    parameter_name = "channel"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in Channel.choices if value in MESSAGE_CHANNELS]

    def queryset(self, request, queryset):
        return queryset.filter(channel=self.value()) if self.value() in MESSAGE_CHANNELS else queryset


class CounterColumns:
    """A campaign's counters (MessageSettings, moved with every message status change: nothing
    is counted here) as list columns and read-only fields."""

    def settings_of(self, obj) -> MessageSettings:
        raise NotImplementedError

    @admin.display(description="Total")
    def total(self, obj):
        return self.settings_of(obj).total_messages

    @admin.display(description="Sent")
    def sent(self, obj):
        return self.settings_of(obj).sent_count

    @admin.display(description="Delivered")
    def delivered(self, obj):
        return self.settings_of(obj).delivered_count

    @admin.display(description="Failed")
    def failed(self, obj):
        return self.settings_of(obj).failed_count

    @admin.display(description="last error")
    def last_error(self, obj):
        return shortened(self.settings_of(obj).last_error, ERROR_SHOWN) or "-"


# ---- message campaigns ---------------------------------------------------------------------------


class ReadOnlyInline(ReadOnly):
    can_delete = False
    extra = 0


class MessageSettingsInline(ReadOnlyInline, admin.StackedInline):
    model = MessageSettings
    verbose_name_plural = "what it sends, to whom and when"
    fields = [
        "schedule_type", "schedule_rrule", "activated_at", "next_at", "last_at", "sender", "template",
        "recipient_lists", "query_type", "query", "webpush_title", "webpush_body", "webpush_target_url",
        "webpush_icon", "webpush_image", "total_messages", "sent_count", "delivered_count", "failed_count",
        "last_error",
    ]  # fmt: skip
    readonly_fields = fields


class LatestOccurrences(BaseInlineFormSet):
    """Only the newest firings: a campaign that fires every few minutes has thousands."""

    def get_queryset(self):
        return super().get_queryset()[: selectors.RECENT_OCCURRENCES]


class OccurrenceInline(ReadOnlyInline, admin.TabularInline):
    model = Occurrence
    formset = LatestOccurrences
    verbose_name = "firing"
    verbose_name_plural = f"firings (the latest {selectors.RECENT_OCCURRENCES}, newest first)"
    fields = [
        "scheduled_at", "status", "targeted", "generated", "without_address", "attempts", "started_at",
        "finished_at", "failure_reason",
    ]  # fmt: skip
    readonly_fields = fields
    ordering = ["-scheduled_at", "-id"]


@admin.register(MessageCampaign)
class MessageCampaignAdmin(KeySearch, CounterColumns, ServiceAdmin):
    """Message campaigns of every company, read-only: their content changes only through the
    services API. Staff stop and resume them (the list's actions) and delete them, each through
    messaging.services, so the schedule and the status history stay right. Campaign API v2's
    campaigns are not here: they have their own page (ClientCampaignAdmin)."""

    list_display = [
        "name", "company", "workspace", "channel", "status", "next_firing", "last_firing", "total", "sent",
        "delivered", "failed", "created_at",
    ]  # fmt: skip
    list_filter = [MessageStatusFilter, MessageChannelFilter, ("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    search_help_text = "Part of a name, or a campaign's UUID."
    list_select_related = ["company", "workspace", "message_settings"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    actions = ["stop_campaigns", "resume_campaigns"]
    inlines = [MessageSettingsInline, OccurrenceInline, StatusChangeInline]
    fields = [
        "id", "name", "company", "workspace", "channel", "status", "message_counts", "created_by", "created_at",
        "updated_at",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(channel__in=MESSAGE_CHANNELS)
            .exclude(selection=Campaign.Selection.CLIENTS)
        )

    @admin.display(description="next firing", ordering="message_settings__next_at")
    def next_firing(self, campaign):
        return moment(self._settings(campaign).next_at)

    @admin.display(description="last firing", ordering="message_settings__last_at")
    def last_firing(self, campaign):
        return moment(self._settings(campaign).last_at)

    @staticmethod
    def _settings(campaign) -> MessageSettings:
        return getattr(campaign, "message_settings", None) or MessageSettings()

    def settings_of(self, obj) -> MessageSettings:
        return self._settings(obj)

    @admin.display(description="messages")
    def message_counts(self, campaign):
        counts = selectors.message_counts([campaign.pk])[campaign.pk]
        listed = ", ".join(f"{n} {status}" for status, n in counts.items())
        url = f"{reverse('admin:messaging_message_changelist')}?campaign_id={campaign.pk}"
        return format_html('{} in all ({}): <a href="{}">list them</a>', sum(counts.values()), listed, url)

    # The page is read-only; the change permission serves the list's actions.
    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_add_permission(self, request):
        return False

    def delete_through_service(self, request, obj):
        services.message_campaign_delete(company=obj.company, workspace=obj.workspace, campaign_id=obj.pk)

    # ---- stop and resume: messaging.services.message_campaign_set_status, one campaign at a time --

    def _set_status(self, request, campaign, status: str) -> Campaign | None:
        try:
            return services.message_campaign_set_status(
                company=campaign.company,
                workspace=campaign.workspace,
                campaign_id=campaign.pk,
                status=status,
                by=request.user,
            )
        except DomainError as exc:
            self.message_user(request, f"{campaign}: {refusal_text(exc)}", messages.ERROR)
            return None

    @admin.action(
        description="Stop selected campaigns (no more firings; queued messages wait)", permissions=["change"]
    )
    def stop_campaigns(self, request, queryset):
        for campaign in queryset.select_related("company", "workspace"):
            if campaign.status == MessageStatus.STOPPED:
                self.message_user(request, f"{campaign}: already stopped.", messages.WARNING)
            elif self._set_status(request, campaign, MessageStatus.STOPPED) is not None:
                self.message_user(
                    request,
                    f"{campaign}: stopped. It fires no more, and its queued messages wait until it is resumed.",
                    messages.SUCCESS,
                )

    @admin.action(
        description="Resume selected campaigns (from now on; missed firings are skipped)",
        permissions=["change"],
    )
    def resume_campaigns(self, request, queryset):
        for campaign in queryset.select_related("company", "workspace"):
            if campaign.status == MessageStatus.ACTIVE:
                self.message_user(request, f"{campaign}: already active.", messages.WARNING)
            elif campaign.status == MessageStatus.DRAFT:
                # Starting a draft is the integrator's decision, through the API: staff resume
                # only what was running.
                self.message_user(
                    request,
                    f"{campaign}: a draft is started by its integrator, through the API.",
                    messages.WARNING,
                )
            elif (resumed := self._set_status(request, campaign, MessageStatus.ACTIVE)) is not None:
                if resumed.status == MessageStatus.ACTIVE:
                    text = f"active again; next firing {moment(resumed.message_settings.next_at)}."
                else:
                    text = "finished: nothing is left to fire."
                self.message_user(request, f"{campaign}: {text}", messages.SUCCESS)


# ---- client campaigns (campaign API v2) ------------------------------------------------------------


@admin.register(ClientCampaign)
class ClientCampaignAdmin(KeySearch, CounterColumns, ServiceAdmin):
    """Campaign API v2's campaigns of every company, read-only: made and changed through that API.
    Their clients show a page at a time (a campaign has up to 100,000); a delete goes through
    messaging.services, which stops what is pending and purges the messages later."""

    list_display = [
        "id", "name", "company", "state", "send_at", "total", "sent", "delivered", "failed", "last_error",
    ]  # fmt: skip
    list_display_links = ["id", "name"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["campaign__name"]
    search_help_text = "Part of a name, or a campaign's ID."
    ordering = ["-id"]
    show_full_result_count = False
    change_form_template = "messaging/admin/clientcampaign_change_form.html"
    fields = [
        "id", "name", "company", "state", "send_at", "created_by", "created_at", "template_id",
        "template_name", "language", "message", "json", "client_count", "total", "sent", "delivered",
        "failed", "last_error", "messages_link",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        # Each row's state comes from its firing's status, read in the list's own query.
        # Django skips list_select_related for a queryset that selects related rows already: all here.
        rows = (
            super()
            .get_queryset(request)
            .select_related("company", "campaign__message_settings", "campaign__created_by")
        )
        return selectors.with_firing_status(rows)

    def settings_of(self, obj) -> MessageSettings:
        return obj.campaign.message_settings

    def search_key(self, term: str):
        """A whole number is a campaign's ID."""
        return int(term) if term.isdigit() and len(term) < 19 else None

    @admin.display(description="name", ordering="campaign__name")
    def name(self, obj):
        return obj.campaign.name

    @admin.display(description="status")
    def state(self, obj):
        return selectors.client_campaign_state(obj, obj.firing_status)

    @admin.display(description="created by")
    def created_by(self, obj):
        return obj.campaign.created_by or "-"

    @admin.display(description="created at")
    def created_at(self, obj):
        return moment(obj.campaign.created_at)

    @admin.display(description="messages")
    def messages_link(self, obj):
        url = f"{reverse('admin:messaging_message_changelist')}?campaign_id={obj.campaign_id}"
        return format_html('<a href="{}">list them</a>', url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            extra_context = {**(extra_context or {}), **self._clients_page(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _clients_page(request, obj) -> dict:
        """One page of the clients (?clients_page=N), read by position: positions run 1..n, so a
        page is a range of the key, never an OFFSET or a COUNT."""
        paginator = Paginator(range(1, obj.client_count + 1), CLIENTS_PER_PAGE)
        page = paginator.get_page(request.GET.get("clients_page"))
        clients = selectors.clients_at(obj, first=page.start_index(), last=page.end_index()) if page else []
        return {
            "clients": [
                (client.position, client.account_id, json.dumps(client.params, ensure_ascii=False))
                for client in clients
            ],
            "clients_page": page,
            "clients_pages": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "clients_ellipsis": Paginator.ELLIPSIS,
        }

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_through_service(self, request, obj):
        client_campaign_delete(company=obj.company, campaign_number=obj.pk)


# ---- messages --------------------------------------------------------------------------------------


@admin.register(Message)
class MessageAdmin(ReadOnly, admin.ModelAdmin):
    """Every generated message, read-only: written by generation, changed by delivery and receipts.
    Made for a table of millions: newest first by key, no full count, filters from the code, and
    a search that takes an index (a whole message key) or an address's beginning, never a
    `LIKE '%...%'`."""

    list_display = [
        "message_key", "campaign_link", "channel", "address", "status", "attempts", "error", "created_at",
        "sent_at", "delivered_at",
    ]  # fmt: skip
    list_filter = ["status", MessageChannelFilter]
    search_fields = ["=message_key", "^address"]
    search_help_text = "A whole message key, or the beginning of an address."
    ordering = ["-id"]
    sortable_by = []
    show_full_result_count = False
    paginator = CappedCountPaginator
    fields = [
        "message_key", "campaign_link", "occurrence_id", "company", "recipient_id", "channel", "address",
        "status", "attempts", "last_error", "next_attempt_at", "provider_id", "created_at", "sent_at",
        "delivered_at", "body", "payload",
    ]  # fmt: skip
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        """A message key (30 hex digits, any case) by its unique index; anything else by the
        address's beginning (`^address`)."""
        term = search_term.strip()
        if MESSAGE_KEY.fullmatch(term):
            return queryset.filter(message_key=term.upper()), False
        return super().get_search_results(request, queryset, term)

    def get_changelist_instance(self, request):
        """The page's campaign names in one query (a message keeps its campaign's id without a
        constraint: the campaign may be deleted, its messages not yet purged)."""
        changelist = super().get_changelist_instance(request)
        found = self._campaigns({message.campaign_id for message in changelist.result_list})
        for message in changelist.result_list:
            message.campaign_ref = found.get(message.campaign_id)
        return changelist

    @staticmethod
    def _campaigns(ids) -> dict:
        """campaign id -> (its name, its client campaign's ID or None)."""
        rows = Campaign.unscoped.filter(pk__in=ids).values_list("pk", "name", "client_campaign__id")
        return {pk: (name, number) for pk, name, number in rows}

    @admin.display(description="campaign")
    def campaign_link(self, message):
        if not hasattr(message, "campaign_ref"):  # the message's own page
            message.campaign_ref = self._campaigns([message.campaign_id]).get(message.campaign_id)
        if message.campaign_ref is None:
            return f"deleted ({message.campaign_id})"
        name, number = message.campaign_ref
        if number is not None:  # a campaign of campaign API v2: its own page
            url = reverse("admin:messaging_clientcampaign_change", args=[number])
        else:
            url = reverse("admin:messaging_messagecampaign_change", args=[message.campaign_id])
        return format_html('<a href="{}">{}</a>', url, name)

    @admin.display(description="last error")
    def error(self, message):
        return shortened(message.last_error, ERROR_SHOWN)

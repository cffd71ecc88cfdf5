"""Back office of the message half: message campaigns (read-only, with their settings, firings and
status history; stopped, resumed and deleted through messaging.services) and their messages (a
read-only list built to stay quick on a table of millions). What a campaign sends changes only
through the services API."""

import re
import uuid

from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from campaigns.admin import StatusChangeInline
from campaigns.models import MESSAGE_CHANNELS, Campaign, Channel, MessageSettings, MessageStatus
from config.admin import CappedCountPaginator, ServiceAdmin, shortened
from config.errors import DomainError
from config.errors_text import staff_text
from messaging import selectors, services
from messaging.errors import MessagingErrorCode
from messaging.models import Message, MessageCampaign, Occurrence

MESSAGE_KEY = re.compile(r"[0-9A-Fa-f]{30}")
ERROR_SHOWN = 60  # characters of a delivery error in the messages list (all of it on hover)

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


# ---- message campaigns ---------------------------------------------------------------------------


class ReadOnlyInline:
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MessageSettingsInline(ReadOnlyInline, admin.StackedInline):
    model = MessageSettings
    verbose_name_plural = "what it sends, to whom and when"
    fields = [
        "schedule_type", "schedule_rrule", "activated_at", "next_at", "last_at", "sender", "template",
        "recipient_lists", "query_type", "query", "webpush_title", "webpush_body", "webpush_target_url",
        "webpush_icon", "webpush_image",
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
class MessageCampaignAdmin(ServiceAdmin):
    """Message campaigns of every company, read-only: their content changes only through the
    services API. Staff stop and resume them (the list's actions) and delete them, each through
    messaging.services, so the schedule and the status history stay right."""

    list_display = [
        "name", "company", "workspace", "channel", "status", "next_firing", "last_firing", "created_at",
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
        return super().get_queryset(request).filter(channel__in=MESSAGE_CHANNELS)

    def get_search_results(self, request, queryset, search_term):
        """A UUID finds that campaign by its key; anything else searches names."""
        try:
            key = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(pk=key), False

    @admin.display(description="next firing", ordering="message_settings__next_at")
    def next_firing(self, campaign):
        return moment(self._settings(campaign).next_at)

    @admin.display(description="last firing", ordering="message_settings__last_at")
    def last_firing(self, campaign):
        return moment(self._settings(campaign).last_at)

    @staticmethod
    def _settings(campaign) -> MessageSettings:
        return getattr(campaign, "message_settings", None) or MessageSettings()

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


# ---- messages --------------------------------------------------------------------------------------


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
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
        ids = {message.campaign_id for message in changelist.result_list}
        names = dict(Campaign.unscoped.filter(pk__in=ids).values_list("pk", "name"))
        for message in changelist.result_list:
            message.campaign_name = names.get(message.campaign_id)
        return changelist

    @admin.display(description="campaign")
    def campaign_link(self, message):
        if not hasattr(message, "campaign_name"):  # the message's own page
            message.campaign_name = (
                Campaign.unscoped.filter(pk=message.campaign_id).values_list("name", flat=True).first()
            )
        if message.campaign_name is None:
            return f"deleted ({message.campaign_id})"
        url = reverse("admin:messaging_messagecampaign_change", args=[message.campaign_id])
        return format_html('<a href="{}">{}</a>', url, message.campaign_name)

    @admin.display(description="last error")
    def error(self, message):
        return shortened(message.last_error, ERROR_SHOWN)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

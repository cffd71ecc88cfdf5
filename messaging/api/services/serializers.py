"""The services API's campaign payloads: parsing (types, enums, sizes: one item per bad field)
and the CampaignResponse shape. Rules beyond a field's own shape live in messaging.services."""

import json
from datetime import UTC, timedelta

from rest_framework import serializers

from campaigns.models import MESSAGE_CHANNELS, MessageSettings, MessageStatus
from config.api.webhook_shapes import rendered_all
from messaging.services import CampaignFields

MAX_TEMPLATE_CHARS = 65_536
MAX_QUERY_CHARS = 65_536
MAX_RECIPIENT_LISTS_CHARS = 10_000


class CommaSeparatedList(serializers.Field):
    """`recipient_lists`: "id,id" as the spec gives it, or a JSON array of ids."""

    default_error_messages = {
        "invalid": "Must be a comma-separated string or an array of strings.",
        "too_long": f"Must be at most {MAX_RECIPIENT_LISTS_CHARS} characters.",
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            items = data.split(",")
        elif isinstance(data, list) and all(isinstance(item, str) for item in data):
            items = data
        else:
            self.fail("invalid")
        if sum(len(item) for item in items) > MAX_RECIPIENT_LISTS_CHARS:
            self.fail("too_long")
        return [item.strip() for item in items if item.strip()]

    def to_representation(self, value):
        return ",".join(value)


class SegmentationQueryField(serializers.Field):
    """`query`: a SegmentationQuery as a JSON string (the spec) or as an object."""

    default_error_messages = {
        "invalid": "Must be a SegmentationQuery object or its JSON text.",
        "too_long": f"Must be at most {MAX_QUERY_CHARS} characters.",
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            if len(data) > MAX_QUERY_CHARS:
                self.fail("too_long")
            return data
        if isinstance(data, dict):
            return data
        self.fail("invalid")


def _text(max_length: int, **kwargs):
    return serializers.CharField(max_length=max_length, trim_whitespace=False, **kwargs)


def _optional_text(max_length: int):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, allow_null=True)


class CampaignWriteSerializer(serializers.Serializer):
    """CampaignCreate / CampaignUpdate."""

    name = serializers.CharField(max_length=200)
    status = serializers.ChoiceField(choices=MessageStatus.values)
    sending_type = serializers.ChoiceField(choices=MESSAGE_CHANNELS)
    schedule_type = serializers.ChoiceField(choices=MessageSettings.ScheduleType.values)
    schedule_rrule = _optional_text(2000)
    template = _text(MAX_TEMPLATE_CHARS)
    sender = serializers.CharField(max_length=200)
    recipient_lists = CommaSeparatedList()
    query_type = serializers.ChoiceField(
        choices=MessageSettings.QueryType.values, required=False, allow_null=True
    )
    query = SegmentationQueryField(required=False, allow_null=True)
    webpush_title = _optional_text(255)
    webpush_body = _optional_text(MAX_TEMPLATE_CHARS)
    webpush_target_url = _optional_text(2000)
    webpush_icon = _optional_text(2000)
    webpush_image = _optional_text(2000)

    def campaign_fields(self) -> CampaignFields:
        return CampaignFields(**{k: v for k, v in self.validated_data.items() if k in CAMPAIGN_FIELD_NAMES})


CAMPAIGN_FIELD_NAMES = frozenset(CampaignFields.__dataclass_fields__)


class CampaignCreateSerializer(CampaignWriteSerializer):
    """POST: a new campaign, or with `clone_uuid` a copy whose other fields are optional
    overrides."""

    clone_uuid = serializers.CharField(max_length=100, required=False)
    template_vars = serializers.DictField(child=serializers.CharField(max_length=10_000), required=False)

    def get_fields(self):
        fields = super().get_fields()
        data = self.initial_data if hasattr(self, "initial_data") else None
        if isinstance(data, dict) and data.get("clone_uuid") not in (None, ""):
            for name, field in fields.items():
                field.required = False
                if name not in ("clone_uuid",):
                    field.allow_null = True
        return fields


class CampaignStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[MessageStatus.ACTIVE, MessageStatus.STOPPED])


class CampaignListQuerySerializer(serializers.Serializer):
    sending_type = serializers.ChoiceField(choices=MESSAGE_CHANNELS, required=False)
    status = serializers.ChoiceField(choices=MessageStatus.values, required=False)


# ---- the response ------------------------------------------------------------------------------


def rfc3339(moment) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment is not None else None


def campaign_json(campaign, *, tasks=None, messages=None) -> dict:
    settings = campaign.message_settings
    data = {
        "uuid": str(campaign.pk),
        "name": campaign.name,
        "status": campaign.status,
        "sending_type": campaign.channel,
        "schedule_type": settings.schedule_type,
        "schedule_rrule": settings.schedule_rrule,
        "template": settings.template,
        "webpush_title": settings.webpush_title,
        "webpush_body": settings.webpush_body,
        "webpush_target_url": settings.webpush_target_url,
        "webpush_icon": settings.webpush_icon,
        "webpush_image": settings.webpush_image,
        "sender": settings.sender,
        "recipient_lists": ",".join(settings.recipient_lists),
        "query_type": settings.query_type,
        "query": json.dumps(settings.query) if settings.query is not None else None,
        "created_dt": rfc3339(campaign.created_at),
        "updated_dt": rfc3339(campaign.updated_at),
        "next_dt": rfc3339(settings.next_at),
        "last_dt": rfc3339(settings.last_at),
    }
    if tasks is not None:
        data["tasks"] = [task_json(occurrence) for occurrence in tasks]
    if messages is not None:
        data["messages"] = {**messages, "total": sum(messages.values())}
    return data


def task_json(occurrence) -> dict:
    return {
        "id": occurrence.pk,
        "scheduled_dt": rfc3339(occurrence.scheduled_at),
        "status": occurrence.status,
        "targeted": occurrence.targeted,
        "generated": occurrence.generated,
        "without_address": occurrence.without_address,
        "started_dt": rfc3339(occurrence.started_at),
        "finished_dt": rfc3339(occurrence.finished_at),
    }


# ---- webhook events (registered from messaging.apps) -------------------------------------------


def status_change_json(change) -> dict:
    """One move of a campaign's status (a webhook's `change`)."""
    return {
        "from_status": change.from_status or None,
        "status": change.status,
        "changed_dt": rfc3339(change.changed_at),
        "note": change.note or None,
    }


def occurrence_json(occurrence) -> dict:
    """A firing (a webhook's `occurrence.fired`): the campaign's task, with the campaign named."""
    return {"campaign_uuid": str(occurrence.campaign_id), **task_json(occurrence)}


def delivery_summary_json(summary) -> dict:
    """A campaign's delivery outcomes in one minute (`messages.delivery_summary`): messages that
    became sent, delivered or failed from `from_dt` (inclusive) to `to_dt` (exclusive)."""
    return {
        "campaign_uuid": str(summary.campaign_id),
        "from_dt": rfc3339(summary.minute),
        "to_dt": rfc3339(summary.minute + timedelta(minutes=1)),
        "sent": summary.sent,
        "delivered": summary.delivered,
        "failed": summary.failed,
    }


WEBHOOK_SHAPES = rendered_all(
    {
        "message_campaign": campaign_json,
        "message_campaign_status_change": status_change_json,
        "occurrence": occurrence_json,
        "delivery_summary": delivery_summary_json,
    }
)

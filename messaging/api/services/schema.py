"""OpenAPI wording and shapes of /services/{serviceUuid}/campaigns (list, create or clone, fetch,
update, stop/resume, delete), in the words of the services campaign spec.

The request bodies are the views' own serializers, named as the spec names its models
(CampaignCreate, CampaignUpdate, CampaignStatus) and described field by field from FIELD_TEXT;
the CampaignResponse is written here beside campaign_json, whose real answers
tests/config/test_openapi.py checks against it."""

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from campaigns.models import MESSAGE_CHANNELS, MessageSettings, MessageStatus
from config.api.schema import operation, path_id, query
from config.api.services import messages
from config.api.services.errors import ITEM_TEXT
from config.api.services.schema import (
    PAGE_NUMBER,
    PAGE_SIZE,
    SERVICE_UUID,
    collection,
    data,
    error,
    example,
    invalid,
    item,
    ok,
)
from messaging.api.services import serializers as s
from messaging.models import Occurrence
from messaging.segmentation.parsing import CONDITIONS, FIELDS, GROUP_OPERATORS, RULE_OPERATORS
from messaging.selectors import RECENT_OCCURRENCES, SORT_COLUMNS

TAG = "services campaigns"
CAMPAIGN_UUID = "1592695e-c1b1-11ee-b153-774c9d3a7957"
LIST_UUID = "cf9eeb30-c1af-11ee-8073-bf4d6e8c1618"
OTHER_LIST_UUID = "0f710b4e-99d8-4b59-b793-a5db290df77f"
CAMPAIGN_UUID_PATH = path_id("campaignUuid", "Campaign UUID (from Create or List).")
OPTIONAL_FIELDS = ("tasks", "messages")
# The choice sets of the `status` fields (named in settings.SPECTACULAR_SETTINGS).
CAMPAIGN_STATUSES = list(MessageStatus.values)
NEW_STATUSES = [MessageStatus.ACTIVE.value, MessageStatus.DRAFT.value]
STATUS_CHANGES = [str(choice) for choice in s.CampaignStatusSerializer().fields["status"].choices]
TASK_STATUSES = list(Occurrence.Status.values)

# The spec's words for each campaign field (its data models), shared by requests and responses.
FIELD_TEXT = {
    "name": "Campaign Name.",
    "status": (
        "Campaign status: active, stopped, finished or draft. When creating a campaign it can be "
        "either active or draft; an update may also stop or resume it, as PATCH does."
    ),
    "sending_type": "Messaging channel.",
    "schedule_type": (
        "When the campaign is executed: `now` runs as soon as saved, `once` runs once at the "
        "time in schedule_rrule, `scheduled` runs per the RRULE in schedule_rrule."
    ),
    "schedule_rrule": (
        "How and when the campaign is executed. For schedule_type once: a UTC time as "
        "`Y-m-d H:i:s` (e.g. `2024-05-01 17:05:00`; ISO 8601 is taken too). For scheduled: an "
        "iCalendar RRULE (https://icalendar.org), e.g. `FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0`. "
        "Not read for now."
    ),
    "template": (
        "Campaign messages content: plain text for sms and webpush (email takes text too), for "
        "the other channels a JSON message serialized as a string (email: "
        '`{"subject", "text", "html"}`). Contact variables such as `{first_name}` are filled '
        "per recipient."
    ),
    "sender": (
        "Campaign messages sender: the registered sender ID for sms, an email address for email, "
        "the business phone number ID for whatsapp."
    ),
    "recipient_lists": (
        "One or more (comma separated) UUIDs of the recipient lists whose contacts are targeted "
        "(a JSON array of UUIDs is taken too)."
    ),
    "query_type": (
        "`all` targets every contact of the lists; `segmentation` applies the query. Default all."
    ),
    "query": (
        "The segmentation query applied when query_type is segmentation: a SegmentationQuery "
        "serialized as JSON (a JSON object is taken too in requests)."
    ),
    "webpush_title": "Webpush message title.",
    "webpush_body": "Webpush message content body.",
    "webpush_target_url": "Webpush message target URL.",
    "webpush_icon": "Webpush message URL to an icon.",
    "webpush_image": "Webpush message URL to an image.",
    "clone_uuid": (
        "UUID of a campaign of this service to be cloned from. The other fields are then optional "
        "overrides: leave one out to keep the source's value."
    ),
    "template_vars": (
        "When cloning: a map of variable name (raw, without braces) to value, filled into "
        'the `{var_name}` variables of the content, e.g. `{"temp": "-22C", "wind": "100km/h"}`.'
    ),
    "uuid": "Campaign UUID.",
    "created_dt": "Campaign's created time in RFC 3339 format.",
    "updated_dt": "Campaign's updated time in RFC 3339 format.",
    "next_dt": "Campaign's next execution time in RFC 3339 format; null when nothing is left to run.",
    "last_dt": "Campaign's last execution time in RFC 3339 format; null before the first.",
    "tasks": f"With `fields=tasks`: the campaign's newest {RECENT_OCCURRENCES} executions, newest first.",
    "messages": "With `fields=messages`: the campaign's messages counted by status.",
}


def described(schema: dict) -> dict:
    """`schema` with each property described in the spec's words."""
    for name, prop in schema.get("properties", {}).items():
        text = FIELD_TEXT.get(name)
        if text and "$ref" in prop:
            schema["properties"][name] = {"allOf": [prop], "description": text}
        elif text:
            prop["description"] = text
    return schema


# ---- request bodies ------------------------------------------------------------------------------


class CampaignUpdateExtension(OpenApiSerializerExtension):
    """PUT's body: the spec's CampaignUpdate."""

    target_class = s.CampaignWriteSerializer

    def get_name(self, auto_schema, direction):
        return "CampaignUpdate"

    def map_serializer(self, auto_schema, direction):
        schema = described(auto_schema._map_serializer(self.target, direction, bypass_extensions=True))
        schema["description"] = (
            "Campaign data to be updated: the same fields as CampaignCreate, without cloning."
        )
        return schema


class CampaignCreateExtension(OpenApiSerializerExtension):
    """POST's body: the spec's CampaignCreate. A new campaign needs the required fields and a
    status of active or draft; a clone needs only clone_uuid."""

    target_class = s.CampaignCreateSerializer

    def get_name(self, auto_schema, direction):
        return "CampaignCreate"

    def map_serializer(self, auto_schema, direction):
        schema = described(auto_schema._map_serializer(self.target, direction, bypass_extensions=True))
        schema["description"] = (
            "Campaign to add: a new one (the required fields, status active or draft), or with "
            "clone_uuid a copy of that campaign, whose other fields are optional overrides."
        )
        schema["anyOf"] = [
            {
                "required": schema.pop("required"),
                "properties": {"status": {"type": "string", "enum": NEW_STATUSES}},
            },
            {"required": ["clone_uuid"]},
        ]
        return schema


class CampaignStatusExtension(OpenApiSerializerExtension):
    target_class = s.CampaignStatusSerializer

    def get_name(self, auto_schema, direction):
        return "CampaignStatus"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["properties"]["status"]["description"] = "`stopped` stops the campaign, `active` resumes it."
        return schema


class RecipientListsExtension(OpenApiSerializerFieldExtension):
    target_class = s.CommaSeparatedList

    def map_serializer_field(self, auto_schema, direction):
        return {
            "anyOf": [
                {"type": "string", "maxLength": s.MAX_RECIPIENT_LISTS_CHARS},
                {"type": "array", "items": {"type": "string", "format": "uuid"}},
            ]
        }


@extend_schema_field({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
class RuleValueField(serializers.Field):
    """A rule's value: a string, or an array of strings for in/notin."""


class SegmentationRuleSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=FIELDS, help_text="Contact field to be checked.")
    condition = serializers.ChoiceField(choices=CONDITIONS, help_text="Condition applied to the field.")
    value = RuleValueField(
        help_text="A string, or an array of strings for in/notin; ignored by isnull/isnotnull.",
    )
    operator = serializers.ChoiceField(
        choices=RULE_OPERATORS,
        help_text="Joins the rule to the previous one; every rule of a group uses the first rule's.",
    )


class SegmentationGroupSerializer(serializers.Serializer):
    operator = serializers.ChoiceField(
        choices=GROUP_OPERATORS,
        help_text="Connects this group to the previous groups (not read on the first group).",
    )
    rules = SegmentationRuleSerializer(many=True)


class SegmentationQuerySerializer(serializers.Serializer):
    """Operators, fields, conditions and keys are matched case-insensitively."""

    segmentation = SegmentationGroupSerializer(many=True)


class SegmentationQueryExtension(OpenApiSerializerFieldExtension):
    target_class = s.SegmentationQueryField

    def map_serializer_field(self, auto_schema, direction):
        query_object = auto_schema.resolve_serializer(SegmentationQuerySerializer, direction).ref
        return {"anyOf": [{"type": "string", "maxLength": s.MAX_QUERY_CHARS}, query_object]}


# ---- the response --------------------------------------------------------------------------------


class CampaignTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The execution's id.")
    scheduled_dt = serializers.DateTimeField(help_text="When it was due.")
    status = serializers.ChoiceField(choices=TASK_STATUSES)
    targeted = serializers.IntegerField(min_value=0, help_text="Contacts targeted.")
    generated = serializers.IntegerField(min_value=0, help_text="Messages generated.")
    without_address = serializers.IntegerField(
        min_value=0, help_text="Contacts skipped for having no address on the channel."
    )
    started_dt = serializers.DateTimeField(allow_null=True)
    finished_dt = serializers.DateTimeField(allow_null=True)


class MessageCountsSerializer(serializers.Serializer):
    queued = serializers.IntegerField(min_value=0)
    sent = serializers.IntegerField(min_value=0)
    delivered = serializers.IntegerField(min_value=0)
    failed = serializers.IntegerField(min_value=0)
    total = serializers.IntegerField(min_value=0)


# A campaign as every answer gives it (messaging.api.services.serializers.campaign_json).
class CampaignResponseSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=CAMPAIGN_STATUSES)
    sending_type = serializers.ChoiceField(choices=MESSAGE_CHANNELS)
    schedule_type = serializers.ChoiceField(choices=MessageSettings.ScheduleType.values)
    schedule_rrule = serializers.CharField(allow_blank=True)
    template = serializers.CharField()
    webpush_title = serializers.CharField(allow_blank=True)
    webpush_body = serializers.CharField(allow_blank=True)
    webpush_target_url = serializers.CharField(allow_blank=True)
    webpush_icon = serializers.CharField(allow_blank=True)
    webpush_image = serializers.CharField(allow_blank=True)
    sender = serializers.CharField()
    recipient_lists = serializers.CharField()
    query_type = serializers.ChoiceField(choices=MessageSettings.QueryType.values)
    query = serializers.CharField(allow_null=True)
    created_dt = serializers.DateTimeField()
    updated_dt = serializers.DateTimeField()
    next_dt = serializers.DateTimeField(allow_null=True)
    last_dt = serializers.DateTimeField(allow_null=True)
    tasks = CampaignTaskSerializer(many=True, required=False)
    messages = MessageCountsSerializer(required=False)


class CampaignResponseExtension(OpenApiSerializerExtension):
    target_class = CampaignResponseSerializer

    def map_serializer(self, auto_schema, direction):
        schema = described(auto_schema._map_serializer(self.target, direction, bypass_extensions=True))
        schema["description"] = "A campaign: its data, times, and the optional fields asked for."
        return schema


# ---- examples -----------------------------------------------------------------------------------

SMS = {
    "name": "New Campaign",
    "status": "active",
    "sending_type": "sms",
    "schedule_type": "once",
    "schedule_rrule": "2030-05-01 17:05:00",
    "template": "Hello {first_name}",
    "sender": "+41587000000",
    "recipient_lists": LIST_UUID,
    "query_type": "all",
}
EMAIL_WEEKLY = {
    "name": "Weekly news",
    "status": "draft",
    "sending_type": "email",
    "schedule_type": "scheduled",
    "schedule_rrule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
    "template": '{"subject": "News for {first_name}", "text": "Hello {first_name}", "html": "<p>Hello</p>"}',
    "sender": "news@example.com",
    "recipient_lists": f"{LIST_UUID},{OTHER_LIST_UUID}",
    "query_type": "segmentation",
    "query": (
        '{"segmentation": [{"operator": "OR", "rules": ['
        '{"field": "first_name", "condition": "eq", "value": "John", "operator": "AND"}, '
        '{"field": "last_name", "condition": "eq", "value": "Smith", "operator": "AND"}]}, '
        '{"operator": "OR", "rules": [{"field": "nick_name", "condition": "eq", "value": "Johnny", '
        '"operator": "AND"}]}]}'
    ),
}
CLONE = {
    "clone_uuid": CAMPAIGN_UUID,
    "name": "Weather alert",
    "status": "active",
    "schedule_type": "now",
    "template_vars": {"temp": "-22C", "wind": "100km/h"},
}
WEBPUSH = {
    "webpush_title": "",
    "webpush_body": "",
    "webpush_target_url": "",
    "webpush_icon": "",
    "webpush_image": "",
}
CAMPAIGN = {
    "uuid": CAMPAIGN_UUID,
    **SMS,
    **WEBPUSH,
    "query": None,
    "created_dt": "2030-04-20T08:15:00Z",
    "updated_dt": "2030-04-20T08:15:00Z",
    "next_dt": "2030-05-01T17:05:00Z",
    "last_dt": None,
}
DRAFT = {**CAMPAIGN, "status": "draft", "next_dt": None}
STOPPED = {**CAMPAIGN, "status": "stopped", "next_dt": None, "updated_dt": "2030-04-21T10:00:00Z"}
TASK = {
    "id": 412,
    "scheduled_dt": "2030-05-01T17:05:00Z",
    "status": "generated",
    "targeted": 1200,
    "generated": 1185,
    "without_address": 15,
    "started_dt": "2030-05-01T17:05:02Z",
    "finished_dt": "2030-05-01T17:05:09Z",
}
FINISHED_WITH_FIELDS = {
    **CAMPAIGN,
    "status": "finished",
    "next_dt": None,
    "last_dt": "2030-05-01T17:05:00Z",
    "tasks": [TASK],
    "messages": {"queued": 0, "sent": 40, "delivered": 1140, "failed": 5, "total": 1185},
}


def page_links(number: int, size: int, total_pages: int) -> dict:
    def link(n: int) -> str:
        return f"https://api.example.com/services/SERVICE_UUID/campaigns?page_number={n}&page_size={size}"

    return {
        "first": link(1),
        "last": link(total_pages),
        "prev": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < total_pages else None,
    }


def pagination(*, total: int, count: int, number: int, size: int) -> dict:
    total_pages = max(1, -(-total // size))
    return {
        "pagination": {
            "total": total,
            "count": count,
            "perPage": size,
            "currentPage": number,
            "totalPages": total_pages,
            "links": page_links(number, size, total_pages),
        }
    }


# ---- shapes, parameters and outcomes shared by the operations -----------------------------------

ONE = data("CampaignData", CampaignResponseSerializer())
MANY = collection("CampaignCollection", CampaignResponseSerializer)
FIELDS_PARAM = OpenApiParameter(
    "fields",
    {"type": "array", "items": {"type": "string", "enum": list(OPTIONAL_FIELDS)}},
    OpenApiParameter.QUERY,
    description="Include optional fields in the response: `tasks` (recent executions), `messages` "
    "(counts by status). Comma-separated (`fields=tasks,messages`) or repeated.",
    explode=False,
)
SORT_KEYS = "|".join(SORT_COLUMNS)
SORT_PARAM = OpenApiParameter(
    "sort",
    {
        "type": "array",
        "maxItems": 5,
        "items": {"type": "string", "pattern": f"^(-?({SORT_KEYS})|({SORT_KEYS}):(asc|desc))$"},
    },
    OpenApiParameter.QUERY,
    description="Order by columns, first key first: `name` or `name:asc` ascending, `-name` or "
    f"`name:desc` descending; keys {', '.join(SORT_COLUMNS)}. At most 5 keys, comma-separated or "
    "repeated. Default `-created_dt`.",
    explode=False,
)
LIST_FILTERS = [
    query("sending_type", {"type": "string", "enum": list(MESSAGE_CHANNELS)}, "Search by messaging channel."),
    query("status", {"type": "string", "enum": list(MessageStatus.values)}, "Search by status."),
]
RESOURCE_NOT_FOUND = error(
    404,
    "No such service (serviceUuid) or campaign for this client: another company's is answered "
    "like a missing one.",
    messages.RESOURCE_NOT_FOUND,
)
CAMPAIGN_NOT_FOUND = error(
    404,
    "No such campaign (or service) for this client: another company's is answered like a missing one.",
    messages.CAMPAIGN_NOT_FOUND,
)
SERVICE_NOT_FOUND = error(
    404,
    "No such service (serviceUuid) for this client: another company's is answered like a missing one.",
    messages.RESOURCE_NOT_FOUND,
)
BAD_FIELDS = [item("fields", "Unknown field 'task': use tasks or messages.")]
REQUIRED_MISSING = [item(name, ITEM_TEXT["field_required"]) for name in ("name", "template")]
BAD_CHANNEL = [item("sending_type", '"pigeon" is not a valid choice.')]
BAD_RRULE = [item("schedule_rrule", ITEM_TEXT["schedule_time_invalid"])]
UNKNOWN_LIST = [item("recipient_lists", ITEM_TEXT["recipient_list_not_found"].format(value=LIST_UUID))]
BAD_QUERY = [
    item("query", ITEM_TEXT["segmentation_field_unknown"].format(at="segmentation[0].rules[0].field"))
]
BAD_STATUS = [item("status", '"paused" is not a valid choice.')]


# ---- the operations ----------------------------------------------------------------------------

campaigns_list = operation(
    operation_id="services_campaigns_list",
    tag=TAG,
    summary="Get a list of Campaigns",
    description=(
        "Gets a page of the service's campaigns, with optional filters (sending_type, status), "
        "sort order and optional fields. Paging: `page_number` from 1 and `page_size` up to "
        "100; `meta.pagination` gives the totals and links to the neighbouring pages."
    ),
    parameters=[SERVICE_UUID, *LIST_FILTERS, FIELDS_PARAM, SORT_PARAM, PAGE_NUMBER, PAGE_SIZE],
    responses={
        200: ok(
            MANY,
            example(
                "Draft SMS campaigns, newest first",
                {"data": [DRAFT], "meta": pagination(total=1, count=1, number=1, size=10)},
            ),
            example(
                "Second page of three, with fields=tasks,messages",
                {"data": [FINISHED_WITH_FIELDS], "meta": pagination(total=21, count=1, number=2, size=10)},
            ),
            example("No campaign", {"data": [], "meta": pagination(total=0, count=0, number=1, size=10)}),
            description="List of Campaigns.",
        ),
        400: invalid(
            [item("page_size", ITEM_TEXT["number_out_of_range"].format(minimum=1, maximum=100))],
            [item("status", '"paused" is not a valid choice.')],
            [item("sort", ITEM_TEXT["sort_unknown"].format(value="size"))],
            BAD_FIELDS,
        ),
        404: SERVICE_NOT_FOUND,
    },
)

campaigns_create = operation(
    operation_id="services_campaigns_create",
    tag=TAG,
    summary="Create or clone a Campaign",
    description=(
        "Creates a campaign, active (its schedule starts) or draft. With `clone_uuid`, copies "
        "that campaign of the service instead: every other field is an optional override, and "
        "`template_vars` fills the `{var_name}` variables of the copied content. A stopped or "
        "finished source gives a draft unless `status` says otherwise."
    ),
    parameters=[SERVICE_UUID],
    request=s.CampaignCreateSerializer,
    request_examples={
        "SMS once on 1 May 2030 at 17:05 UTC": SMS,
        "Weekly email to a segment, as a draft": EMAIL_WEEKLY,
        "Clone and activate with template variables": CLONE,
    },
    responses={
        201: ok(ONE, example("New Campaign", {"data": CAMPAIGN}), description="New Campaign response."),
        400: invalid(
            REQUIRED_MISSING,
            BAD_CHANNEL,
            [item("status", ITEM_TEXT["create_status_invalid"])],
            BAD_RRULE,
            UNKNOWN_LIST,
            BAD_QUERY,
            [item("clone_uuid", ITEM_TEXT["clone_source_not_found"])],
        ),
        404: SERVICE_NOT_FOUND,
    },
)

campaigns_retrieve = operation(
    operation_id="services_campaigns_retrieve",
    tag=TAG,
    summary="Get a Campaign by UUID",
    description="Fetches a campaign of the service by its UUID, with the optional fields asked for.",
    parameters=[SERVICE_UUID, CAMPAIGN_UUID_PATH, FIELDS_PARAM],
    responses={
        200: ok(
            ONE,
            example("Campaign data", {"data": CAMPAIGN}),
            example("With fields=tasks,messages", {"data": FINISHED_WITH_FIELDS}),
            description="Campaign data.",
        ),
        400: invalid(BAD_FIELDS),
        404: RESOURCE_NOT_FOUND,
    },
)

campaigns_update = operation(
    operation_id="services_campaigns_update",
    tag=TAG,
    summary="Update a Campaign",
    description=(
        "Replaces a campaign's content, targeting and schedule: the same payload as POST, "
        "without cloning. Executions already made keep what they sent; an active campaign's "
        "next execution is worked out anew. A status that differs is then applied as PATCH "
        "applies it."
    ),
    parameters=[SERVICE_UUID, CAMPAIGN_UUID_PATH],
    request=s.CampaignWriteSerializer,
    request_examples={
        "Campaign data": {**SMS, "name": "Renamed campaign", "schedule_rrule": "2030-05-02 09:00:00"}
    },
    responses={
        200: ok(
            ONE,
            example(
                "Campaign updated",
                {
                    "data": {
                        **CAMPAIGN,
                        "name": "Renamed campaign",
                        "schedule_rrule": "2030-05-02 09:00:00",
                        "next_dt": "2030-05-02T09:00:00Z",
                        "updated_dt": "2030-04-21T10:00:00Z",
                    }
                },
            ),
            description="Campaign updated.",
        ),
        400: invalid(
            REQUIRED_MISSING,
            BAD_CHANNEL,
            [item("status", ITEM_TEXT["status_not_settable"].format(status="finished"))],
            BAD_RRULE,
            UNKNOWN_LIST,
        ),
        404: CAMPAIGN_NOT_FOUND,
    },
)

campaigns_status = operation(
    operation_id="services_campaigns_status",
    tag=TAG,
    summary="Change a Campaign Status",
    description=(
        "Toggles a campaign between active and stopped: `stopped` stops its schedule, `active` "
        "starts (a draft) or resumes it from now."
    ),
    parameters=[SERVICE_UUID, CAMPAIGN_UUID_PATH],
    request=s.CampaignStatusSerializer,
    request_examples={
        "Stop the campaign": {"status": "stopped"},
        "Resume the campaign": {"status": "active"},
    },
    responses={
        200: ok(ONE, example("Campaign stopped", {"data": STOPPED}), description="Campaign status changed."),
        400: invalid(BAD_STATUS),
        404: CAMPAIGN_NOT_FOUND,
    },
)

campaigns_destroy = operation(
    operation_id="services_campaigns_destroy",
    tag=TAG,
    summary="Delete a Campaign",
    description="Deletes a campaign of the service, with its schedule and history; its messages are removed later.",
    parameters=[SERVICE_UUID, CAMPAIGN_UUID_PATH],
    responses={204: ok(None, description="Campaign deleted."), 404: CAMPAIGN_NOT_FOUND},
)

"""OpenAPI wording and shapes of /v1/ (the messages export API): campaigns by workspace, publish,
pages, fetch and the signed download, in the words of its spec (field names as its issue decided
them, since the spec's own field tables were lost)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema_field,
)
from rest_framework import serializers

from campaigns.models import MESSAGE_CHANNELS, MessageStatus
from config.api.export import messages
from config.api.export.schema import (
    CAMPAIGN_NOT_FOUND,
    MISSING_FIELDS,
    TOO_MANY_REQUESTS_TEXT,
    data,
    error,
    example,
    ok,
    shape,
)
from config.api.schema import operation
from messaging.api.export.requests import EXPORT_TYPE_ALIASES
from messaging.models import MessageExport
from messaging.selectors import ExportStage
from messaging.services.exports import ExportType

NO_EXPORT = "none"  # ExportPages.status before a first publish

TAG = "messages export"
CAMPAIGN_UUID = "5b0c7a52-3f7e-4d59-9a3e-0d1f4c2b9e61"
WORKSPACE_UUID = "0e4a1c55-8f0b-4a8e-b4a6-7f2d9c3e1a10"
JOB_UUID = "c7e1f0a2-6b3d-4e8f-9a1c-2d4b6f8e0a13"
EXPORT_TYPES = [str(value) for value in (*ExportType, *EXPORT_TYPE_ALIASES)]
JOB_STATUSES = list(MessageExport.Status.values)
PAGES_STATUSES = [*JOB_STATUSES, NO_EXPORT]

# ---- request bodies ------------------------------------------------------------------------------

CAMPAIGN_ID_TEXT = (
    "The campaign: its UUID (`campaign_id` of /v1/campaign/all), or its campaign API v2 ID (a "
    "number, or a string of digits)."
)


@extend_schema_field({"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 1}]})
class CampaignIdField(serializers.Field):
    """A UUID, or a campaign API v2 ID as a number or a string of digits."""


@extend_schema_field(
    {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}]}
)
class FileNumField(serializers.Field):
    """A page number from 0, or a string of its digits."""


EMPTY_BODY = {"type": "object", "description": "Nothing is read from the body: `{}`, or no body at all."}


class ExportCampaignSerializer(serializers.Serializer):
    """Keys are case-insensitive."""

    campaign_id = CampaignIdField(help_text=CAMPAIGN_ID_TEXT)


class ExportFetchSerializer(serializers.Serializer):
    """Keys are case-insensitive."""

    campaign_id = CampaignIdField(help_text=CAMPAIGN_ID_TEXT)
    file_num = FileNumField(help_text="The page, from 0 to num_files - 1 (a string of digits is taken too).")
    export_type = serializers.ChoiceField(
        choices=EXPORT_TYPES,
        help_text=(
            "How the page is answered: `utf8` its CSV text, `json` its rows, `url` a time-limited "
            "link. Any case; `utf-8` is taken as utf8."
        ),
    )


# ---- answers -------------------------------------------------------------------------------------


class CampaignSerializer(serializers.Serializer):
    campaign_id = serializers.UUIDField(
        help_text="The campaign's UUID: the campaign_id the other endpoints take."
    )
    name = serializers.CharField()
    channel = serializers.ChoiceField(choices=MESSAGE_CHANNELS, help_text="Messaging channel.")
    status = serializers.ChoiceField(choices=MessageStatus.values, help_text="The campaign's own status.")
    stage = serializers.ChoiceField(
        choices=[str(stage) for stage in ExportStage],
        help_text=(
            "Draft (nothing generated), Generating (messages being written), Ready to Publish "
            "(messages no finished export holds: new ones after a publish too), Publishing (an "
            "export at work), Published."
        ),
    )
    start_date = serializers.DateTimeField(
        allow_null=True, help_text="The first firing (made or planned); null when none is known."
    )
    end_date = serializers.DateTimeField(
        allow_null=True, help_text="The last firing (made or planned); null while open-ended."
    )
    total_messages = serializers.IntegerField(min_value=0, help_text="Messages generated.")


class WorkspaceSerializer(serializers.Serializer):
    workspace_id = serializers.UUIDField()
    workspace_name = serializers.CharField()
    campaigns = CampaignSerializer(many=True, help_text="The workspace's message campaigns, newest first.")


class JobSerializer(serializers.Serializer):
    job_id = serializers.UUIDField(help_text="The export job.")
    campaign_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=JOB_STATUSES, help_text="queued, running, done or failed.")


class PagesSerializer(serializers.Serializer):
    campaign_id = serializers.UUIDField()
    num_files = serializers.IntegerField(
        min_value=0, help_text="Pages of the campaign's published export (0 before a first one)."
    )
    total_rows = serializers.IntegerField(min_value=0, help_text="Messages in those pages.")
    status = serializers.ChoiceField(
        choices=PAGES_STATUSES,
        help_text=(
            "The export at work's status (queued, running), else the newest export's (done, "
            "failed); none before a first publish."
        ),
    )


class RowSerializer(serializers.Serializer):
    customer_id = serializers.CharField(help_text="The recipient's id (the accountID for campaign API v2).")
    message = serializers.CharField(help_text="The generated message.")


FILE_NUM = serializers.IntegerField(min_value=0, help_text="The page answered.")
NUM_FILES = serializers.IntegerField(min_value=1, help_text="Pages of the published export.")
FETCHED_UTF8 = shape(
    "FetchedPageUtf8",
    {
        "data": serializers.CharField(
            help_text="The page as UTF-8 CSV text: header `customer_id,message`, RFC 4180."
        ),
        "file_num": FILE_NUM,
        "num_files": NUM_FILES,
    },
)
FETCHED_JSON = shape(
    "FetchedPageJson",
    {
        "data": RowSerializer(many=True, help_text="The page's rows, in message order (at most 1000)."),
        "file_num": FILE_NUM,
        "num_files": NUM_FILES,
        "truncated": serializers.BooleanField(
            help_text="True when the page holds more rows than were given."
        ),
    },
)
FETCHED_URL = shape(
    "FetchedPageUrl",
    {
        "data": serializers.URLField(help_text="A link to the page's CSV file, valid until expires_at."),
        "file_num": FILE_NUM,
        "num_files": NUM_FILES,
        "expires_at": serializers.DateTimeField(help_text="When the link stops working."),
    },
)
FETCHED = PolymorphicProxySerializer(
    component_name="FetchedPage",
    serializers=[FETCHED_UTF8, FETCHED_JSON, FETCHED_URL],
    resource_type_field_name=None,
)

# ---- examples ------------------------------------------------------------------------------------

CAMPAIGN = {
    "campaign_id": CAMPAIGN_UUID,
    "name": "Spring offer",
    "channel": "sms",
    "status": "finished",
    "stage": "Ready to Publish",
    "start_date": "2030-05-01T17:05:00Z",
    "end_date": "2030-05-01T17:05:00Z",
    "total_messages": 2400,
}
WORKSPACES = [{"workspace_id": WORKSPACE_UUID, "workspace_name": "Default", "campaigns": [CAMPAIGN]}]
CSV_TEXT = 'customer_id,message\n1042,"Hi Ada, your code is 7731"\n1043,Hi Bob: your code is 1208\n'
ROWS = [
    {"customer_id": "1042", "message": "Hi Ada, your code is 7731"},
    {"customer_id": "1043", "message": "Hi Bob: your code is 1208"},
]
LINK = "https://api.example.com/v1/messages/download/eyJjIjoiNWIwYyJ9:1uQk2x:Jx1cq3tS"

# ---- the operations ------------------------------------------------------------------------------

campaign_all = operation(
    operation_id="export_campaign_all",
    tag=TAG,
    summary="Get All Accounts Campaigns",
    description=(
        "Retrieves all message campaigns of the authenticated account (the token's company), "
        "one entry per workspace, with status, stage, date range and messages generated. The "
        "body may be empty."
    ),
    request={"application/json": EMPTY_BODY},
    request_examples={"Empty body": {}},
    responses={
        200: ok(
            data("CampaignsByWorkspace", WorkspaceSerializer(many=True)),
            example("Campaigns by workspace", {"data": WORKSPACES}),
            example("No campaign", {"data": [{**WORKSPACES[0], "campaigns": []}]}),
            description="The account's campaigns, grouped by workspace.",
        )
    },
)

messages_publish = operation(
    operation_id="export_messages_publish",
    tag=TAG,
    summary="Publish Messages to Secure Storage",
    description=(
        "Queues an export of the campaign's generated messages to storage as UTF-8 CSV pages "
        "(`customer_id,message`, at most 1000 rows each) and answers 202 with the job. While an "
        "export runs for the campaign, the same job comes back; while its messages are still "
        "being generated, the export waits for them. On completion the campaign moves from "
        "Ready to Publish to Published; a re-publish writes new pages and switches to them at "
        "once when complete. The rows count against the account's monthly quota."
    ),
    request=ExportCampaignSerializer,
    request_examples={
        "By UUID": {"campaign_id": CAMPAIGN_UUID},
        "By campaign API v2 ID": {"campaign_id": 1042},
    },
    responses={
        202: ok(
            shape("PublishAccepted", {"message": serializers.CharField(), "data": JobSerializer()}),
            example(
                "Export queued",
                {
                    "message": messages.PUBLISH_QUEUED,
                    "data": {"job_id": JOB_UUID, "campaign_id": CAMPAIGN_UUID, "status": "queued"},
                },
            ),
            description="The export job, queued (or the one already at work for the campaign).",
        ),
        401: error(
            401,
            "A required field is missing, or the campaign has no generated messages (or no audience).",
            messages.MISSING_FIELDS,
            messages.NOTHING_TO_PUBLISH,
        ),
        404: CAMPAIGN_NOT_FOUND,
        429: error(
            429,
            "The campaign's rows would pass the account's monthly row limit (nothing is queued); "
            "or " + TOO_MANY_REQUESTS_TEXT[:1].lower() + TOO_MANY_REQUESTS_TEXT[1:],
            messages.USAGE_LIMIT_EXCEEDED,
            messages.TOO_MANY_REQUESTS,
        ),
    },
)

messages_pages = operation(
    operation_id="export_messages_pages",
    tag=TAG,
    summary="Get Campaign Messages Pages",
    description=(
        "Returns how many CSV pages (files) the campaign's published export holds, and its rows, "
        "from the export job's record (never a storage listing): 0 before a first export. Used "
        "to page through fetch (file_num 0 to num_files - 1)."
    ),
    request=ExportCampaignSerializer,
    request_examples={"By UUID": {"campaign_id": CAMPAIGN_UUID}},
    responses={
        200: ok(
            data("CampaignPages", PagesSerializer()),
            example(
                "Published in three pages",
                {
                    "data": {
                        "campaign_id": CAMPAIGN_UUID,
                        "num_files": 3,
                        "total_rows": 2400,
                        "status": "done",
                    }
                },
            ),
            example(
                "Never published",
                {
                    "data": {
                        "campaign_id": CAMPAIGN_UUID,
                        "num_files": 0,
                        "total_rows": 0,
                        "status": NO_EXPORT,
                    }
                },
            ),
            description="The published pages of the campaign.",
        ),
        401: MISSING_FIELDS,
        404: CAMPAIGN_NOT_FOUND,
    },
)

messages_fetch = operation(
    operation_id="export_messages_fetch",
    tag=TAG,
    summary="Retrieve Published Messages",
    description=(
        "Answers one page of the campaign's published export; `data` transforms with "
        "export_type: `utf8` the page's raw CSV text, `json` its rows as `{customer_id, "
        "message}` objects (at most 1000: `truncated` says whether any were left out), `url` a "
        "time-limited link to the CSV file (`expires_at`, one hour by default). `file_num` and "
        "`num_files` are given beside it."
    ),
    request=ExportFetchSerializer,
    request_examples={
        "As JSON rows": {"campaign_id": CAMPAIGN_UUID, "file_num": 0, "export_type": "json"},
        "As CSV text": {"campaign_id": CAMPAIGN_UUID, "file_num": 0, "export_type": "utf8"},
        "As a link (file_num as text)": {"campaign_id": CAMPAIGN_UUID, "file_num": "2", "export_type": "url"},
    },
    responses={
        200: ok(
            FETCHED,
            example("CSV text", {"data": CSV_TEXT, "file_num": 0, "num_files": 3}),
            example("JSON rows", {"data": ROWS, "file_num": 0, "num_files": 3, "truncated": False}),
            example(
                "A link",
                {"data": LINK, "file_num": 2, "num_files": 3, "expires_at": "2030-05-01T18:05:00Z"},
            ),
            description="The page, in the format asked for.",
        ),
        401: error(
            401,
            "A required field is missing, or export_type is none of utf8, json and url.",
            messages.MISSING_FIELDS,
            messages.INVALID_EXPORT_OPTION,
        ),
        404: error(
            404,
            "No such campaign for this account (another company's is answered like a missing "
            "one), or file_num names no page (negative, fractional, not a number, or num_files "
            "or more).",
            messages.CAMPAIGN_NOT_FOUND,
            messages.FILE_NOT_FOUND,
        ),
        500: error(
            500,
            "The stored page could not be read; or an unexpected error (no internals are given).",
            messages.FAILED_TO_PARSE,
            messages.INTERNAL,
        ),
    },
)

TOKEN = OpenApiParameter(
    "token",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The signed token of the link fetch answered (it names the account and the page).",
)

messages_download = operation(
    operation_id="export_messages_download",
    tag=TAG,
    summary="Download a published page (signed link)",
    description=(
        "The link a fetch with export_type `url` answers on local storage: the page's CSV file "
        "as an attachment, with no other authentication (the token is the credential). On S3 "
        "fetch answers a presigned S3 link instead. An expired or altered token opens nothing."
    ),
    parameters=[TOKEN],
    responses={
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The page's CSV file (`text/csv; charset=utf-8`, an attachment)."
        ),
        403: error(403, "The token expired, or is not one this server signed.", messages.DOWNLOAD_REFUSED),
    },
)

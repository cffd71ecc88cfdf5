"""OpenAPI wording and shapes of the recipient, import and group endpoints, in the spec's words.

The request shapes of group create and recipients-remove are written here rather than derived
from their serializers: those take a missing name or list leniently so that the service can
answer it with the spec's own message ("Group name is required.", "RecipientIds is required."),
while the contract is that both are required."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from config.api.v1.schema import (
    OFFSET,
    OPTIONAL_GUID,
    blank_or,
    error,
    example,
    ok,
    operation,
    paged,
    path_id,
    query,
    with_reason,
)
from recipients.api.v1 import serializers as s
from recipients.api.v1.serializers import IMPORT_STATUS
from recipients.importing import MAPPING_TYPES
from recipients.models import MAX_LENGTHS

TAG_RECIPIENTS = "recipients"
TAG_GROUPS = "groups"
VALIDATION = "Validation failed"
RECIPIENT_ID = "6e4d31d5-7dd2-48f8-b8a6-4521b8a447d5"
GROUP_ID = "0f710b4e-99d8-4b59-b793-a5db290df77f"
JOB_ID = "d5fa2f56-7d11-4f87-8f95-d0a3b6a1f17f"
LIMIT = query(
    "limit",
    blank_or({"type": "integer", "minimum": 1, "default": 100}),
    "Maximum number of records to return. Default is 100; more than 1000 returns 1000.",
)
GROUP_NAME_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"  # some text, no NUL character


def _nullable_text(field: str):
    return serializers.CharField(allow_null=True, max_length=MAX_LENGTHS[field])


class RecipientListItemSerializer(serializers.Serializer):
    recipientId = serializers.UUIDField()
    title = _nullable_text("title")
    firstName = _nullable_text("first_name")
    lastName = _nullable_text("last_name")
    companyName = _nullable_text("company_name")
    address1 = serializers.CharField()
    address2 = _nullable_text("address2")
    address3 = _nullable_text("address3")
    address4 = _nullable_text("address4")
    postCode = serializers.CharField()
    city = _nullable_text("city")
    countyName = _nullable_text("county")
    countryName = _nullable_text("country")
    email = _nullable_text("email")
    mobile = _nullable_text("mobile")
    customFields = serializers.DictField(child=serializers.CharField(allow_blank=True))


class RecipientDetailsSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = _nullable_text("title")
    firstName = _nullable_text("first_name")
    lastName = _nullable_text("last_name")
    address1 = serializers.CharField()
    address2 = _nullable_text("address2")
    address3 = _nullable_text("address3")
    address4 = _nullable_text("address4")
    address5 = _nullable_text("address5")
    city = _nullable_text("city")
    companyName = _nullable_text("company_name")
    countryName = _nullable_text("country")
    countyName = _nullable_text("county")
    postcode = serializers.CharField(help_text="upper-case")
    email = _nullable_text("email")
    mobile = _nullable_text("mobile")
    customFields = serializers.DictField(child=serializers.CharField(allow_blank=True))


class RecipientIdSerializer(serializers.Serializer):
    recipientId = serializers.UUIDField()


class ImportAcceptedSerializer(serializers.Serializer):
    message = serializers.CharField()
    jobId = serializers.UUIDField(help_text="follow it at GET /api/v1/recipients/import/{jobId}")


class GroupListItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    groupName = serializers.CharField()
    recipientCount = serializers.IntegerField(min_value=0)
    isDefaultGroup = serializers.BooleanField()
    createdDate = serializers.DateTimeField()
    updatedDate = serializers.DateTimeField(allow_null=True)


class GroupDetailsSerializer(GroupListItemSerializer):
    fileName = serializers.CharField(allow_null=True)
    failedRecords = serializers.IntegerField(allow_null=True)
    totalRecords = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=["ready", "importing", "failed"])
    processedRecords = serializers.IntegerField(allow_null=True, help_text="rows read so far while importing")
    failureReason = serializers.CharField(allow_null=True, help_text="why an import failed")


class GroupIdSerializer(serializers.Serializer):
    groupId = serializers.UUIDField()


class RemovedSerializer(serializers.Serializer):
    groupId = serializers.UUIDField()
    removed = serializers.IntegerField(min_value=0, help_text="memberships removed")


class GroupCreateRequestSerializer(serializers.Serializer):
    groupName = serializers.RegexField(
        GROUP_NAME_TEXT,
        max_length=200,
        help_text="Unique within your account; surrounding spaces are trimmed.",
    )


class RemoveRecipientsRequestSerializer(serializers.Serializer):
    recipientIds = serializers.ListField(child=serializers.UUIDField(), min_length=1)


class ImportRequestExtension(OpenApiSerializerExtension):
    """The import takes its file as Base64 `fileData` or as `fileUrl`: exactly one of them."""

    target_class = s.ImportSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        given = {"type": "string", "minLength": 1}
        schema["oneOf"] = [
            {"required": ["fileData"], "properties": {"fileData": given}},
            {"required": ["fileUrl"], "properties": {"fileUrl": given}},
        ]
        return schema


class RecipientWriteExtension(OpenApiSerializerExtension):
    """`groupId` (create) and `id` (update) are GUIDs, or nothing."""

    target_class = s.RecipientWriteSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        for name in ("groupId", "id"):
            if name in schema["properties"]:
                schema["properties"][name] = OPTIONAL_GUID
        return schema


class MappingRequestExtension(OpenApiSerializerExtension):
    """A mapping's type is one of MAPPING_TYPES (taken in any casing)."""

    target_class = s.MappingSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["properties"]["mappingType"] = {"type": "string", "enum": list(MAPPING_TYPES)}
        return schema


RECIPIENT = {
    "recipientId": RECIPIENT_ID,
    "title": "Mr",
    "firstName": "John",
    "lastName": "Doe",
    "companyName": "Example Ltd",
    "address1": "1 Main Street",
    "address2": None,
    "address3": None,
    "address4": None,
    "postCode": "SW1A 1AA",
    "city": "London",
    "countyName": "Greater London",
    "countryName": "United Kingdom",
    "email": None,
    "mobile": None,
    "customFields": {"MemberId": "A1029"},
}
GROUP = {
    "id": GROUP_ID,
    "groupName": "March Import",
    "recipientCount": 1200,
    "isDefaultGroup": False,
    "createdDate": "2026-03-08T10:35:12Z",
    "updatedDate": "2026-03-08T11:10:04Z",
}
GROUP_DETAILS = {
    **GROUP,
    "fileName": "recipients.csv",
    "failedRecords": 12,
    "totalRecords": 1212,
    "status": "ready",
    "processedRecords": 1212,
    "failureReason": None,
}
RECIPIENT_ID_DATA = {"recipientId": RECIPIENT_ID}
GROUP_ID_PARAMETER = path_id("group_id", "Recipient group identifier.")
RECIPIENT_ID_PARAMETER = path_id("recipient_id", "Recipient ID (GUID).")

recipients_list = operation(
    operation_id="recipients_list",
    tag=TAG_RECIPIENTS,
    summary="List recipients",
    description=(
        "Returns recipients for the authenticated company using offset/limit pagination. It can "
        "optionally filter by recipient group. Use this endpoint to build recipient tables, paging "
        "UI, and group-specific recipient views. Right: Recipient.Read."
    ),
    parameters=[
        query(
            "groupId",
            {
                "type": "string",
                "pattern": "^\\s*(0|[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12})?\\s*$",
            },
            "Recipient group ID filter (GUID). If omitted or set to 0, all groups are returned.",
        ),
        OFFSET,
        LIMIT,
    ],
    responses={
        200: ok(
            "RecipientListEnvelope",
            paged("RecipientListData", RecipientListItemSerializer),
            example(
                "Recipients list",
                "Recipients list",
                {
                    "total": 1,
                    "offset": 0,
                    "limit": 100,
                    "hasMore": False,
                    "nextOffset": None,
                    "data": [RECIPIENT],
                },
            ),
            description="Recipient list returned successfully.",
        ),
        400: error(
            "Invalid input (for example: groupId is not a valid GUID, offset or limit not a whole number).",
            *with_reason(
                400,
                "recipientGroupId is not a valid GUID.",
                "offset must be 0 or more.",
                "limit must be between 1 and 1000.",
            ),
        ),
        404: error("The group does not exist in your account.", *with_reason(404, "Group not found.")),
    },
)

recipients_create = operation(
    operation_id="recipients_create",
    tag=TAG_RECIPIENTS,
    summary="Create a recipient",
    description=(
        "Creates a new recipient record in your account, in the recipient group `groupId` names or, "
        "when no group is provided, in the company default recipient group. `address1` and "
        "`postcode` are required; `customFields` carries extra key/value metadata. Keys are "
        "accepted in any casing. Right: Recipient.Write."
    ),
    request=s.RecipientCreateSerializer,
    request_examples={
        "Recipient in a group": {
            "title": "Mr",
            "firstName": "John",
            "lastName": "Doe",
            "address1": "1 Main Street",
            "address2": "Flat 2",
            "postcode": "SW1A 1AA",
            "city": "London",
            "address3": None,
            "address4": None,
            "companyName": "Example Ltd",
            "countryName": "United Kingdom",
            "countyName": "Greater London",
            "groupId": "a4f1f7f6-74f4-45fa-a211-7ad10d15858d",
            "customFields": {"MemberId": "A1029"},
        }
    },
    responses={
        200: ok(
            "RecipientCreatedEnvelope",
            RecipientIdSerializer(),
            example("Recipient created", "Recipient created", RECIPIENT_ID_DATA),
            description="Recipient created successfully.",
        ),
        400: error(
            "Validation or business rule failure (missing required `address1`/`postcode`, invalid "
            "`groupId` format, group not in company scope).",
            (VALIDATION, ["The Address1 field is required.", "The Postcode field is required."]),
            *with_reason(400, "GroupId is not a valid GUID.", "Group not found in this company."),
        ),
    },
)

recipients_details = operation(
    operation_id="recipients_details",
    tag=TAG_RECIPIENTS,
    summary="Get a recipient",
    description=(
        "Returns full details for a single recipient record. Use this endpoint to view recipient "
        "details, prefill update flows, and supply recipient data to campaign workflows. "
        "Right: Recipient.Read."
    ),
    parameters=[RECIPIENT_ID_PARAMETER],
    responses={
        200: ok(
            "RecipientDetailsEnvelope",
            RecipientDetailsSerializer(),
            example(
                "Recipient details",
                "Recipient details",
                {
                    "id": RECIPIENT_ID,
                    "title": "Mr",
                    "firstName": "John",
                    "lastName": "Doe",
                    "address1": "1 Main Street",
                    "address2": "Flat 2",
                    "address3": None,
                    "address4": None,
                    "address5": None,
                    "city": "London",
                    "companyName": "Example Ltd",
                    "countryName": "United Kingdom",
                    "countyName": "Greater London",
                    "postcode": "SW1A 1AA",
                    "email": None,
                    "mobile": None,
                    "customFields": {"MemberId": "A1029"},
                },
            ),
            description="Recipient details returned successfully.",
        ),
        404: error(
            "Recipient does not exist or is not accessible.", *with_reason(404, "Recipient not found.")
        ),
    },
)

recipients_update = operation(
    operation_id="recipients_update",
    tag=TAG_RECIPIENTS,
    summary="Update a recipient",
    description=(
        "Updates an existing recipient record. This endpoint supports partial updates, so only "
        "fields provided in the request body are changed. An `id` in the body, if provided, must "
        "match the route `id`. Postcodes are stored upper-case. Right: Recipient.Write."
    ),
    parameters=[RECIPIENT_ID_PARAMETER],
    request=s.RecipientUpdateSerializer(partial=True),
    request_examples={
        "New name and postcode": {
            "id": RECIPIENT_ID,
            "firstName": "Jane",
            "lastName": "Doe",
            "postcode": "sw1a 1aa",
            "city": "London",
        }
    },
    responses={
        200: ok(
            "RecipientUpdatedEnvelope",
            RecipientIdSerializer(),
            example("Recipient updated", "Recipient updated", RECIPIENT_ID_DATA),
            description="Recipient updated successfully.",
        ),
        400: error(
            "Validation failure: body `id` does not match route `id`, or a field is invalid.",
            ("Body Id does not match route Id.", None),
            (VALIDATION, ["One or more request fields are invalid."]),
        ),
        404: error("Recipient does not exist.", *with_reason(404, "Recipient not found.")),
    },
)

recipients_delete = operation(
    operation_id="recipients_delete",
    tag=TAG_RECIPIENTS,
    summary="Delete a recipient",
    description=(
        "Deletes a recipient record by ID. Use this endpoint to remove a recipient when it is no "
        "longer needed. A recipient of a campaign that is approved and not yet dispatched cannot "
        "be deleted. Right: Recipient.Delete."
    ),
    parameters=[RECIPIENT_ID_PARAMETER],
    responses={
        200: ok(
            "RecipientDeletedEnvelope",
            RecipientIdSerializer(),
            example("Recipient deleted", "Recipient deleted", RECIPIENT_ID_DATA),
            description="Recipient deleted successfully.",
        ),
        400: error(
            "Recipient cannot be deleted due to business rules (linked to an active campaign).",
            ("This recipient is associated with an active campaign and cannot be deleted right now.", None),
        ),
        404: error("Recipient does not exist.", *with_reason(404, "Recipient not found.")),
    },
)

MAPPINGS = [
    {"sourceHeader": "First Name", "destinationField": "FirstName", "mappingType": "standard"},
    {"sourceHeader": "Address", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
    {"sourceHeader": "MemberId", "destinationField": "MemberId", "mappingType": "custom"},
]

recipients_import = operation(
    operation_id="recipients_import",
    tag=TAG_RECIPIENTS,
    summary="Import recipients from a CSV or XLSX file",
    description=(
        "Starts an asynchronous recipient import job and creates a new recipient group from the "
        "provided `groupName` (unique within your account). The file source is supplied either as "
        "Base64 content (`fileData`) or as a downloadable URL (`fileUrl`), exactly one of them. "
        "`mappings` say what each column is: `standard` (a recipient field: "
        "Title, FirstName, LastName, CompanyName, Address1-5, City, CountyName, Postcode, "
        "CountryName, Email, Mobile; Address1 and Postcode must be mapped), `custom` (a custom "
        "field named `destinationField`, else the header) or `skip`. The API returns at once with "
        "`202 Accepted` and the job's `jobId`; follow it at GET /api/v1/recipients/import/{jobId} "
        "(or by the group name at GET /api/v1/groups/by-name). Right: Recipient.Import."
    ),
    request=s.ImportSerializer,
    request_examples={
        "Base64 source": {
            "groupName": "March Import",
            "fileName": "recipients.csv",
            "fileData": "Rmlyc3QgTmFtZSxBZGRyZXNzLFBvc3QgQ29kZSxNZW1iZXJJZApKb2huLDEgTWFpbiBTdHJlZXQsU1cxQSAxQUEsQTEwMjkK",
            "mappings": MAPPINGS,
        },
        "URL source": {
            "groupName": "March Import",
            "fileName": "recipients.xlsx",
            "fileUrl": "https://example.com/exports/recipients.xlsx",
            "mappings": [
                *MAPPINGS[:3],
                {"sourceHeader": "Notes", "destinationField": "Notes", "mappingType": "skip"},
            ],
        },
    },
    responses={
        202: ok(
            "ImportAcceptedEnvelope",
            ImportAcceptedSerializer(),
            example(
                "Accepted",
                None,
                {"message": "Your file has been accepted and is being processed.", "jobId": JOB_ID},
            ),
            description="Import request accepted and queued for background processing.",
            message_nullable=True,
        ),
        400: error(
            "Invalid request payload or business validation failure (missing group name, duplicate "
            "group, invalid URL, invalid file source combination, missing or invalid mappings).",
            ("You must provide either 'fileData' (Base64) or a 'fileUrl'.", None),
            ("A group with this name already exists. Please choose a different name.", None),
            *with_reason(
                400,
                "fileData is not valid Base64.",
                "mappings must map the required fields: Address1, Postcode.",
            ),
        ),
        413: error(
            "The request body is larger than the import allows.",
            *with_reason(413, "Request body exceeds allowed limit"),
        ),
    },
)

recipients_import_status = operation(
    operation_id="recipients_import_status",
    tag=TAG_RECIPIENTS,
    summary="Follow a recipient import",
    description=(
        "Beyond the spec. The progress and outcome of the import that POST /api/v1/recipients/import "
        "accepted as `jobId`: status (queued -> importing -> ready | failed), rows read, imported "
        "and failed so far, a percentage (CSV: of the rows its line breaks promise; XLSX: known "
        "once ready), when it started and finished, why it failed, and the group it fills. "
        "Columns of the file that no mapping names are not imported; they are listed in "
        "`unmappedColumns` and `warnings` (a `skip` mapping leaves its column out on purpose, "
        "without a warning). Rows left out are listed by GET /api/v1/groups/{groupId}/import-errors. "
        "Another company's job, like an unknown or malformed id, is 404. Right: Group.Read."
    ),
    parameters=[path_id("job_id", "the jobId of the import's 202 answer")],
    responses={
        200: ok(
            "ImportJobEnvelope",
            s.ImportJobStatusSerializer(),
            example(
                "Importing",
                "Import job details",
                {
                    "jobId": JOB_ID,
                    "status": IMPORT_STATUS["running"],
                    "groupId": GROUP_ID,
                    "groupName": "March Import",
                    "fileName": "recipients.csv",
                    "rowsRead": 40000,
                    "imported": 39988,
                    "failed": 12,
                    "estimatedRows": 100000,
                    "percent": 40,
                    "createdDate": "2026-03-08T10:35:12Z",
                    "startedAt": "2026-03-08T10:35:13Z",
                    "finishedAt": None,
                    "failureReason": None,
                    "unmappedColumns": [{"column": 7, "header": "Phone"}],
                    "warnings": ['Column 7 ("Phone") was not imported: no mapping names it.'],
                },
            ),
            description="The job's progress or outcome.",
        ),
        404: error("No such import job in your account.", *with_reason(404, "Import job not found.")),
    },
)

groups_list = operation(
    operation_id="groups_list",
    tag=TAG_GROUPS,
    summary="List recipient groups",
    description=(
        "Returns a paginated list of recipient groups in your account. Use this endpoint to load "
        "group lists in your UI, including each group's name, recipient count, default-group flag, "
        "and timestamps. Right: Group.Read."
    ),
    parameters=[OFFSET, LIMIT],
    responses={
        200: ok(
            "GroupListEnvelope",
            paged("GroupListData", GroupListItemSerializer),
            example(
                "Groups",
                "Groups list retrieved successfully.",
                {
                    "total": 1,
                    "offset": 0,
                    "limit": 100,
                    "hasMore": False,
                    "nextOffset": None,
                    "data": [GROUP],
                },
            ),
            description="Group list returned successfully.",
        ),
        400: error(
            "offset or limit is not a whole number in range.",
            *with_reason(400, "offset must be 0 or more.", "limit must be between 1 and 1000."),
        ),
    },
)

groups_create = operation(
    operation_id="groups_create",
    tag=TAG_GROUPS,
    summary="Create a recipient group",
    description=(
        "Creates a new recipient group in your account. Use this endpoint when you need a new "
        "destination group before adding recipients manually or via import. The name must be "
        "unique within your account. Right: Group.Write."
    ),
    request=GroupCreateRequestSerializer,
    request_examples={"Group": {"groupName": "Spring Campaign Audience"}},
    responses={
        200: ok(
            "GroupCreatedEnvelope",
            GroupDetailsSerializer(),
            example(
                "Group created",
                "Group created",
                {
                    **GROUP_DETAILS,
                    "groupName": "Spring Campaign Audience",
                    "fileName": None,
                    "recipientCount": 0,
                    "createdDate": "2026-03-09T09:00:00Z",
                    "updatedDate": None,
                    "failedRecords": 0,
                    "totalRecords": None,
                    "processedRecords": 0,
                },
            ),
            description="Group created successfully.",
        ),
        400: error(
            "Invalid request payload (missing or empty group name, or longer than 200 characters).",
            *with_reason(400, "Group name is required.", VALIDATION),
        ),
        409: error(
            "A group with the same name already exists.",
            *with_reason(409, "A group with the same name already exists in this company."),
        ),
    },
)

groups_remove_recipients = operation(
    operation_id="groups_remove_recipients",
    tag=TAG_GROUPS,
    summary="Remove recipients from a group",
    description=(
        "Removes selected recipients from a specific group. Use this endpoint to update group "
        "membership while keeping recipient records available in your account. Ids that are not "
        "members are ignored. Right: Group.Write."
    ),
    parameters=[GROUP_ID_PARAMETER],
    request=RemoveRecipientsRequestSerializer,
    request_examples={
        "Two recipients": {"recipientIds": [RECIPIENT_ID, "bf2c1f5e-2fc4-4ec5-9987-bf7a6b2be2f1"]}
    },
    responses={
        200: ok(
            "RecipientsRemovedEnvelope",
            RemovedSerializer(),
            example("Removed", "Recipients removed from group", {"groupId": GROUP_ID, "removed": 2}),
            description="Recipients removed from the group successfully.",
        ),
        400: error(
            "Invalid request or business-rule validation failed (for example: empty recipient list).",
            *with_reason(400, "RecipientIds is required.", VALIDATION),
        ),
        404: error("The group does not exist in your account.", *with_reason(404, "Group not found.")),
    },
)

groups_delete = operation(
    operation_id="groups_delete",
    tag=TAG_GROUPS,
    summary="Delete a recipient group",
    description=(
        "Deletes a recipient group by ID. Use this endpoint when a group is no longer needed and "
        "should no longer appear in group listings. The default group, a group still importing "
        "and a group an active campaign uses cannot be deleted. Right: Group.Write."
    ),
    parameters=[GROUP_ID_PARAMETER],
    responses={
        200: ok(
            "GroupDeletedEnvelope",
            GroupIdSerializer(),
            example("Group deleted", "Group deleted", {"groupId": GROUP_ID}),
            description="Group deleted successfully.",
        ),
        400: error(
            "Group cannot be deleted due to current validation or business rules.",
            *with_reason(400, "Group cannot be deleted in its current state."),
        ),
        404: error("The group does not exist in your account.", *with_reason(404, "Group not found.")),
    },
)

groups_by_name = operation(
    operation_id="groups_by_name",
    tag=TAG_GROUPS,
    summary="Get a recipient group by name",
    description=(
        "Returns full details for a recipient group that matches the provided name. Use this "
        "endpoint after import submission to check whether the group is available, monitor "
        "progress (status), and review result counts (recipientCount, failedRecords, and "
        "totalRecords). Right: Group.Read."
    ),
    parameters=[
        query(
            "name",
            {"type": "string", "pattern": GROUP_NAME_TEXT},
            "Exact group name to look up.",
            required=True,
        )
    ],
    responses={
        200: ok(
            "GroupDetailsEnvelope",
            GroupDetailsSerializer(),
            example("Group details", "Group details", GROUP_DETAILS),
            description="Group details returned successfully.",
        ),
        400: error(
            "Required query parameter is missing or invalid.",
            *with_reason(400, "name is required", "name must not contain null characters"),
        ),
        404: error("No group found with the provided name.", *with_reason(404, "Group not found")),
    },
)

groups_import_errors = operation(
    operation_id="groups_import_errors",
    tag=TAG_GROUPS,
    summary="Rows an import left out",
    description=(
        "Beyond the spec. The rows of the group's import that were not imported, as CSV with the "
        "columns `row` (1-based data row) and `reason`. Right: Group.Read."
    ),
    parameters=[GROUP_ID_PARAMETER],
    responses={
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR,
            description="The rows left out, as CSV (UTF-8).",
            examples=[OpenApiExample("Rows", value="row,reason\r\n3,The Postcode field is required.\r\n")],
        ),
        404: error("The group does not exist in your account.", *with_reason(404, "Group not found.")),
    },
)

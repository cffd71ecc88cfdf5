"""Platform API shapes of recipients and groups, with the spec's field names."""

from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import StrictCharField, TextKeyDictField
from config.api.webhook_shapes import rendered_all
from recipients.models import MAX_LENGTHS
from recipients.selectors import ListKey

# API field name -> model field
RECIPIENT_API_FIELDS = {
    "title": "title",
    "firstName": "first_name",
    "lastName": "last_name",
    "companyName": "company_name",
    "address1": "address1",
    "address2": "address2",
    "address3": "address3",
    "address4": "address4",
    "address5": "address5",
    "city": "city",
    "countyName": "county",
    "postcode": "postcode",
    "countryName": "country",
    "email": "email",
    "mobile": "mobile",
}


def _text(field: str, *, required: bool = False):
    return StrictCharField(
        max_length=MAX_LENGTHS[field], required=required, allow_blank=not required, allow_null=not required
    )


class RecipientWriteSerializer(serializers.Serializer):
    """Create (Address1 and Postcode required) and partial update (nothing required)."""

    title = _text("title")
    firstName = _text("first_name")
    lastName = _text("last_name")
    companyName = _text("company_name")
    address1 = _text("address1", required=True)
    address2 = _text("address2")
    address3 = _text("address3")
    address4 = _text("address4")
    address5 = _text("address5")
    city = _text("city")
    countyName = _text("county")
    postcode = _text("postcode", required=True)
    countryName = _text("country")
    email = serializers.EmailField(
        max_length=MAX_LENGTHS["email"], required=False, allow_blank=True, allow_null=True
    )
    mobile = _text("mobile")
    customFields = TextKeyDictField(
        child=StrictCharField(allow_blank=True, max_length=1000), required=False, allow_null=True
    )

    def model_values(self) -> dict:
        """Only the fields the client sent, by model field name."""
        data = self.validated_data
        values = {model: data[api] for api, model in RECIPIENT_API_FIELDS.items() if api in data}
        if "customFields" in data:
            values["custom_fields"] = data["customFields"] or {}
        return values


class RecipientCreateSerializer(RecipientWriteSerializer):
    groupId = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class RecipientUpdateSerializer(RecipientWriteSerializer):
    id = serializers.CharField(required=False, allow_null=True, allow_blank=True)


# A recipient list item: the keys as the spec shows them; optional fields that are empty are null.
RECIPIENT_LIST_ITEM = (
    ListKey("recipientId", "id"),
    ListKey("title", "title", empty_is_null=True),
    ListKey("firstName", "first_name", empty_is_null=True),
    ListKey("lastName", "last_name", empty_is_null=True),
    ListKey("companyName", "company_name", empty_is_null=True),
    ListKey("address1", "address1"),
    ListKey("address2", "address2", empty_is_null=True),
    ListKey("address3", "address3", empty_is_null=True),
    ListKey("address4", "address4", empty_is_null=True),
    ListKey("postCode", "postcode"),
    ListKey("city", "city", empty_is_null=True),
    ListKey("countyName", "county", empty_is_null=True),
    ListKey("countryName", "country", empty_is_null=True),
    ListKey("email", "email", empty_is_null=True),
    ListKey("mobile", "mobile", empty_is_null=True),
    ListKey("customFields", "custom_fields"),
)


def recipient_details(r) -> dict:
    return {
        "id": str(r.id),
        "title": r.title or None,
        "firstName": r.first_name or None,
        "lastName": r.last_name or None,
        "address1": r.address1,
        "address2": r.address2 or None,
        "address3": r.address3 or None,
        "address4": r.address4 or None,
        "address5": r.address5 or None,
        "city": r.city or None,
        "companyName": r.company_name or None,
        "countryName": r.country or None,
        "countyName": r.county or None,
        "postcode": r.postcode,
        "email": r.email or None,
        "mobile": r.mobile or None,
        "customFields": r.custom_fields or {},
    }


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def group_list_item(g) -> dict:
    return {
        "id": str(g.id),
        "groupName": g.name,
        "recipientCount": g.recipient_count,
        "isDefaultGroup": g.is_default,
        "createdDate": _stamp(g.created_at),
        "updatedDate": _stamp(g.updated_at),
    }


def group_details(g) -> dict:
    return {
        "id": str(g.id),
        "groupName": g.name,
        "fileName": g.file_name or None,
        "isDefaultGroup": g.is_default,
        "recipientCount": g.recipient_count,
        "createdDate": _stamp(g.created_at),
        "updatedDate": _stamp(g.updated_at),
        "failedRecords": g.failed_records,
        "totalRecords": g.total_records,
        "status": g.status,
        # Beyond the documented fields: progress while importing, and why an import failed.
        "processedRecords": g.processed_records,
        "failureReason": g.failure_reason or None,
    }


# GET /api/v1/recipients/import/{jobId} (beyond the spec): the job's words for its status are
# the group's (importing -> ready | failed), with "queued" before a worker takes it.
IMPORT_STATUS = {"queued": "queued", "running": "importing", "done": "ready", "failed": "failed"}


def import_job_details(job) -> dict:
    """An import job as the status endpoint shows it. A failed import keeps nothing (its rows
    and row errors are removed with it), so it shows 0 imported and 0 failed; rowsRead says
    how far it got."""
    failed = job.status == "failed"
    return {
        "jobId": str(job.id),
        "status": IMPORT_STATUS[job.status],
        "groupId": str(job.group_id),
        "groupName": job.group.name,
        "fileName": job.file_name,
        "rowsRead": job.processed_rows,
        "imported": 0 if failed else job.imported_rows,
        "failed": 0 if failed else job.failed_rows,
        "estimatedRows": job.estimated_rows,
        "percent": job.percent_done,
        "createdDate": _stamp(job.created_at),
        "startedAt": _stamp(job.started_at),
        "finishedAt": _stamp(job.finished_at),
        "failureReason": job.failure_reason or None,
        "unmappedColumns": job.unmapped_columns,
        "warnings": [
            f'Column {c["column"]} ("{c["header"]}") was not imported: no mapping names it.'
            for c in job.unmapped_columns
        ],
    }


class UnmappedColumnSerializer(serializers.Serializer):
    column = serializers.IntegerField(help_text="1-based position of the column in the file")
    header = serializers.CharField(help_text="its header (cut to 255 characters; may be empty)")


class ImportJobStatusSerializer(serializers.Serializer):
    """The shape of `import_job_details`, for the OpenAPI schema."""

    jobId = serializers.UUIDField()
    status = serializers.ChoiceField(choices=list(IMPORT_STATUS.values()))
    groupId = serializers.UUIDField(help_text="the group the import fills")
    groupName = serializers.CharField()
    fileName = serializers.CharField()
    rowsRead = serializers.IntegerField(help_text="data rows read so far (imported + failed)")
    imported = serializers.IntegerField(help_text="rows imported as recipients (0 once failed)")
    failed = serializers.IntegerField(help_text="rows left out; see groups/{groupId}/import-errors")
    estimatedRows = serializers.IntegerField(
        allow_null=True, help_text="CSV: data rows counted from line breaks, an upper bound; XLSX: null"
    )
    percent = serializers.IntegerField(
        allow_null=True,
        help_text="0-100; 100 only once ready; null for XLSX while importing, and once failed",
    )
    createdDate = serializers.DateTimeField()
    startedAt = serializers.DateTimeField(allow_null=True)
    finishedAt = serializers.DateTimeField(allow_null=True)
    failureReason = serializers.CharField(allow_null=True)
    unmappedColumns = UnmappedColumnSerializer(
        many=True,
        help_text="columns no mapping names (a skip mapping names one): their cells are not imported",
    )
    warnings = serializers.ListField(child=serializers.CharField(), help_text="the same, in words")


class GroupCreateSerializer(serializers.Serializer):
    groupName = StrictCharField(max_length=200, required=False, allow_blank=True, allow_null=True)


class RemoveRecipientsSerializer(serializers.Serializer):
    recipientIds = serializers.ListField(
        child=serializers.UUIDField(), required=False, allow_null=True, allow_empty=True
    )


class MappingSerializer(serializers.Serializer):
    sourceHeader = StrictCharField(max_length=255)
    destinationField = StrictCharField(max_length=255, required=False, allow_blank=True, allow_null=True)
    mappingType = StrictCharField(max_length=20)


@extend_schema_field({"type": "string", "format": "byte"})
class Base64TextField(serializers.Field):
    """A string taken as it is: a 100 MB Base64 file skips CharField's per-character checks
    (decoding it validates it)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a Base64 string.")
        return data

    def to_representation(self, value):
        return value


class ImportSerializer(serializers.Serializer):
    groupName = StrictCharField(max_length=200)
    fileName = StrictCharField(max_length=255)
    fileData = Base64TextField(required=False, allow_null=True)
    fileUrl = serializers.URLField(
        max_length=2000, required=False, allow_blank=True, allow_null=True,
        validators=[URLValidator(schemes=["http", "https"], message="fileUrl must be an http or https URL.")],
    )  # fmt: skip
    mappings = serializers.ListField(child=MappingSerializer(), allow_empty=False)


# Import jobs in webhook events (registered from recipients.apps), as the status endpoint shows them.
WEBHOOK_SHAPES = rendered_all({"import_job": import_job_details})

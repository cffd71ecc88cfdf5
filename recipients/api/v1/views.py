import uuid

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema

from config import csvsafe
from config.api.v1 import schema
from config.api.v1.pagination import paged, paged_json, paging_params
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PlatformAPIView
from config.errors import InvalidInput
from recipients import importing, selectors, services
from recipients.api.v1 import serializers as s
from recipients.errors import BodyIdMismatch, RecipientErrorCode

CREDENTIALS = "Missing or invalid credentials"
COMPANY_CLAIM = "CompanyId claim missing or invalid."


def parse_guid(raw, code: RecipientErrorCode, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(code, field=field) from exc


class RecipientsView(PlatformAPIView):
    unauthenticated_message = COMPANY_CLAIM

    def get_required_right(self):
        return "Recipient.Read" if self.request.method == "GET" else "Recipient.Write"

    @extend_schema(
        operation_id="recipients_list",
        parameters=[
            OpenApiParameter("groupId", str, description="Group GUID; omitted or 0 = all recipients"),
            OpenApiParameter("offset", int), OpenApiParameter("limit", int),
        ],
        responses={200: schema.enveloped("RecipientListEnvelope"), 400: schema.error("groupId is not a valid GUID."), 404: schema.error("Group not found."), **schema.AUTH_ERRORS},
        tags=["recipients"],
    )  # fmt: skip
    def get(self, request):
        offset, limit = paging_params(request.query_params)
        raw_group = request.query_params.get("groupId", "").strip()
        group = None
        if raw_group not in ("", "0"):
            group_id = parse_guid(raw_group, RecipientErrorCode.RECIPIENT_GROUP_ID_INVALID, "group_id")
            group = selectors.get_group_for_company(company=self.company, group_id=group_id)
        page = selectors.recipient_page_json(
            company=self.company, group=group, offset=offset, limit=limit, shape=s.RECIPIENT_LIST_ITEM
        )
        return ApiResponse(paged_json(page), message="Recipients list")

    @extend_schema(
        operation_id="recipients_create",
        request=s.RecipientCreateSerializer,
        responses={200: schema.enveloped("RecipientIdEnvelope"), 400: schema.error("Validation failed"), **schema.AUTH_ERRORS},
        tags=["recipients"],
    )  # fmt: skip
    def post(self, request):
        serializer = s.RecipientCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw_group = serializer.validated_data.get("groupId")
        group_id = (
            parse_guid(raw_group, RecipientErrorCode.GROUP_ID_INVALID, "group_id") if raw_group else None
        )
        recipient = services.recipient_create(
            company=self.company, values=serializer.model_values(), group_id=group_id
        )
        return ApiResponse({"recipientId": str(recipient.pk)}, message="Recipient created")


class RecipientView(PlatformAPIView):
    unauthenticated_message = CREDENTIALS

    def get_required_right(self):
        return {"GET": "Recipient.Read", "DELETE": "Recipient.Delete"}.get(
            self.request.method, "Recipient.Write"
        )

    @extend_schema(operation_id="recipients_details", responses={200: schema.enveloped("RecipientEnvelope"), 404: schema.error("Recipient not found."), **schema.AUTH_ERRORS}, tags=["recipients"])  # fmt: skip
    def get(self, request, recipient_id):
        recipient = selectors.get_recipient_for_company(company=self.company, recipient_id=recipient_id)
        return ApiResponse(s.recipient_details(recipient), message="Recipient details")

    @extend_schema(operation_id="recipients_update", request=s.RecipientUpdateSerializer, responses={200: schema.enveloped("RecipientIdEnvelope"), 400: schema.error("Body Id does not match route Id."), 404: schema.error("Recipient not found."), **schema.AUTH_ERRORS}, tags=["recipients"])  # fmt: skip
    def put(self, request, recipient_id):
        serializer = s.RecipientUpdateSerializer(data=request.data, partial=True)
        if not serializer.is_valid():
            raise InvalidInput(RecipientErrorCode.RECIPIENT_FIELDS_INVALID)
        body_id = serializer.validated_data.get("id")
        if body_id and str(body_id).strip().lower() != str(recipient_id).lower():
            raise BodyIdMismatch()
        recipient = services.recipient_update(
            company=self.company, recipient_id=recipient_id, values=serializer.model_values()
        )
        return ApiResponse({"recipientId": str(recipient.pk)}, message="Recipient updated")

    @extend_schema(operation_id="recipients_delete", responses={200: schema.enveloped("RecipientIdEnvelope"), 400: schema.error("This recipient is associated with an active campaign and cannot be deleted right now."), 404: schema.error("Recipient not found."), **schema.AUTH_ERRORS}, tags=["recipients"])  # fmt: skip
    def delete(self, request, recipient_id):
        services.recipient_delete(company=self.company, recipient_id=recipient_id)
        return ApiResponse({"recipientId": str(recipient_id)}, message="Recipient deleted")


class RecipientImportView(PlatformAPIView):
    unauthenticated_message = CREDENTIALS
    required_right = "Recipient.Import"

    @property
    def max_body_bytes(self):
        return settings.IMPORT_MAX_BODY_BYTES

    @extend_schema(operation_id="recipients_import", request=s.ImportSerializer, responses={202: schema.enveloped("ImportAcceptedEnvelope"), 400: schema.error("Invalid import request."), **schema.AUTH_ERRORS}, tags=["recipients"])  # fmt: skip
    def post(self, request):
        serializer = s.ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = importing.recipient_import_start(
            company=self.company,
            group_name=data["groupName"],
            file_name=data["fileName"],
            file_data=data.get("fileData") or None,
            file_url=data.get("fileUrl") or None,
            mappings=data["mappings"],
            by=self.principal.user,
        )
        body = {"message": "Your file has been accepted and is being processed.", "jobId": str(job.pk)}
        return ApiResponse(body, message=None, status=202)


IMPORT_JOB_EXAMPLE = {
    "success": True,
    "message": "Import job details",
    "data": {
        "jobId": "d5fa2f56-7d11-4f87-8f95-d0a3b6a1f17f",
        "status": "importing",
        "groupId": "0f710b4e-99d8-4b59-b793-a5db290df77f",
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
    "errors": None,
}


class RecipientImportJobView(PlatformAPIView):
    """Beyond the spec: where an import's jobId leads."""

    unauthenticated_message = CREDENTIALS
    required_right = "Group.Read"  # what groups/by-name, the spec's way to follow an import, needs

    @extend_schema(
        operation_id="recipients_import_status",
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
        parameters=[OpenApiParameter("job_id", str, OpenApiParameter.PATH, description="the jobId of the import's 202 answer")],
        responses={
            200: schema.enveloped("ImportJobEnvelope", s.ImportJobStatusSerializer(), description="The job's progress or outcome."),
            404: schema.error("Import job not found."),
            **schema.AUTH_ERRORS,
        },
        examples=[
            OpenApiExample("Importing", value=IMPORT_JOB_EXAMPLE, response_only=True, status_codes=["200"]),
            OpenApiExample(
                "Not found", response_only=True, status_codes=["404"],
                value={"success": False, "message": "Import job not found.", "data": None, "errors": ["Not found"]},
            ),
        ],
        tags=["recipients"],
    )  # fmt: skip
    def get(self, request, job_id):
        job = selectors.get_import_job_for_company(company=self.company, job_id=job_id)
        return ApiResponse(s.import_job_details(job), message="Import job details")


class GroupsView(PlatformAPIView):
    def get_required_right(self):
        return "Group.Read" if self.request.method == "GET" else "Group.Write"

    @extend_schema(operation_id="groups_list", parameters=[OpenApiParameter("offset", int), OpenApiParameter("limit", int)], responses={200: schema.enveloped("GroupListEnvelope"), **schema.AUTH_ERRORS}, tags=["groups"])  # fmt: skip
    def get(self, request):
        offset, limit = paging_params(request.query_params)
        page = selectors.group_page(company=self.company, offset=offset, limit=limit)
        return ApiResponse(
            paged(page, [s.group_list_item(g) for g in page.items]),
            message="Groups list retrieved successfully.",
        )

    @extend_schema(operation_id="groups_create", request=s.GroupCreateSerializer, responses={200: schema.enveloped("GroupEnvelope"), 400: schema.error("Group name is required."), 409: schema.error("A group with the same name already exists in this company."), **schema.AUTH_ERRORS}, tags=["groups"])  # fmt: skip
    def post(self, request):
        serializer = s.GroupCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = services.group_create(
            company=self.company, name=serializer.validated_data.get("groupName") or ""
        )
        return ApiResponse(s.group_details(group), message="Group created")


class GroupView(PlatformAPIView):
    required_right = "Group.Write"

    @extend_schema(operation_id="groups_delete", responses={200: schema.enveloped("GroupIdEnvelope"), 400: schema.error("Group cannot be deleted in its current state."), 404: schema.error("Group not found."), **schema.AUTH_ERRORS}, tags=["groups"])  # fmt: skip
    def delete(self, request, group_id):
        services.group_delete(company=self.company, group_id=group_id)
        return ApiResponse({"groupId": str(group_id)}, message="Group deleted")


class GroupRemoveRecipientsView(PlatformAPIView):
    required_right = "Group.Write"

    @extend_schema(operation_id="groups_remove_recipients", request=s.RemoveRecipientsSerializer, responses={200: schema.enveloped("RemovedEnvelope"), 400: schema.error("RecipientIds is required."), 404: schema.error("Group not found."), **schema.AUTH_ERRORS}, tags=["groups"])  # fmt: skip
    def post(self, request, group_id):
        serializer = s.RemoveRecipientsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("recipientIds") or []
        removed = services.group_remove_recipients(company=self.company, group_id=group_id, recipient_ids=ids)
        return ApiResponse(
            {"groupId": str(group_id), "removed": removed}, message="Recipients removed from group"
        )


class GroupByNameView(PlatformAPIView):
    required_right = "Group.Read"
    error_messages = {RecipientErrorCode.GROUP_NOT_FOUND: "Group not found"}

    @extend_schema(operation_id="groups_by_name", parameters=[OpenApiParameter("name", str, required=True)], responses={200: schema.enveloped("GroupEnvelope"), 400: schema.error("name is required"), 404: schema.error("Group not found"), **schema.AUTH_ERRORS}, tags=["groups"])  # fmt: skip
    def get(self, request):
        name = request.query_params.get("name", "")
        if not name.strip():
            raise InvalidInput(RecipientErrorCode.GROUP_NAME_PARAMETER_REQUIRED, field="name")
        if "\x00" in name:  # no group name holds one, and PostgreSQL cannot compare one
            raise InvalidInput(RecipientErrorCode.GROUP_NAME_PARAMETER_HAS_NULL, field="name")
        group = selectors.group_by_name(company=self.company, name=name)
        return ApiResponse(s.group_details(group), message="Group details")


class GroupImportErrorsView(PlatformAPIView):
    """The rows an import left out, as CSV (row, reason)."""

    required_right = "Group.Read"

    @extend_schema(operation_id="groups_import_errors", responses={(200, "text/csv"): str, 404: schema.error("Group not found."), **schema.AUTH_ERRORS}, tags=["groups"])  # fmt: skip
    def get(self, request, group_id):
        group = selectors.get_group_for_company(company=self.company, group_id=group_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-errors-{group.pk}.csv"'
        writer = csvsafe.writer(response)  # reasons name users' columns
        writer.writerow(["row", "reason"])
        writer.writerows(selectors.import_errors(company=self.company, group=group))
        return response

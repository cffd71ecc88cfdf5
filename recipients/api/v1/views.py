import uuid

from django.conf import settings
from django.http import HttpResponse

from config import csvsafe
from config.api.v1.pagination import paged, paged_json, paging_params
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PlatformAPIView
from config.errors import InvalidInput
from recipients import importing, selectors, services
from recipients.api.v1 import schema as docs
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

    @docs.recipients_list
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

    @docs.recipients_create
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

    @docs.recipients_details
    def get(self, request, recipient_id):
        recipient = selectors.get_recipient_for_company(company=self.company, recipient_id=recipient_id)
        return ApiResponse(s.recipient_details(recipient), message="Recipient details")

    @docs.recipients_update
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

    @docs.recipients_delete
    def delete(self, request, recipient_id):
        services.recipient_delete(company=self.company, recipient_id=recipient_id)
        return ApiResponse({"recipientId": str(recipient_id)}, message="Recipient deleted")


class RecipientImportView(PlatformAPIView):
    unauthenticated_message = CREDENTIALS
    unexpected_message = "An internal error occurred while processing the file."
    required_right = "Recipient.Import"

    @property
    def max_body_bytes(self):
        return settings.IMPORT_MAX_BODY_BYTES

    @docs.recipients_import
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


class RecipientImportJobView(PlatformAPIView):
    """Beyond the spec: where an import's jobId leads."""

    unauthenticated_message = CREDENTIALS
    required_right = "Group.Read"  # what groups/by-name, the spec's way to follow an import, needs

    @docs.recipients_import_status
    def get(self, request, job_id):
        job = selectors.get_import_job_for_company(company=self.company, job_id=job_id)
        return ApiResponse(s.import_job_details(job), message="Import job details")


class GroupsView(PlatformAPIView):
    def get_required_right(self):
        return "Group.Read" if self.request.method == "GET" else "Group.Write"

    @docs.groups_list
    def get(self, request):
        offset, limit = paging_params(request.query_params)
        page = selectors.group_page(company=self.company, offset=offset, limit=limit)
        return ApiResponse(
            paged(page, [s.group_list_item(g) for g in page.items]),
            message="Groups list retrieved successfully.",
        )

    @docs.groups_create
    def post(self, request):
        serializer = s.GroupCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = services.group_create(
            company=self.company, name=serializer.validated_data.get("groupName") or ""
        )
        return ApiResponse(s.group_details(group), message="Group created")


class GroupView(PlatformAPIView):
    required_right = "Group.Write"

    @docs.groups_delete
    def delete(self, request, group_id):
        services.group_delete(company=self.company, group_id=group_id)
        return ApiResponse({"groupId": str(group_id)}, message="Group deleted")


class GroupRemoveRecipientsView(PlatformAPIView):
    required_right = "Group.Write"

    @docs.groups_remove_recipients
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

    @docs.groups_by_name
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

    @docs.groups_import_errors
    def get(self, request, group_id):
        group = selectors.get_group_for_company(company=self.company, group_id=group_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-errors-{group.pk}.csv"'
        writer = csvsafe.writer(response)  # reasons name users' columns
        writer.writerow(["row", "reason"])
        writer.writerows(selectors.import_errors(company=self.company, group=group))
        return response

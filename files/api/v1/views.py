"""The file library under /api/v1/files. Every path goes through files.paths (called by the
services and selectors); each view words the outcomes as the spec does for its endpoint."""

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header, http_date

from config.api.parsers import body_fields
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PlatformAPIView
from config.errors import InvalidInput, NotFound, PayloadTooLarge, RuleViolation
from files import paths, selectors, services, storage
from files.api.v1 import schema as docs
from files.api.v1 import serializers as s
from files.api.v1.http import RangeNotSatisfiable, UploadSizeLimit, byte_range
from files.errors import FileErrorCode, RenameNamesRequired

UNAUTHORIZED_ACCESS = "Unauthorized access."
# Multipart framing around the file: boundaries, part headers, the FolderPath field.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class FilesView(PlatformAPIView):
    permission_denied_message = UNAUTHORIZED_ACCESS


class FolderContentsView(FilesView):
    required_right = "File.Read"
    error_messages = {InvalidInput: ("Invalid path.", ["Invalid path input"])}

    @docs.folder_contents
    def get(self, request):
        contents = selectors.folder_contents(
            company=self.company, path=request.query_params.get("path"), sort=request.query_params.get("sort")
        )
        data = {
            "files": [s.file_details(e) for e in contents.files],
            "folders": [s.folder_details(e) for e in contents.folders],
        }
        return ApiResponse(data, message="Folder contents")


CREATE_FAILED = ("Failed to create folder", ["Invalid folder input or parent path"])


class FolderCreateView(FilesView):
    required_right = "File.Write"
    error_messages = {InvalidInput: CREATE_FAILED, RuleViolation: CREATE_FAILED}

    @docs.folder_create
    def post(self, request):
        serializer = s.FolderCreateSerializer(data=request.data)
        if not serializer.is_valid():
            raise InvalidInput(FileErrorCode.FOLDER_INPUT_INVALID)
        data = serializer.validated_data
        folder = services.folder_create(
            company=self.company, parent_path=data.get("parentPath"), name=data.get("name")
        )
        return ApiResponse(
            {"Path": paths.display(folder.path), "Name": folder.name}, message="Folder created"
        )


DELETE_FAILED = ("Delete failed", ["Invalid path or target not deletable"])


class EntryDeleteView(FilesView):
    required_right = "File.Delete"
    error_messages = {InvalidInput: DELETE_FAILED, RuleViolation: DELETE_FAILED}

    @docs.delete
    def delete(self, request):
        path = services.entry_delete(company=self.company, path=request.query_params.get("path"))
        return ApiResponse({"Path": paths.display(path)}, message="Deleted")


UPLOAD_FAILED = ("Upload failed", ["Invalid file, path, or duplicate upload"])


class FileUploadView(FilesView):
    required_right = "File.Write"
    error_messages = {
        InvalidInput: UPLOAD_FAILED,
        RuleViolation: UPLOAD_FAILED,
        PayloadTooLarge: ("Uploaded payload exceeds allowed limit", ["Payload too large"]),
    }

    @property
    def max_body_bytes(self):
        return settings.FILES_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES

    @docs.upload
    def post(self, request):
        # Before anything parses the body: a file part longer than the limit stops the parse.
        request.upload_handlers.insert(0, UploadSizeLimit(settings.FILES_MAX_UPLOAD_BYTES, request))
        files = request.FILES
        field = next((name for name in files if name.lower() == "file"), None)
        entry = services.file_upload(
            company=self.company,
            folder_path=body_fields(request.data).get("FolderPath"),
            file=files[field] if field else None,
        )
        return ApiResponse(
            {"FileName": entry.name, "FolderPath": paths.display(entry.folder)}, message="Uploaded"
        )


class FileContentView(FilesView):
    """The file's bytes, streamed from storage (sendfile on local disk), whole or one range."""

    required_right = "File.Read"
    error_messages = {
        FileErrorCode.PATH_REQUIRED: ("Path is required.", ["Invalid path"]),
        InvalidInput: ("Invalid path.", ["Invalid path"]),
    }

    def perform_content_negotiation(self, request, force=False):
        # Success is the file itself, whatever the client accepts; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @docs.content
    def get(self, request):
        entry = selectors.file_at(company=self.company, path=request.query_params.get("path"))
        try:
            wanted = byte_range(request.headers.get("Range"), entry.size)
        except RangeNotSatisfiable:
            response = ApiResponse(
                None, message="Requested range not satisfiable.", status=416, errors=["Range Not Satisfiable"]
            )
            response["Content-Range"] = f"bytes */{entry.size}"
            return response
        if wanted is None:
            local = storage.local_file(entry.storage_key)
            if local is not None:
                response = FileResponse(local, content_type=entry.content_type)
            else:
                response = StreamingHttpResponse(
                    storage.stream(entry.storage_key, 0, entry.size), content_type=entry.content_type
                )
                response["Content-Length"] = str(entry.size)
        else:
            first, last = wanted
            response = StreamingHttpResponse(
                storage.stream(entry.storage_key, first, last - first + 1),
                status=206,
                content_type=entry.content_type,
            )
            response["Content-Length"] = str(last - first + 1)
            response["Content-Range"] = f"bytes {first}-{last}/{entry.size}"
        response["Accept-Ranges"] = "bytes"
        response["Content-Disposition"] = content_disposition_header(True, entry.name)
        response["Last-Modified"] = http_date(entry.modified_at.timestamp())
        return response


class FileSearchView(PlatformAPIView):
    required_right = "File.Read"

    @docs.search
    def get(self, request):
        rows = selectors.search_files(company=self.company, query=request.query_params.get("q"))
        return ApiResponse([s.search_result(row) for row in rows], message="Search results")


RENAME_INVALID = ["Invalid rename request"]


class EntryRenameView(FilesView):
    required_right = "File.Write"
    error_messages = {
        FileErrorCode.INVALID_PATH: ("Invalid path.", RENAME_INVALID),
        FileErrorCode.INVALID_NAME: ("Invalid name.", RENAME_INVALID),
        FileErrorCode.UNSUPPORTED_FILE_TYPE: ("Unsupported file type.", RENAME_INVALID),
        NotFound: ("Item not found.", ["Not found"]),
    }

    @docs.rename
    def post(self, request):
        serializer = s.RenameSerializer(data=request.data)
        if not serializer.is_valid():
            raise RenameNamesRequired()
        data = serializer.validated_data
        folder, old, new = services.entry_rename(
            company=self.company,
            folder_path=data.get("relativePath"),
            old_name=data.get("oldFileName"),
            new_name=data.get("newFileName"),
        )
        return ApiResponse(
            {"RelativePath": paths.display(folder), "OldName": old, "NewName": new}, message="Renamed"
        )

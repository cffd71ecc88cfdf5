"""OpenAPI wording and shapes of the file library endpoints, in the spec's words (and casing,
which differs per endpoint).

Paths and names are judged by one path guard (files.paths); the patterns here say what it
refuses that a pattern can say (separators, characters no file name holds, control characters,
`..`); what it refuses beyond that (look-alike dots, names ending in a dot or a space, more than
255 bytes in UTF-8) is answered 400 and described in words."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from config.api.v1.schema import error, example, ok, operation, query, with_reason
from files import paths

TAG = "files"
# One file or folder name: no separator, no character a file name cannot hold, no control
# character, some text.
# Control, format and private-use characters (Unicode Cc, Cf, Co) of the Basic Multilingual Plane.
_BAD = r"\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ue000-\uf8ff"
_NOT = r'<>:"|?*\\/' + _BAD
NAME = rf"^[^{_NOT}]*[^{_NOT}\s][^{_NOT}]*$"
# A path of names of at most 255 characters, separated by `/`.
_SEGMENT = rf"[^{_NOT}]{{0,255}}"
PATH = rf"^({_SEGMENT}/)*{_SEGMENT}$"
# The guard's limit is on the whole path, `Home/` included, which a path without it gets.
MAX_PATH = paths.MAX_PATH_BYTES - len(paths.HOME) - 1
ALLOWED_EXTENSIONS = ".pdf, .jpg, .jpeg, .png, .gif, .ttf, .otf, .woff, .woff2"


def _name(help_text: str, *, required: bool = True):
    return serializers.RegexField(NAME, max_length=255, required=required, help_text=help_text)


def _path(help_text: str):
    return serializers.RegexField(
        PATH, max_length=MAX_PATH, required=False, allow_null=True, allow_blank=True, help_text=help_text
    )


class FileDetailsSerializer(serializers.Serializer):
    fileName = serializers.CharField()
    relativePath = serializers.CharField()
    extension = serializers.CharField(allow_blank=True)
    sizeInBytes = serializers.IntegerField(min_value=0)
    sizeInMB = serializers.FloatField(min_value=0)
    creationDate = serializers.DateTimeField()
    lastModified = serializers.DateTimeField()


class FolderDetailsSerializer(serializers.Serializer):
    folderName = serializers.CharField()
    relativePath = serializers.CharField()
    creationDate = serializers.DateTimeField()
    sizeInBytes = serializers.IntegerField(min_value=0)
    sizeInMB = serializers.FloatField(min_value=0)


class FolderContentsSerializer(serializers.Serializer):
    files = FileDetailsSerializer(many=True)
    folders = FolderDetailsSerializer(many=True)


class FolderCreateRequestSerializer(serializers.Serializer):
    name = _name("Folder name to create: a single segment (no / or \\), not `.` or `..`.")
    parentPath = _path("Relative parent folder path; default Home. `Home/` is prefixed when missing.")


class FolderCreatedSerializer(serializers.Serializer):
    Path = serializers.CharField()
    Name = serializers.CharField()


class DeletedSerializer(serializers.Serializer):
    Path = serializers.CharField()


class UploadRequestSerializer(serializers.Serializer):
    File = serializers.FileField(help_text=f"File to upload. Allowed extensions: {ALLOWED_EXTENSIONS}.")
    FolderPath = _path("Target folder under Home; default Home. Must start with Home when given.")


class UploadedSerializer(serializers.Serializer):
    FileName = serializers.CharField()
    FolderPath = serializers.CharField()


class SearchResultSerializer(serializers.Serializer):
    FileName = serializers.CharField()
    FullPath = serializers.CharField(help_text="the folder holding the file")
    CreationTime = serializers.CharField(help_text="M/D/YYYY h:mm:ss AM|PM, UTC")
    LastWriteTime = serializers.CharField(help_text="M/D/YYYY h:mm:ss AM|PM, UTC")


class RenameRequestSerializer(serializers.Serializer):
    relativePath = _path("Folder holding the item; default Home.")
    oldFileName = _name("Current file or folder name.")
    newFileName = _name("New name; a file keeps an allowed extension.")


class RenamedSerializer(serializers.Serializer):
    RelativePath = serializers.CharField()
    OldName = serializers.CharField()
    NewName = serializers.CharField()


def _path_query(description: str, *, required: bool = False) -> OpenApiParameter:
    schema = {
        "type": "string",
        "pattern": PATH,
        "maxLength": MAX_PATH,
        **({"minLength": 1} if required else {}),
    }
    return query("path", schema, description, required=required)


folder_contents = operation(
    operation_id="files_folder_contents",
    tag=TAG,
    summary="List a folder",
    description=(
        "Returns the files and subfolders under a selected folder path in the company library. Use "
        "this endpoint to load folder views in file-management flows. Right: File.Read."
    ),
    parameters=[
        _path_query(
            "Relative folder path under Home. If omitted, the endpoint resolves to the default Home folder."
        ),
        query(
            "sort",
            {"type": "string"},
            "Sort mode for contents: `name` (default) or `date`. Any value other than date is treated as name.",
        ),
    ],
    responses={
        200: ok(
            "FolderContentsEnvelope",
            FolderContentsSerializer(),
            example(
                "Folder contents",
                "Folder contents",
                {
                    "files": [
                        {
                            "fileName": "brochure.pdf",
                            "relativePath": "Home/Assets/brochure.pdf",
                            "extension": ".pdf",
                            "sizeInBytes": 245760,
                            "sizeInMB": 0.234375,
                            "creationDate": "2026-02-26T10:12:00Z",
                            "lastModified": "2026-02-26T10:15:00Z",
                        }
                    ],
                    "folders": [
                        {
                            "folderName": "Archive",
                            "relativePath": "Home/Assets/Archive",
                            "creationDate": "2026-01-20T09:00:00Z",
                            "sizeInBytes": 1048576,
                            "sizeInMB": 1.0,
                        }
                    ],
                },
            ),
            description="Folder contents returned successfully.",
        ),
        400: error("Invalid path input.", ("Invalid path.", ["Invalid path input"])),
        404: error("The folder does not exist.", *with_reason(404, "Folder not found.")),
    },
)

folder_create = operation(
    operation_id="files_folder_create",
    tag=TAG,
    summary="Create a folder",
    description=(
        "Creates a folder under Home. `name` must be a single segment (no / or \\), cannot be `.` "
        "or `..`, cannot contain `..`, cannot be rooted, and cannot contain invalid file-name "
        "characters. `parentPath` is relative; if omitted or blank it is Home, and `Home/` is "
        "prefixed when it does not start with Home. Right: File.Write."
    ),
    request=FolderCreateRequestSerializer,
    request_examples={"Folder": {"name": "Invoices", "parentPath": "Home/2026"}},
    responses={
        200: ok(
            "FolderCreatedEnvelope",
            FolderCreatedSerializer(),
            example("Folder created", "Folder created", {"Path": "/Home/2026/Invoices", "Name": "Invoices"}),
            description="Folder created successfully.",
        ),
        400: error(
            "Invalid input: missing/invalid folder name, invalid parent path, parent path does not "
            "exist, folder already exists, or create operation failed.",
            ("Failed to create folder", ["Invalid folder input or parent path"]),
        ),
    },
)

delete = operation(
    operation_id="files_delete",
    tag=TAG,
    summary="Delete a file or folder",
    description=(
        "Deletes a file or folder from the company file library (folder deletion is recursive). "
        "`path` must remain under Home; deleting Home itself is not allowed. Right: File.Delete."
    ),
    parameters=[_path_query("Relative path of the file or folder to delete.", required=True)],
    responses={
        200: ok(
            "DeletedEnvelope",
            DeletedSerializer(),
            example("Deleted", "Deleted", {"Path": "/Home/2026/Invoices"}),
            description="File or folder deleted successfully.",
        ),
        400: error(
            "Invalid request: missing path, deleting Home, invalid target path, or delete failed.",
            ("Delete failed", ["Invalid path or target not deletable"]),
        ),
    },
)

upload = operation(
    operation_id="files_upload",
    tag=TAG,
    summary="Upload a file",
    description=(
        "Uploads a file to the company file library using multipart/form-data: PDF, image, or font "
        f"files ({ALLOWED_EXTENSIONS}) whose content matches their extension, into a target folder "
        "under Home (`FolderPath`, default Home). A name already in the folder is refused. "
        "Right: File.Write."
    ),
    request={"multipart/form-data": UploadRequestSerializer},
    request_examples={"PDF into Home/2026": {"File": "brochure.pdf (file bytes)", "FolderPath": "Home/2026"}},
    responses={
        200: ok(
            "UploadedEnvelope",
            UploadedSerializer(),
            example("Uploaded", "Uploaded", {"FileName": "brochure.pdf", "FolderPath": "/Home/2026"}),
            description="File uploaded successfully.",
        ),
        400: error(
            "Invalid upload request: missing file, unsupported type, invalid folder path, folder "
            "does not exist, duplicate file name, or upload failed.",
            ("Upload failed", ["Invalid file, path, or duplicate upload"]),
        ),
        413: error(
            "Uploaded payload exceeds the configured request size limit.",
            ("Uploaded payload exceeds allowed limit", ["Payload too large"]),
        ),
    },
)

content = operation(
    operation_id="files_content",
    tag=TAG,
    summary="Download a file",
    description=(
        "Downloads a file from the company file library by path, for local download or client-side "
        "rendering. Success is the file itself (no envelope), whole (200) or the single byte range "
        "a `Range` header asks for (206); errors use the envelope. Right: File.Read."
    ),
    parameters=[
        _path_query("Relative file path under Home (for example: Home/2026/brochure.pdf).", required=True),
        OpenApiParameter(
            "Range", str, OpenApiParameter.HEADER, description="One byte range, e.g. bytes=0-1023"
        ),
    ],
    responses={
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY, description="File stream returned successfully (its own Content-Type)."
        ),
        (206, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY,
            description="Partial stream returned for a valid Range header (Content-Range).",
        ),
        400: error(
            "Invalid request (for example: missing path or invalid path format).",
            ("Path is required.", ["Invalid path"]),
            ("Invalid path.", ["Invalid path"]),
        ),
        404: error("File not found at the specified path.", *with_reason(404, "File not found.")),
        416: error(
            "No byte of the file is in the requested range.",
            ("Requested range not satisfiable.", ["Range Not Satisfiable"]),
        ),
    },
)

search = operation(
    operation_id="files_search",
    tag=TAG,
    summary="Search files by name",
    description=(
        "Performs a name-based search across the company file library: files whose name contains "
        "`q` (any case). Use this endpoint to find files by keyword and retrieve basic file "
        "metadata. Right: File.Read."
    ),
    parameters=[
        query(
            "q",
            {
                "type": "string",
                "pattern": rf"^[^{_BAD}]*[^{_BAD}\s][^{_BAD}]*$",
                "maxLength": 255,
            },
            "Search keyword used to match file names.",
            required=True,
        )
    ],
    responses={
        200: ok(
            "SearchResultsEnvelope",
            SearchResultSerializer(many=True),
            example(
                "Search results",
                "Search results",
                [
                    {
                        "FileName": "brochure.pdf",
                        "FullPath": "Home/2026",
                        "CreationTime": "2/27/2026 10:12:00 AM",
                        "LastWriteTime": "2/27/2026 10:15:00 AM",
                    }
                ],
            ),
            description="Search completed successfully (may return an empty list).",
        ),
        400: error(
            "Query parameter is missing or invalid.",
            ("Query required.", ["Missing query parameter q"]),
            ("Invalid query.", ["Invalid query parameter q"]),
        ),
    },
)

rename = operation(
    operation_id="files_rename",
    tag=TAG,
    summary="Rename a file or folder",
    description=(
        "Renames an existing file or folder inside the company file library. `relativePath` is the "
        "folder holding the item (Home when omitted or blank). A file's new name must keep an "
        "allowed extension. Right: File.Write."
    ),
    request=RenameRequestSerializer,
    request_examples={
        "Rename a file": {
            "relativePath": "Home/2026",
            "oldFileName": "brochure.pdf",
            "newFileName": "brochure-final.pdf",
        }
    },
    responses={
        200: ok(
            "RenamedEnvelope",
            RenamedSerializer(),
            example(
                "Renamed",
                "Renamed",
                {"RelativePath": "/Home/2026", "OldName": "brochure.pdf", "NewName": "brochure-final.pdf"},
            ),
            description="Item renamed successfully.",
        ),
        400: error(
            "Invalid request: missing names, path guard failure, or unsupported file type.",
            ("Old and new names are required.", ["Invalid rename request"]),
            ("Invalid path.", ["Invalid rename request"]),
            ("Invalid name.", ["Invalid rename request"]),
            ("Unsupported file type.", ["Invalid rename request"]),
        ),
        404: error("Source file/folder to rename does not exist.", ("Item not found.", ["Not found"])),
        409: error(
            "Target name already exists in the same directory.",
            ("A file with this name already exists.", ["Conflict"]),
        ),
    },
)

"""What the file library refuses: each error carries a code of FileErrorCode. The API surfaces word
it (config/errors_text.py for v1, where the spec gives most endpoints their own 400 message)."""

from enum import StrEnum

from config.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge, RuleViolation


class FileErrorCode(StrEnum):
    INVALID_PATH = "invalid_path"
    PATH_REQUIRED = "path_required"
    PATH_OUTSIDE_HOME = "path_outside_home"
    INVALID_NAME = "invalid_name"
    UNSUPPORTED_FILE_TYPE = "unsupported_file_type"
    CONTENT_MISMATCH = "content_mismatch"
    FILE_REQUIRED = "file_required"
    FOLDER_MISSING = "folder_missing"
    ALREADY_EXISTS = "already_exists"
    NOT_DELETABLE = "not_deletable"
    FOLDER_NOT_FOUND = "folder_not_found"
    FILE_NOT_FOUND = "file_not_found"
    ITEM_NOT_FOUND = "item_not_found"
    NAME_TAKEN = "name_taken"
    RENAME_NAMES_REQUIRED = "rename_names_required"
    UPLOAD_TOO_LARGE = "upload_too_large"
    QUERY_REQUIRED = "query_required"
    INVALID_QUERY = "invalid_query"
    FOLDER_INPUT_INVALID = "folder_input_invalid"


class InvalidPath(InvalidInput):
    """Malformed path input: `.`/`..` segments, control characters, invalid characters, too long."""

    code = FileErrorCode.INVALID_PATH


class PathRequired(InvalidInput):
    code = FileErrorCode.PATH_REQUIRED


class PathOutsideHome(Forbidden):
    """The path names something outside the company's Home (absolute, drive, UNC, home dir)."""

    code = FileErrorCode.PATH_OUTSIDE_HOME


class InvalidName(InvalidInput):
    code = FileErrorCode.INVALID_NAME


class UnsupportedFileType(InvalidInput):
    code = FileErrorCode.UNSUPPORTED_FILE_TYPE


class ContentMismatch(InvalidInput):
    code = FileErrorCode.CONTENT_MISMATCH


class FileRequired(InvalidInput):
    code = FileErrorCode.FILE_REQUIRED


class FolderMissing(RuleViolation):
    """The folder an upload or a new folder goes into does not exist."""

    code = FileErrorCode.FOLDER_MISSING


class AlreadyExists(RuleViolation):
    """Upload or folder create onto a name already taken (400 on those endpoints)."""

    code = FileErrorCode.ALREADY_EXISTS


class NotDeletable(RuleViolation):
    code = FileErrorCode.NOT_DELETABLE


class FolderNotFound(NotFound):
    code = FileErrorCode.FOLDER_NOT_FOUND


class FileNotFound(NotFound):
    code = FileErrorCode.FILE_NOT_FOUND


class ItemNotFound(NotFound):
    code = FileErrorCode.ITEM_NOT_FOUND


class NameTaken(Conflict):
    code = FileErrorCode.NAME_TAKEN


class RenameNamesRequired(InvalidInput):
    code = FileErrorCode.RENAME_NAMES_REQUIRED


class UploadTooLarge(PayloadTooLarge):
    code = FileErrorCode.UPLOAD_TOO_LARGE


class QueryRequired(InvalidInput):
    code = FileErrorCode.QUERY_REQUIRED


class InvalidQuery(InvalidInput):
    code = FileErrorCode.INVALID_QUERY

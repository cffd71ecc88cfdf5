"""What the file library refuses. Each API view words these for its endpoint (the spec gives every
endpoint its own 400 message); the classes fix the status."""

from config.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge, RuleViolation


class InvalidPath(InvalidInput):
    """Malformed path input: `.`/`..` segments, control characters, invalid characters, too long."""

    default_message = "Invalid path."
    default_errors = ["Invalid path input"]


class PathRequired(InvalidInput):
    default_message = "Path is required."
    default_errors = ["Invalid path"]


class PathOutsideHome(Forbidden):
    """The path names something outside the company's Home (absolute, drive, UNC, home dir)."""

    default_message = "Unauthorized access."
    default_errors = ["Forbidden"]


class InvalidName(InvalidInput):
    default_message = "Invalid name."
    default_errors = ["Invalid name"]


class UnsupportedFileType(InvalidInput):
    default_message = "Unsupported file type."
    default_errors = ["Allowed extensions: .pdf, .jpg, .jpeg, .png, .gif, .ttf, .otf, .woff, .woff2"]


class ContentMismatch(InvalidInput):
    default_message = "The file content does not match its extension."
    default_errors = ["Content does not match extension"]


class FileRequired(InvalidInput):
    default_message = "A file is required."
    default_errors = ["Missing file"]


class FolderMissing(RuleViolation):
    """The folder an upload or a new folder goes into does not exist."""

    default_message = "Folder does not exist."
    default_errors = ["Folder does not exist"]


class AlreadyExists(RuleViolation):
    """Upload or folder create onto a name already taken (400 on those endpoints)."""

    default_message = "An item with this name already exists."
    default_errors = ["Duplicate name"]


class NotDeletable(RuleViolation):
    default_message = "Delete failed"
    default_errors = ["Invalid path or target not deletable"]


class FolderNotFound(NotFound):
    default_message = "Folder not found."


class FileNotFound(NotFound):
    default_message = "File not found."


class ItemNotFound(NotFound):
    default_message = "Item not found."


class NameTaken(Conflict):
    default_message = "A file with this name already exists."
    default_errors = ["Conflict"]


class RenameNamesRequired(InvalidInput):
    default_message = "Old and new names are required."
    default_errors = ["Invalid rename request"]


class UploadTooLarge(PayloadTooLarge):
    default_message = "Uploaded payload exceeds allowed limit"
    default_errors = ["Payload too large"]


class QueryRequired(InvalidInput):
    default_message = "Query required."
    default_errors = ["Missing query parameter q"]


class InvalidQuery(InvalidInput):
    default_message = "Invalid query."
    default_errors = ["Invalid query parameter q"]

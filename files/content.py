"""Which files the library takes: the allowed extensions, the content type each is served with,
and the leading bytes its content must have (a `.pdf` that is not a PDF is refused)."""

from dataclasses import dataclass

from files.errors import ContentMismatch, UnsupportedFileType
from files.paths import extension

# How many leading bytes the checks read. PDF readers accept the header within the first 1024.
HEAD_BYTES = 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    signatures: tuple[bytes, ...]
    anywhere_in_head: bool = False  # the signature may follow some junk (PDF), else it leads

    def matches(self, head: bytes) -> bool:
        if self.anywhere_in_head:
            return any(sig in head[:HEAD_BYTES] for sig in self.signatures)
        return head.startswith(self.signatures)


_JPEG = FileType("image/jpeg", (b"\xff\xd8\xff",))
_TRUETYPE = (b"\x00\x01\x00\x00", b"true", b"ttcf")

TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", (b"%PDF-",), anywhere_in_head=True),
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": FileType("image/gif", (b"GIF87a", b"GIF89a")),
    ".ttf": FileType("font/ttf", _TRUETYPE),
    ".otf": FileType("font/otf", (b"OTTO", *_TRUETYPE)),
    ".woff": FileType("font/woff", (b"wOFF",)),
    ".woff2": FileType("font/woff2", (b"wOF2",)),
}


def file_type(name: str) -> FileType:
    """The type a file name's extension allows, or UnsupportedFileType."""
    found = TYPES.get(extension(name))
    if found is None:
        raise UnsupportedFileType()
    return found


def check_content(name: str, head: bytes) -> FileType:
    """The file's type, when `head` (its first HEAD_BYTES) is what the extension promises."""
    kind = file_type(name)
    if not kind.matches(head):
        raise ContentMismatch()
    return kind

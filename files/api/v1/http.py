"""HTTP details of the file endpoints: byte ranges of downloads and the streamed size limit of
uploads."""

import re

from django.core.files.uploadhandler import FileUploadHandler

from files.errors import UploadTooLarge

_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")  # ASCII digits: int() would take others too
# The most digits a byte position can have: 2**63 - 1, past any file, has 19. A longer one (even
# zeros in front) is refused as unsatisfiable rather than converted from thousands of digits.
MAX_POSITION_DIGITS = 19


class RangeNotSatisfiable(Exception):
    pass


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of the single range `header` asks for (`bytes=a-b`, `a-`, `-n`),
    clipped to the file; None for the whole file (no header, several ranges or a malformed one,
    which RFC 9110 lets a server ignore). RangeNotSatisfiable when no byte of the file is in it,
    or when a position is written with more than MAX_POSITION_DIGITS digits."""
    match = _RANGE.fullmatch((header or "").strip())
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if max(len(first), len(last)) > MAX_POSITION_DIGITS:
        raise RangeNotSatisfiable()
    if not first:  # the last n bytes
        count = int(last)
        if count == 0 or size == 0:
            raise RangeNotSatisfiable()
        return max(size - count, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    end = int(last) if last else size - 1
    if start >= size:
        raise RangeNotSatisfiable()
    return start, min(end, size - 1)


class UploadSizeLimit(FileUploadHandler):
    """First of the upload handlers: refuses a file part once it grows past `limit` bytes, so
    a body sent without (or with a false) Content-Length is cut off while it streams."""

    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            raise UploadTooLarge()
        return raw_data

    def file_complete(self, file_size):
        return None

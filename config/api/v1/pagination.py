"""Offset/limit paging of the platform API: {total, offset, limit, hasMore, nextOffset, data}."""

import json
import re

from config.api.v1.responses import RawJSON
from config.errors import CommonErrorCode, InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# The largest OFFSET the databases take: a signed 64-bit integer (PostgreSQL bigint, SQLite).
MAX_OFFSET = 2**63 - 1

# A sign, then ASCII digits: int() would also take "1_000", other scripts' digits and spaces inside.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = len(str(MAX_OFFSET))


class NotAWholeNumber(ValueError):
    pass


def whole_number(raw: str) -> int:
    """A query parameter's whole number; NotAWholeNumber for anything else. A number with more
    significant digits than MAX_OFFSET comes back as +/-(MAX_OFFSET + 1): past every bound, and
    never converted from thousands of digits."""
    text = raw.strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        raise NotAWholeNumber(raw)
    sign = -1 if text[0] == "-" else 1
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > _MAX_DIGITS:
        return sign * (MAX_OFFSET + 1)
    return sign * int(digits or "0")


def _parameter(query, name: str) -> int | None:
    """The whole number `name` carries; None when absent or blank; InvalidInput otherwise."""
    raw = query.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return whole_number(raw)
    except NotAWholeNumber:
        raise InvalidInput(CommonErrorCode.NOT_A_WHOLE_NUMBER, field=name, name=name) from None


def offset_param(query) -> int:
    """The offset of every list: 0 when absent, else a whole number from 0 to MAX_OFFSET."""
    offset = _parameter(query, "offset")
    if offset is None:
        return 0
    if offset < 0:
        raise InvalidInput(CommonErrorCode.OFFSET_NEGATIVE, field="offset")
    if offset > MAX_OFFSET:
        raise InvalidInput(CommonErrorCode.OFFSET_TOO_LARGE, field="offset", maximum=MAX_OFFSET)
    return offset


def paging_params(query) -> tuple[int, int]:
    """offset (default 0) and limit (default 100, at most 1000; larger asks get 1000)."""
    offset = offset_param(query)
    limit = _parameter(query, "limit")
    if limit is None:
        return offset, DEFAULT_LIMIT
    if limit < 0:
        raise InvalidInput(CommonErrorCode.LIMIT_NEGATIVE, field="limit")
    if limit == 0:
        raise InvalidInput(CommonErrorCode.LIMIT_ZERO, field="limit")
    return offset, min(limit, MAX_LIMIT)


def paged(page, items: list) -> dict:
    end = page.offset + len(items)
    has_more = end < page.total
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "hasMore": has_more,
        "nextOffset": end if has_more else None,
        "data": items,
    }


def paged_json(page) -> RawJSON:
    """`paged` for a page whose items are already a JSON array (`page.items_json`, UTF-8 bytes)."""
    end = page.offset + page.count
    has_more = end < page.total
    head = {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "hasMore": has_more,
        "nextOffset": end if has_more else None,
    }
    head_json = json.dumps(head, separators=(",", ":")).encode()
    return RawJSON(b"".join((head_json[:-1], b',"data":', page.items_json, b"}")))


def lenient_paging_params(query, *, default_limit: int = 50, max_limit: int = 200, fallback: int = 100):
    """Paging as the template and campaign lists document it: the offset as every list takes it
    (`offset_param`); limit defaults to `default_limit`, and 0, a negative number or a value over
    `max_limit` gives `fallback`; a limit that is not a whole number is refused (400), as on
    every other list."""
    offset = offset_param(query)
    limit = _parameter(query, "limit")
    if limit is None:
        return offset, default_limit
    return offset, limit if 0 < limit <= max_limit else fallback


def paged_items(page, items: list) -> dict:
    """`paged` with the list under `items` (the template and campaign lists' key)."""
    body = paged(page, items)
    body["items"] = body.pop("data")
    return body

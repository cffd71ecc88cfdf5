"""Offset/limit paging of the platform API: {total, offset, limit, hasMore, nextOffset, data}."""

import json

from config.api.v1.responses import RawJSON
from config.errors import InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _non_negative_int(raw, name: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} must be a whole number.") from exc
    if value < 0:
        raise InvalidInput(f"{name} must be 0 or more.")
    return value


def paging_params(query) -> tuple[int, int]:
    """offset (default 0) and limit (default 100, at most 1000; larger asks get 1000)."""
    offset = _non_negative_int(query.get("offset"), "offset", 0)
    limit = _non_negative_int(query.get("limit"), "limit", DEFAULT_LIMIT)
    if limit == 0:
        raise InvalidInput("limit must be between 1 and 1000.")
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
    """`paged` for a page whose items are already a JSON array (`page.items_json`)."""
    end = page.offset + page.count
    has_more = end < page.total
    head = {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "hasMore": has_more,
        "nextOffset": end if has_more else None,
    }
    return RawJSON(json.dumps(head, separators=(",", ":"))[:-1] + ',"data":' + page.items_json + "}")

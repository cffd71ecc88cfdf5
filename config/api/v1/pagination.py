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
    """Paging as the template and campaign lists document it: offset defaults to 0 (negative or
    not a number -> 0); limit defaults to `default_limit`, and 0, a negative number, a value
    over `max_limit` or not a number gives `fallback`."""
    try:
        offset = max(int(query.get("offset") or 0), 0)
    except (TypeError, ValueError):
        offset = 0
    raw = (query.get("limit") or "").strip()
    if not raw:
        return offset, default_limit
    try:
        limit = int(raw)
    except ValueError:
        return offset, fallback
    return offset, limit if 0 < limit <= max_limit else fallback


def paged_items(page, items: list) -> dict:
    """`paged` with the list under `items` (the template and campaign lists' key)."""
    body = paged(page, items)
    body["items"] = body.pop("data")
    return body

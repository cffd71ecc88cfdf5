"""Page-number paging of the services API: `page_number` (from 1) and `page_size` (10, at most
100) in, `meta.pagination` {total, count, perPage, currentPage, totalPages, links} out, with
absolute links that are null at the edges."""

import math
import re
from dataclasses import dataclass

from config.errors import CommonErrorCode, InvalidInput

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
# Far past any real page, and small enough that (page - 1) * size stays a 64-bit OFFSET.
MAX_PAGE_NUMBER = 10**9

_DIGITS = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _whole(query, name: str, default: int, maximum: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not _DIGITS.fullmatch(text) or not 1 <= int(text) <= maximum:
        raise InvalidInput(
            CommonErrorCode.NUMBER_OUT_OF_RANGE, field=name, name=name, minimum=1, maximum=maximum
        )
    return int(text)


def page_from(query) -> Page:
    return Page(
        number=_whole(query, "page_number", 1, MAX_PAGE_NUMBER),
        size=_whole(query, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )


def pagination_meta(request, page: Page, *, total: int, count: int) -> dict:
    total_pages = max(1, math.ceil(total / page.size))

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page_number"] = str(number)
        query["page_size"] = str(page.size)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "pagination": {
            "total": total,
            "count": count,
            "perPage": page.size,
            "currentPage": page.number,
            "totalPages": total_pages,
            "links": {
                "first": link(1),
                "last": link(total_pages),
                "prev": link(page.number - 1) if 1 < page.number <= total_pages + 1 else None,
                "next": link(page.number + 1) if page.number < total_pages else None,
            },
        }
    }

"""Reads of print templates, always for a company (its own templates and the shared ones)."""

import re
import uuid
from dataclasses import dataclass

from templates.errors import InvalidTemplateFilter, TemplateNotFound
from templates.formats import FORMATS, Format
from templates.models import MessageTemplate, PrintTemplate


@dataclass(frozen=True)
class Page:
    total: int
    offset: int
    limit: int
    items: list


def get_template_for_company(*, company, template_id) -> PrintTemplate:
    """The template by id if the company may use it (its own or shared); TemplateNotFound alike
    for a missing one and another company's."""
    try:
        key = int(str(template_id).strip())
    except (TypeError, ValueError):
        key = None
    found = PrintTemplate.objects.for_company(company).filter(pk=key).first() if key is not None else None
    if found is None:
        raise TemplateNotFound(template_id)
    return found


def _norm(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().casefold()


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(values))


ORIENTATIONS = _distinct(f.orientation for f in FORMATS)
PAGE_SIZES = _distinct(f.page_size for f in FORMATS)
ENVELOPES = sorted({f.envelope for f in FORMATS if f.envelope})
ENVELOPE_ALIASES = {"c5": "C5WIN"}

# filter (query parameter) -> (Format attribute, valid values, key of the list in the 400's data)
FILTERS = {
    "pageOrientation": ("orientation", ORIENTATIONS, "validPageOrientations"),
    "pageSize": ("page_size", PAGE_SIZES, "validPageSizes"),
    "windowGummedCode": ("envelope", ENVELOPES, "validWindowGummedCodes"),
}


def formats_matching(filters: dict[str, str | None]) -> list[Format] | None:
    """The formats the given filters (query values by filter name) allow; None when no filter is
    set. An unknown value raises InvalidTemplateFilter naming the valid ones."""
    chosen = list(FORMATS)
    any_set = False
    for name, (attribute, valid, _) in FILTERS.items():
        raw = (filters.get(name) or "").strip()
        if not raw:
            continue
        any_set = True
        wanted = ENVELOPE_ALIASES.get(_norm(raw)) if name == "windowGummedCode" else None
        canonical = wanted or next((v for v in valid if _norm(v) == _norm(raw)), None)
        if canonical is None:
            raise InvalidTemplateFilter(field=name, value=raw, valid=valid)
        chosen = [f for f in chosen if getattr(f, attribute) == canonical]
    return chosen if any_set else None


def template_page(*, company, offset: int, limit: int, formats: list[Format] | None) -> Page:
    templates = PrintTemplate.objects.for_company(company)
    if formats is not None:
        templates = templates.filter(format_code__in=[f.code for f in formats])
    total = templates.count()
    return Page(total, offset, limit, list(templates.order_by("id")[offset : offset + limit]))


def message_template_for_company(*, company, template_id) -> MessageTemplate | None:
    """The message template (its own or a shared one) by its UUID; None when the company has no
    such template (missing, malformed or another company's)."""
    try:
        key = uuid.UUID(str(template_id).strip())
    except (TypeError, ValueError, AttributeError):
        return None
    return MessageTemplate.objects.for_company(company).filter(pk=key).first()

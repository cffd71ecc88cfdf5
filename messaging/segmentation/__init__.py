"""Segmentation: the services API's SegmentationQuery as one SQL filter over recipients.

A query is a list of groups; each group is a list of rules on a contact field. `parse_query`
checks untrusted input (a dict or a JSON string) into a small frozen tree, `recipient_filter`
turns the tree into a Q over `recipients.Recipient`, `targeted_recipients` applies it to the
members of a company's groups in one query. Limits and names: `parsing`; SQL: `filtering`.

How a query reads (the spec leaves these open; they are decided here):
- Groups combine left to right: `OR` acc | g, `AND` acc & g, `AND NOT` acc & ~g, `OR NOT` acc | ~g.
  The first group's operator is not read (it may be missing).
- A group's rules are joined by its first rule's operator (`AND`/`OR`); every rule of the group
  must name the same one. Operators, fields, conditions and object keys are matched
  case-insensitively.
- A field names a Recipient column where there is one (FIELD_COLUMNS), else a key of
  `custom_fields`. A missing key, JSON null and an empty string all read as empty, so `isnull`
  matches them, `neq`/`notin` include them, and a negated group is plain two-valued logic.
- Text is compared case-insensitively (on SQLite only ASCII letters fold).
- `in`/`notin` take an array of strings; a single string is one value (never split at commas:
  values such as company names hold commas).
- `lt`/`lte`/`gt`/`gte` compare by the value's kind: an ISO date (YYYY-MM-DD) against stored ISO
  dates, a number (up to 15 digits either side of the point) numerically against stored numbers,
  anything else as lower-cased text (in the database's collation order) against non-empty
  stored text. Stored values of another kind never match.
- `ann_in_days` N (0..366): the stored ISO date's month and day fall within today .. today + N
  days, across the year's end too (today in settings.TIME_ZONE unless the caller names the
  day). A Feb 29 date has its anniversary on Feb 28 in a year without Feb 29.
- Refused (InvalidInput, field "query", a code of MessagingErrorCode and `at`, the place in the
  query as `segmentation[0].rules[1].value` with 0-based indices): anything malformed, unknown
  or past the limits (`parsing`: MAX_GROUPS, MAX_RULES, ...). An empty query (None, blank
  text) means no segmentation; an empty `segmentation` or `rules` array is refused.
"""

from messaging.segmentation.filtering import recipient_filter, targeted_recipients
from messaging.segmentation.parsing import (
    CONDITIONS,
    FIELD_COLUMNS,
    FIELDS,
    MAX_DAYS,
    MAX_GROUPS,
    MAX_QUERY_CHARS,
    MAX_RULES,
    MAX_VALUE_ITEMS,
    MAX_VALUE_LENGTH,
    SegmentationGroup,
    SegmentationQuery,
    SegmentationRule,
    parse_query,
)

__all__ = [
    "CONDITIONS",
    "FIELDS",
    "FIELD_COLUMNS",
    "MAX_DAYS",
    "MAX_GROUPS",
    "MAX_QUERY_CHARS",
    "MAX_RULES",
    "MAX_VALUE_ITEMS",
    "MAX_VALUE_LENGTH",
    "SegmentationGroup",
    "SegmentationQuery",
    "SegmentationRule",
    "parse_query",
    "recipient_filter",
    "targeted_recipients",
]

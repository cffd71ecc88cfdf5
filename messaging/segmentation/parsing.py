"""A SegmentationQuery checked from untrusted input (a dict or its JSON text) into a small frozen
tree that writes back as JSON (`as_json`). What is accepted: see the package's docstring."""

import json
import re
from dataclasses import dataclass

from messaging.errors import InvalidInput, MessagingErrorCode

# Limits on one query, so no input can make a statement too large for the database to take.
MAX_GROUPS = 50
MAX_RULES = 200  # in the whole query
MAX_VALUE_ITEMS = 1000  # value strings in the whole query (each item of an `in` array counts)
MAX_VALUE_LENGTH = 500  # characters of one value string
MAX_QUERY_CHARS = 1_000_000  # of a query given as a JSON string
MAX_DAYS = 366

FIELDS = (
    "first_name", "last_name", "second_name", "nick_name", "gender", "birthday", "salutation",
    "title", "language", "nationality", "mobile", "email", "phone", "address", "zip", "city",
    "region", "country", "b_company", "b_mobile", "b_email", "b_phone", "b_reception_code",
    "b_address", "b_zip", "b_city", "b_region", "b_country", "b_job_title", "b_department",
    "column_1", "column_2", "subscription_options_in", "subscription_options_out",
)  # fmt: skip
# Fields kept in a Recipient column; every other field is a key of `custom_fields`.
FIELD_COLUMNS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "title": "title",
    "mobile": "mobile",
    "email": "email",
    "address": "address1",
    "zip": "postcode",
    "city": "city",
    "region": "county",
    "country": "country",
    "b_company": "company_name",
}
CONDITIONS = (
    "eq", "neq", "isnull", "isnotnull", "in", "notin", "startswith", "endswith", "contains",
    "lt", "lte", "gt", "gte", "ann_in_days",
)  # fmt: skip
LIST_CONDITIONS = frozenset({"in", "notin"})
VALUELESS_CONDITIONS = frozenset({"isnull", "isnotnull"})
GROUP_OPERATORS = ("OR", "AND", "AND NOT", "OR NOT")
RULE_OPERATORS = ("AND", "OR")


@dataclass(frozen=True)
class SegmentationRule:
    field: str
    condition: str
    value: str | tuple[str, ...]  # a tuple for in/notin; "" for isnull/isnotnull
    operator: str

    def as_json(self) -> dict:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"field": self.field, "condition": self.condition, "value": value, "operator": self.operator}


@dataclass(frozen=True)
class SegmentationGroup:
    operator: str
    rules: tuple[SegmentationRule, ...]

    def as_json(self) -> dict:
        return {"operator": self.operator, "rules": [rule.as_json() for rule in self.rules]}


@dataclass(frozen=True)
class SegmentationQuery:
    groups: tuple[SegmentationGroup, ...]

    def as_json(self) -> dict:
        return {"segmentation": [group.as_json() for group in self.groups]}


# ---- parsing --------------------------------------------------------------------------------


def _refuse(code: MessagingErrorCode, **params) -> InvalidInput:
    return InvalidInput(code, field="query", **params)


def parse_query(raw) -> SegmentationQuery | None:
    """The checked query of `raw` (a dict, or its JSON text); None for None or blank text.
    Raises InvalidInput(field="query") with a MessagingErrorCode for anything else."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(MessagingErrorCode.SEGMENTATION_INVALID_JSON) from None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        raw = _loads(raw)
    limits = _Budget()
    items = _array(_member(_object(raw, "query"), "segmentation", "query"), "segmentation")
    if not items:
        raise _refuse(MessagingErrorCode.SEGMENTATION_EMPTY, at="segmentation")
    if len(items) > MAX_GROUPS:
        raise _refuse(
            MessagingErrorCode.SEGMENTATION_TOO_LARGE, at="segmentation", limit="groups", maximum=MAX_GROUPS
        )
    groups = tuple(
        _parse_group(item, f"segmentation[{index}]", first=index == 0, limits=limits)
        for index, item in enumerate(items)
    )
    return SegmentationQuery(groups)


def _loads(text: str):
    if len(text) > MAX_QUERY_CHARS:
        raise _refuse(
            MessagingErrorCode.SEGMENTATION_TOO_LARGE, at="query", limit="characters", maximum=MAX_QUERY_CHARS
        )
    try:
        return json.loads(text)
    except RecursionError:
        raise _refuse(MessagingErrorCode.SEGMENTATION_TOO_DEEP) from None
    except ValueError:  # JSONDecodeError, and an integer too long to convert
        raise _refuse(MessagingErrorCode.SEGMENTATION_INVALID_JSON) from None


@dataclass
class _Budget:
    """What the query has used of its limits so far."""

    rules: int = 0
    values: int = 0

    def take_rules(self, count: int, at: str) -> None:
        self.rules += count
        if self.rules > MAX_RULES:
            raise _refuse(MessagingErrorCode.SEGMENTATION_TOO_LARGE, at=at, limit="rules", maximum=MAX_RULES)

    def take_values(self, count: int, at: str) -> None:
        self.values += count
        if self.values > MAX_VALUE_ITEMS:
            raise _refuse(
                MessagingErrorCode.SEGMENTATION_TOO_LARGE, at=at, limit="values", maximum=MAX_VALUE_ITEMS
            )


def _object(value, at: str) -> dict:
    if not isinstance(value, dict):
        raise _refuse(MessagingErrorCode.SEGMENTATION_MALFORMED, at=at, expected="object")
    return value


def _array(value, at: str) -> list:
    if not isinstance(value, list | tuple):
        raise _refuse(MessagingErrorCode.SEGMENTATION_MALFORMED, at=at, expected="array")
    return value


_MISSING = object()


def _member(obj: dict, name: str, at: str, *, required: bool = True):
    """obj's member `name`, its key matched case-insensitively (twice over is malformed)."""
    found = [value for key, value in obj.items() if isinstance(key, str) and key.lower() == name]
    path = f"{at}.{name}" if at != "query" else name
    if len(found) > 1:
        raise _refuse(MessagingErrorCode.SEGMENTATION_MALFORMED, at=path, expected="object")
    if not found:
        if required:
            raise _refuse(MessagingErrorCode.SEGMENTATION_MEMBER_MISSING, at=path)
        return _MISSING
    return found[0]


def _word(value, at: str) -> str:
    """A keyword as written, its spacing collapsed (case is left to the caller)."""
    if not isinstance(value, str):
        raise _refuse(MessagingErrorCode.SEGMENTATION_MALFORMED, at=at, expected="string")
    return " ".join(value.split())


def _parse_group(item, at: str, *, first: bool, limits: _Budget) -> SegmentationGroup:
    group = _object(item, at)
    operator = _member(group, "operator", at, required=not first)
    if first:  # not read: the first group connects to nothing
        written = " ".join(operator.split()).upper() if isinstance(operator, str) else ""
        operator = written if written in GROUP_OPERATORS else "OR"
    else:
        operator = _word(operator, f"{at}.operator").upper()
        if operator not in GROUP_OPERATORS:
            raise _refuse(
                MessagingErrorCode.SEGMENTATION_OPERATOR_UNKNOWN,
                at=f"{at}.operator",
                allowed=", ".join(GROUP_OPERATORS),
            )
    items = _array(_member(group, "rules", at), f"{at}.rules")
    if not items:
        raise _refuse(MessagingErrorCode.SEGMENTATION_EMPTY, at=f"{at}.rules")
    limits.take_rules(len(items), f"{at}.rules")
    rules = tuple(_parse_rule(rule, f"{at}.rules[{index}]", limits) for index, rule in enumerate(items))
    if any(rule.operator != rules[0].operator for rule in rules):
        raise _refuse(MessagingErrorCode.SEGMENTATION_OPERATORS_MIXED, at=f"{at}.rules")
    return SegmentationGroup(operator, rules)


def _parse_rule(item, at: str, limits: _Budget) -> SegmentationRule:
    rule = _object(item, at)
    field = _word(_member(rule, "field", at), f"{at}.field").lower()
    if field not in FIELDS:
        raise _refuse(MessagingErrorCode.SEGMENTATION_FIELD_UNKNOWN, at=f"{at}.field")
    condition = _word(_member(rule, "condition", at), f"{at}.condition").lower()
    if condition not in CONDITIONS:
        raise _refuse(MessagingErrorCode.SEGMENTATION_CONDITION_UNKNOWN, at=f"{at}.condition")
    operator = _word(_member(rule, "operator", at), f"{at}.operator").upper()
    if operator not in RULE_OPERATORS:
        raise _refuse(
            MessagingErrorCode.SEGMENTATION_OPERATOR_UNKNOWN,
            at=f"{at}.operator",
            allowed=", ".join(RULE_OPERATORS),
        )
    if condition in VALUELESS_CONDITIONS:
        return SegmentationRule(field, condition, "", operator)
    value = _member(rule, "value", at)
    if condition in LIST_CONDITIONS:
        value = _parse_values(value, f"{at}.value", limits)
    else:
        limits.take_values(1, f"{at}.value")
        value = _parse_text(value, f"{at}.value")
        if condition == "ann_in_days":
            value = _parse_days(value, f"{at}.value")
    return SegmentationRule(field, condition, value, operator)


def _parse_values(value, at: str, limits: _Budget) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise _refuse(MessagingErrorCode.SEGMENTATION_VALUE_INVALID, at=at, expected="array of strings")
    limits.take_values(len(items), at)
    return tuple(
        _parse_text(item, f"{at}[{index}]", expected="array of strings") for index, item in enumerate(items)
    )


def _parse_text(value, at: str, expected: str = "string") -> str:
    if not isinstance(value, str):
        raise _refuse(MessagingErrorCode.SEGMENTATION_VALUE_INVALID, at=at, expected=expected)
    if len(value) > MAX_VALUE_LENGTH:
        raise _refuse(MessagingErrorCode.SEGMENTATION_VALUE_TOO_LONG, at=at, maximum=MAX_VALUE_LENGTH)
    # NUL and unpaired surrogates: no database stores or compares them as text.
    if "\x00" in value or not _encodes(value):
        raise _refuse(MessagingErrorCode.SEGMENTATION_VALUE_UNSAFE, at=at)
    return value


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_days(value: str, at: str) -> str:
    days = value.strip()
    if not re.fullmatch(r"[0-9]{1,3}", days) or int(days) > MAX_DAYS:
        raise _refuse(MessagingErrorCode.SEGMENTATION_DAYS_INVALID, at=at, minimum=0, maximum=MAX_DAYS)
    return str(int(days))

"""The messages export API's requests read into the domain's terms. Keys are case-insensitive
(config.api.export.parsers). A body that is no JSON object, or a field of the wrong type, is a 400
`Bad request.`; a required field that is absent, null or blank is a 401 `Missing required fields.`
(the spec's). Which campaign and which page exist is the domain's to say
(messaging.selectors, messaging.services.exports)."""

from collections.abc import Mapping

from config.api.export.exceptions import BadRequest, FileNotFound, InvalidExportOption, MissingFields
from messaging.services.exports import ExportType

# file_num: far past any page count, and within a 64-bit integer.
MAX_FILE_NUM_DIGITS = 18
MAX_FILE_NUM = 2**63 - 1
# export_type's spellings beyond the ExportType values themselves.
EXPORT_TYPE_ALIASES = {"utf-8": ExportType.UTF8}


def body_of(data) -> Mapping:
    """The body's fields: an object, or nothing ({}) for an empty body."""
    if not isinstance(data, Mapping):
        raise BadRequest()
    return data


def _missing(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def required(data, *names: str) -> Mapping:
    """The body, once every field `names` lists is there (not absent, null or blank)."""
    data = body_of(data)
    if any(_missing(data.get(name)) for name in names):
        raise MissingFields()
    return data


def campaign_id_of(data: Mapping) -> str | int:
    """The campaign's UUID, or its campaign API v2 ID (a number or a string of digits)."""
    value = data.get("campaign_id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest()
    return value.strip() if isinstance(value, str) else value


def export_type_of(data: Mapping) -> ExportType:
    """utf8, json or url, in any case (`utf-8` too); anything else is an invalid export option."""
    value = data.get("export_type")
    if not isinstance(value, str):
        raise BadRequest()
    name = value.strip().lower()
    if name in EXPORT_TYPE_ALIASES:
        return EXPORT_TYPE_ALIASES[name]
    try:
        return ExportType(name)
    except ValueError as exc:
        raise InvalidExportOption() from exc


def file_num_of(data: Mapping) -> int:
    """A page number from 0: a whole number, or a string of its digits. A number that names no
    page (negative, fractional) or a string that is no number is `File not found.`, as is one
    past the last page (the domain's check)."""
    value = data.get("file_num")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest()
    if isinstance(value, float):
        if not value.is_integer():
            raise FileNotFound()
        value = int(value)
    if isinstance(value, str):
        digits = value.strip()
        if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_FILE_NUM_DIGITS:
            raise FileNotFound()
        value = int(digits)
    if not 0 <= value <= MAX_FILE_NUM:
        raise FileNotFound()
    return value

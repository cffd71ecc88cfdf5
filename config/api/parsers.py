"""Request parsing shared by the API surfaces.

Request keys are accepted case-insensitively (the spec's own examples send both `ApiKey` and
`apiKey`), and a body larger than the view allows is refused with 413 before it is read whole.
JSON is taken strictly, once for every endpoint: no NaN or Infinity, no value nested more than
MAX_JSON_DEPTH levels deep (nothing after the parser has to walk an unbounded depth), and no string
holding a lone surrogate (a UTF-16 half, which no database, file name or UTF-8 output can hold).
"""

import json
import re
from collections.abc import Mapping

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.errors import PayloadTooLarge


class CaseInsensitiveDict(dict):
    """A dict whose lookups ignore the case of string keys; it keeps the keys as sent."""

    def __init__(self, data: Mapping):
        super().__init__(data)
        self._folded = {k.lower(): k for k in data if isinstance(k, str)}

    def _key(self, key):
        return self._folded.get(key.lower(), key) if isinstance(key, str) else key

    def __getitem__(self, key):
        return super().__getitem__(self._key(key))

    def __contains__(self, key):
        return super().__contains__(self._key(key))

    def get(self, key, default=None):
        return super().get(self._key(key), default)


# The spec's bodies nest three or four levels deep; this leaves room for custom fields and the like.
MAX_JSON_DEPTH = 64
TOO_DEEP = f"Malformed JSON: nested more than {MAX_JSON_DEPTH} levels deep."
LONE_SURROGATE = "Malformed JSON: a string holds a lone surrogate, which is not Unicode text."
_SURROGATE = re.compile("[\ud800-\udfff]")


def _unicode_text(text: str) -> bool:
    # isascii() is a flag lookup, so a large Base64 string costs nothing here.
    return text.isascii() or _SURROGATE.search(text) is None


def check_json_value(value) -> None:
    """ParseError when `value` nests deeper than MAX_JSON_DEPTH or holds a lone surrogate in a
    key or a string. Walks with its own stack, so no depth makes it recurse."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not _unicode_text(item):
                raise ParseError(LONE_SURROGATE)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        if isinstance(item, dict):
            for key, child in item.items():
                if not _unicode_text(key):
                    raise ParseError(LONE_SURROGATE)
                stack.append((child, depth + 1))
        else:
            stack.extend((child, depth + 1) for child in item)


def fold_keys(value):
    """Objects as CaseInsensitiveDicts, all the way down (a checked value: its depth is bounded)."""
    if isinstance(value, dict):
        return CaseInsensitiveDict({k: fold_keys(v) for k, v in value.items()})
    if isinstance(value, list):
        return [fold_keys(v) for v in value]
    return value


def body_fields(data) -> Mapping:
    """The named fields of a parsed body: the object or form itself; none ({}) for a JSON array,
    string, number, boolean or null, which name no field (views that read fields one by one,
    rather than through a serializer, read them through this)."""
    return data if isinstance(data, Mapping) else {}


def refuse_oversized_body(request, limit: int | None) -> None:
    """413 from the declared length, before authentication or parsing reads a byte of it."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > (limit or settings.API_MAX_BODY_BYTES):
        raise PayloadTooLarge()


def max_body_bytes(parser_context) -> int:
    view = (parser_context or {}).get("view")
    return getattr(view, "max_body_bytes", None) or settings.API_MAX_BODY_BYTES


def read_limited(stream, parser_context) -> bytes:
    """The body, refused once it is known to exceed the view's limit (a declared length is
    checked earlier, in the view; this catches bodies sent without one)."""
    limit = max_body_bytes(parser_context)
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise PayloadTooLarge()
    return body


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def parse_json_body(stream, parser_context) -> object:
    """The body as checked JSON ({} when empty): within the view's size limit, strict, bounded in
    depth, no lone surrogate."""
    body = read_limited(stream, parser_context)
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant) if body else {}
    except RecursionError as exc:  # the decoder's own limit, far past MAX_JSON_DEPTH
        raise ParseError(TOO_DEEP) from exc
    except ValueError as exc:
        raise ParseError(f"Malformed JSON: {exc}") from exc
    check_json_value(data)
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return fold_keys(parse_json_body(stream, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream, parser_context)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        return CaseInsensitiveDict(QueryDict(body, encoding=encoding).dict())


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(CaseInsensitiveDict(parsed.data.dict()), parsed.files)

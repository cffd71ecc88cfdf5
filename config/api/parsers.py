"""Request parsing shared by the API surfaces.

Request keys are accepted case-insensitively (the spec's own examples send both `ApiKey` and
`apiKey`), and a body larger than the view allows is refused with 413 before it is read whole.
"""

import json
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


def fold_keys(value):
    if isinstance(value, dict):
        return CaseInsensitiveDict({k: fold_keys(v) for k, v in value.items()})
    if isinstance(value, list):
        return [fold_keys(v) for v in value]
    return value


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


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream, parser_context)
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant) if body else {}
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"Malformed JSON: {exc}") from exc
        return fold_keys(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_limited(stream, parser_context)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        return CaseInsensitiveDict(QueryDict(body, encoding=encoding).dict())


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        return parsers.DataAndFiles(CaseInsensitiveDict(parsed.data.dict()), parsed.files)

"""Campaign API v2's bodies: JSON, checked as every surface checks it (config.api.parsers: within
the view's size limit, strict, bounded in depth, no lone surrogate), with the top-level keys read
case-insensitively. Nested objects (a request's clients, up to 100,000) are read by the views with
their keys lower-cased, cheaper than a case-insensitive dict each.

A create's body holds up to 100,000 clients, so the checks after parsing go the short way where
they can: a lone surrogate can only come from a `\\uD800`..`\\uDFFF` escape (UTF-8 text holds
none), so without such an escape in the text only the depth is left to check, on the containers
alone (config.api.parsers.check_json_value walks every value)."""

import json
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.api.parsers import (
    MAX_JSON_DEPTH,
    TOO_DEEP,
    CaseInsensitiveDict,
    check_json_value,
    read_limited,
)

# A \u escape of a surrogate (or a false alarm, "\\ud800", which the full check clears).
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
CONTAINERS = (dict, list)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = parse_json(read_limited(stream, parser_context))
        return CaseInsensitiveDict(data) if isinstance(data, dict) else data


def parse_json(body: bytes) -> object:
    """The body as checked JSON ({} when empty), as config.api.parsers.parse_json_body takes it."""
    try:
        text = body.decode("utf-8")
        data = json.loads(text, parse_constant=_refuse_constant) if text else {}
    except RecursionError as exc:  # the decoder's own limit, far past MAX_JSON_DEPTH
        raise ParseError(TOO_DEEP) from exc
    except ValueError as exc:
        raise ParseError(f"Malformed JSON: {exc}") from exc
    if SURROGATE_ESCAPE.search(text):
        check_json_value(data)
    else:
        check_depth(data)
    return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def check_depth(value) -> None:
    """ParseError when `value` nests deeper than MAX_JSON_DEPTH, found level by level over its
    objects and arrays only."""
    level = [value] if isinstance(value, CONTAINERS) else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        below = []
        add = below.append
        for container in level:
            for child in container.values() if isinstance(container, dict) else container:
                if isinstance(child, CONTAINERS):
                    add(child)
        level = below

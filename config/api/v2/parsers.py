"""Campaign API v2's bodies: JSON, checked as every surface checks it (config.api.parsers), with
the top-level keys read case-insensitively. Nested objects (a request's clients, up to 100,000)
are read by the views with their keys lower-cased, cheaper than a case-insensitive dict each."""

from rest_framework import parsers

from config.api.parsers import CaseInsensitiveDict, parse_json_body


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = parse_json_body(stream, parser_context)
        return CaseInsensitiveDict(data) if isinstance(data, dict) else data

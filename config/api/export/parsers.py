"""The messages export API's bodies: JSON only, checked as every surface checks it
(config.api.parsers: size, strictness, depth), an empty body read as {} and an object's keys
read case-insensitively. Anything but an object is left as parsed, for the views to refuse."""

from rest_framework import parsers

from config.api.parsers import CaseInsensitiveDict, parse_json_body


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = parse_json_body(stream, parser_context)
        return CaseInsensitiveDict(data) if isinstance(data, dict) else data

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# What orjson does not write itself (a Decimal, a lazy translation, ...), as DRF writes it.
_DRF_DEFAULT = JSONEncoder().default


class V2Renderer(JSONRenderer):
    """Plain JSON objects, keys as the spec's structs spell them (views shape them); errors come
    shaped by config.api.v2.exceptions. Written by orjson, the same compact UTF-8 JSON DRF
    writes: a create answers with up to 100,000 clients, which it encodes several times faster."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_DRF_DEFAULT)

from rest_framework.renderers import JSONRenderer


class V2Renderer(JSONRenderer):
    """Plain JSON objects, keys as the spec's structs spell them (views shape them); errors come
    shaped by config.api.v2.exceptions."""

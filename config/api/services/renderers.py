from rest_framework.renderers import JSONRenderer


class ServicesRenderer(JSONRenderer):
    """Plain JSON: views return the spec's shapes ({"data": ...}, {"data": [...], "meta": ...});
    errors come shaped by config.api.services.exceptions."""

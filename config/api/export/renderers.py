from rest_framework.renderers import JSONRenderer


class ExportRenderer(JSONRenderer):
    """Plain JSON: views return {"data": ...} (publish adds its "message"); errors come shaped
    {"message": ...} by config.api.export.exceptions."""

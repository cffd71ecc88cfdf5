from rest_framework.renderers import JSONRenderer

from config.api.v1.responses import envelope


class EnvelopeRenderer(JSONRenderer):
    """Wraps whatever a platform API view returns in {success, message, data, errors}."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            data = envelope(
                success=getattr(response, "success", response.status_code < 400),
                message=getattr(response, "message", ""),
                data=data,
                errors=getattr(response, "errors", None),
            )
        return super().render(data, accepted_media_type, renderer_context)

import json

from rest_framework.renderers import JSONRenderer

from config.api.v1.responses import RawJSON, envelope


class EnvelopeRenderer(JSONRenderer):
    """Wraps whatever a platform API view returns in {success, message, data, errors}."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is None:
            return super().render(data, accepted_media_type, renderer_context)
        wrapped = envelope(
            success=getattr(response, "success", response.status_code < 400),
            message=getattr(response, "message", ""),
            data=data,
            errors=getattr(response, "errors", None),
        )
        if isinstance(data, RawJSON):
            return self._render_with_raw_data(wrapped)
        return super().render(wrapped, accepted_media_type, renderer_context)

    def _render_with_raw_data(self, wrapped: dict) -> bytes:
        """The envelope around data that is already JSON bytes, which go in unchanged."""
        parts = (
            f"{json.dumps(key)}:".encode()
            + (value.content if isinstance(value, RawJSON) else self._dumps(value).encode())
            for key, value in wrapped.items()
        )
        return b"{" + b",".join(parts) + b"}"

    def _dumps(self, value) -> str:
        return json.dumps(value, cls=self.encoder_class, ensure_ascii=self.ensure_ascii, allow_nan=False)

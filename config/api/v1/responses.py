"""The platform API's response: a view returns data and a message; the renderer builds
the envelope {success, message, data, errors}."""

from rest_framework.response import Response


class ApiResponse(Response):
    def __init__(
        self, data=None, *, message: str, status: int = 200, errors=None, success=None, headers=None
    ):
        super().__init__(data, status=status, headers=headers)
        self.message = message
        self.errors = errors
        self.success = (status < 400) if success is None else success


def envelope(*, success: bool, message: str, data=None, errors=None) -> dict:
    return {"success": success, "message": message, "data": data, "errors": errors}


class RawJSON:
    """Response data that is already JSON, as UTF-8 bytes (a page the database encoded): the
    renderer puts it into the envelope as it is, instead of decoding and encoding it again."""

    __slots__ = ("content",)

    def __init__(self, content: bytes):
        self.content = content

"""Campaign API v2's words: the errors its spec documents, and the ones it leaves to us (worded
in its pattern: lower case, `invalid request: <what>` for a bad request)."""

UNAUTHORIZED = "unauthorized"
CAMPAIGN_NOT_FOUND = "campaign not found"
MESSAGE_NOT_FOUND = "message not found"
UPSTREAM_FAILED = "upstream service call failed"
NOT_SCHEDULED = "only scheduled campaigns can be updated (name and SendAt fields only)"
INTERNAL = "internal server error"
INVALID_REQUEST = "invalid request: {what}"
# Not in the spec: worded alike.
NOT_FOUND = "not found"
METHOD_NOT_ALLOWED = "method not allowed"
PAYLOAD_TOO_LARGE = "request body too large"
UNSUPPORTED_MEDIA_TYPE = "unsupported media type"
TOO_MANY_REQUESTS = "too many requests"
FORBIDDEN = "forbidden"


def invalid(what: str) -> str:
    return INVALID_REQUEST.format(what=what)

"""The services API's words: the Error messages its spec documents, and the ones it leaves to us."""

INVALID_REQUEST = "Invalid request."
RESOURCE_NOT_FOUND = "Resource not found."
CAMPAIGN_NOT_FOUND = "Campaign not found."
UNEXPECTED = "Unexpected error."
# Not in the spec (it documents no 401, 405, 413, 415 or 429 answer): worded alike.
UNAUTHORIZED = "Unauthorized."
METHOD_NOT_ALLOWED = "Method not allowed."
PAYLOAD_TOO_LARGE = "Request body too large."
UNSUPPORTED_MEDIA_TYPE = "Unsupported media type."
TOO_MANY_REQUESTS = "Too many requests."

# Error.code: a stable machine word for each kind of answer.
CODES = {
    400: "invalid_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "too_many_requests",
    500: "unexpected_error",
}

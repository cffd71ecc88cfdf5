"""Messages of the platform API envelope that are not tied to one endpoint. Endpoint-specific
messages live with their views; these are the plumbing's."""

UNAUTHENTICATED = "Missing or invalid authentication token"
FORBIDDEN = "Authenticated token is valid, but permission is denied"
VALIDATION_FAILED = "Validation failed"
INVALID_REQUEST = "Invalid request"
NOT_FOUND = "Resource not found."
METHOD_NOT_ALLOWED = "Method not allowed."
UNSUPPORTED_MEDIA_TYPE = "Unsupported content type. Use application/json."
NOT_ACCEPTABLE = "Requested response format is not available."
PAYLOAD_TOO_LARGE = "Request body exceeds allowed limit"
TOO_MANY_REQUESTS = "Too many requests. Retry after the time given in Retry-After."
UNEXPECTED = "An unexpected error occurred."

# The `errors` list of an envelope when no field-level reasons apply, by status.
REASONS = {
    400: "Validation failed",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal server error",
}

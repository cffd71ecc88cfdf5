"""The messages export API's words: the texts its spec documents (its error table, with the
issue's decisions where its two tables disagree), and the ones it leaves to us, worded alike
(a short sentence ending in a full stop)."""

# The spec's.
AUTH_ERROR = "auth error"  # the bearer token: missing, garbage, expired, revoked, no API access
UNAUTHORIZED = "Unauthorized"  # every other header problem (x-auth-context, api_code, x-ip, x-api-key)
MISSING_FIELDS = "Missing required fields."
NOTHING_TO_PUBLISH = "Campaign/details not found."
CAMPAIGN_NOT_FOUND = "Campaign not found."
FILE_NOT_FOUND = "File not found."
INVALID_EXPORT_OPTION = "Invalid export option."
FAILED_TO_PARSE = "Failed to parse."
BAD_REQUEST = "Bad request."
# The (the spec names neither code nor text for the quota).
USAGE_LIMIT_EXCEEDED = "Usage limit exceeded."
# Ours.
PUBLISH_QUEUED = "Messages export queued."
DOWNLOAD_REFUSED = "Download link expired or invalid."
NOT_FOUND = "Not found."
METHOD_NOT_ALLOWED = "Method not allowed."
NOT_ACCEPTABLE = "Not acceptable."
CONFLICT = "Conflict with the current state."
UPSTREAM_FAILED = "Upstream service failed."
PAYLOAD_TOO_LARGE = "Request body too large."
UNSUPPORTED_MEDIA_TYPE = "Unsupported media type: send application/json."
TOO_MANY_REQUESTS = "Too many requests."
INTERNAL = "Internal server error."

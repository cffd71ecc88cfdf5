"""Back office of the message half: message campaigns, client campaigns of campaign API v2 and
their messages (campaigns.py); the messages export API's jobs and monthly usage (exports.py)."""

from messaging.admin import campaigns, exports  # noqa: F401 (their registrations)

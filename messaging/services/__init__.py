"""What callers of messaging use: message campaign writes and the schedule beat."""

from messaging.services.campaigns import (  # noqa: F401
    CampaignFields,
    message_campaign_create,
    message_campaign_delete,
    message_campaign_set_status,
    message_campaign_update,
)

"""Every write about campaigns, by concern: creation (and PDF intake), approval, deletion, the
preview, pricing (cost and voucher), scheduling (and staff decisions on bookings), cancellation
and dispatch.
Status moves go through campaigns.status.transition only. Callers use the names below:
`from campaigns import services; services.campaign_approve(...)`."""

from campaigns.services.approval import campaign_approve
from campaigns.services.cancellation import campaign_cancel
from campaigns.services.creation import CreatedCampaign, PdfSource, PrintCampaignInput, campaign_create
from campaigns.services.deletion import campaign_delete
from campaigns.services.dispatch import (
    DispatchDue,
    campaign_dispatch,
    campaigns_dispatch_due,
    campaigns_dispatch_request,
)
from campaigns.services.preview import (
    campaign_preview_fail,
    campaign_preview_request,
    campaign_render_preview,
)
from campaigns.services.pricing import (
    CampaignCost,
    CostOptions,
    campaign_cost,
    campaign_voucher_apply,
    campaign_voucher_remove,
)
from campaigns.services.scheduling import (
    ACCEPTED,
    PENDING,
    ScheduleResult,
    campaign_order_approve,
    campaign_order_reject,
    campaign_schedule,
)

__all__ = [
    "ACCEPTED",
    "PENDING",
    "CampaignCost",
    "CostOptions",
    "CreatedCampaign",
    "DispatchDue",
    "PdfSource",
    "PrintCampaignInput",
    "ScheduleResult",
    "campaign_approve",
    "campaign_cancel",
    "campaign_cost",
    "campaign_create",
    "campaign_delete",
    "campaign_dispatch",
    "campaign_order_approve",
    "campaign_order_reject",
    "campaign_preview_fail",
    "campaign_preview_request",
    "campaign_render_preview",
    "campaign_schedule",
    "campaign_voucher_apply",
    "campaign_voucher_remove",
    "campaigns_dispatch_due",
    "campaigns_dispatch_request",
]

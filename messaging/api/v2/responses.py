"""Campaign API v2's responses, with the struct names of its spec exactly."""

from datetime import UTC, datetime, timedelta

from config.api.webhook_shapes import rendered_all
from messaging import selectors


def moment(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def campaign_response(client_campaign, state: str, *, company, clients=None) -> dict:
    """CampaignResponse; `clients`: [(account_id, params)], or None (lists carry none)."""
    campaign = client_campaign.campaign
    settings = campaign.message_settings
    return {
        "ID": client_campaign.pk,
        "Name": campaign.name,
        "TemplateName": client_campaign.template_name,
        "Lang": client_campaign.language,
        "CreatedAt": moment(campaign.created_at),
        "UpdatedAt": moment(campaign.updated_at),
        "SendAt": moment(client_campaign.send_at),
        "Status": str(state),
        "AgentID": campaign.created_by_id or 0,
        "Message": client_campaign.message,
        "JSON": client_campaign.json,
        "SentCount": settings.sent_count,
        "DeliveredCount": settings.delivered_count,
        "FailedCount": settings.failed_count,
        "Total": settings.total_messages,
        "Clients": None
        if clients is None
        else [{"AccountID": account_id, "Params": params} for account_id, params in clients],
        "CompanyID": company.number,
        "ReportHeaders": None,
        "TempMsgID": str(client_campaign.template_id) if client_campaign.template_id else "",
        "Error": settings.last_error,
        "SocketKey": "",
    }


def message_item(row: dict) -> dict:
    return {
        "MessageKey": row["message_key"],
        "AccountID": row["address"],
        "Status": row["status"],
        "Error": row["last_error"],
        "Attempts": row["attempts"],
        "Message": row["body"],
        "SentAt": moment(row["sent_at"]),
        "DeliveredAt": moment(row["delivered_at"]),
    }


# ---- webhook events (registered from messaging.apps) -------------------------------------------


def campaign_of(campaign) -> dict:
    """A client campaign (a Campaign of selection `clients`) as CampaignResponse shows it, with
    its state read now (its firing's status: one query) and no clients."""
    client_campaign = campaign.client_campaign
    state = selectors.client_campaign_with_state(client_campaign)
    return campaign_response(client_campaign, state, company=campaign.company)


def status_change(change) -> dict:
    """One move of the campaign's shared status (draft, active, stopped, finished): `Status` of
    the campaign beside it is this API's state, derived from it."""
    return {
        "PreviousStatus": change.from_status or None,
        "NewStatus": change.status,
        "ChangedAt": moment(change.changed_at),
        "Note": change.note or None,
    }


def delivery_summary(summary) -> dict:
    """A client campaign's delivery outcomes in one minute, From (inclusive) to To (exclusive)."""
    return {
        "CampaignID": summary.campaign.client_campaign.pk,
        "From": moment(summary.minute),
        "To": moment(summary.minute + timedelta(minutes=1)),
        "SentCount": summary.sent,
        "DeliveredCount": summary.delivered,
        "FailedCount": summary.failed,
    }


WEBHOOK_SHAPES = rendered_all(
    {
        "client_campaign": campaign_of,
        "client_campaign_status_change": status_change,
        "client_delivery_summary": delivery_summary,
    }
)

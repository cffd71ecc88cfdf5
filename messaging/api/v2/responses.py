"""Campaign API v2's responses, with the struct names of its spec exactly."""

from datetime import UTC, datetime


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

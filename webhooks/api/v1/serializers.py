"""Platform API shapes of webhook endpoints and their deliveries (camelCase keys)."""

from webhooks.errors import WebhookErrorCode, WebhookInvalid

# The request keys each write takes (any casing); others are ignored, as elsewhere in v1.
CREATE_KEYS = ("url", "events", "description", "workspaceId")
UPDATE_KEYS = ("url", "events", "enabled", "description")


def _stamp(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def body_object(data) -> dict:
    """The request's JSON object; an array, a string or a number is refused."""
    if not isinstance(data, dict):
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_BODY_NOT_OBJECT)
    return data


def create_values(data) -> dict:
    body = body_object(data)
    workspace_id = body.get("workspaceId")
    if workspace_id is not None and not isinstance(workspace_id, str):
        raise WebhookInvalid(WebhookErrorCode.WEBHOOK_WORKSPACE_ID_INVALID, field="workspace_id")
    return {
        "url": body.get("url"),
        "events": body.get("events"),
        "description": body.get("description"),
        "workspace_id": workspace_id,
    }


def update_changes(data) -> dict:
    body = body_object(data)
    return {key: body[key] for key in UPDATE_KEYS if key in body}


def endpoint_data(endpoint, *, secret: str | None = None) -> dict:
    data = {
        "id": str(endpoint.pk),
        "url": endpoint.url,
        "events": list(endpoint.events),
        "enabled": endpoint.enabled,
        "description": endpoint.description,
        "workspaceId": str(endpoint.workspace_id) if endpoint.workspace_id else None,
        "disabledReason": endpoint.disabled_reason or None,
        "failingSince": _stamp(endpoint.failing_since),
        "createdAt": _stamp(endpoint.created_at),
        "updatedAt": _stamp(endpoint.updated_at),
    }
    if secret is not None:
        data["secret"] = secret
    return data


def attempt_data(attempt) -> dict:
    return {
        "attemptedAt": _stamp(attempt.attempted_at),
        "statusCode": attempt.status_code,
        "durationMs": attempt.duration_ms,
        "responseExcerpt": attempt.response_excerpt,
        "error": attempt.error or None,
    }


def delivery_data(delivery) -> dict:
    return {
        "id": str(delivery.pk),
        "eventId": delivery.event_id,
        "eventType": delivery.event.type,
        "occurredAt": _stamp(delivery.occurred_at),
        "status": delivery.status,
        "attemptCount": delivery.attempts,
        "nextAttemptAt": _stamp(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "lastStatusCode": delivery.last_status_code,
        "attempts": [attempt_data(attempt) for attempt in delivery.attempt_log.all()],
    }

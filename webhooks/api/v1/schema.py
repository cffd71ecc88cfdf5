"""OpenAPI wording and shapes of /api/v1/webhooks (beyond the spec: its words follow v1's)."""

from rest_framework import serializers

from config.api.v1.schema import (
    OFFSET,
    blank_or,
    error,
    example,
    ok,
    operation,
    paged,
    path_id,
    query,
    with_reason,
)
from config.errors_text import WORDING
from webhooks.events import SUBSCRIBABLE

TAG = "webhooks"
ENDPOINT_ID = "3f1c9a52-6a0e-4a53-9a55-2f8c1d7e4b10"
DELIVERY_ID = "9b2e4f8a-1c3d-4e5f-8a7b-6c5d4e3f2a1b"
EVENT_ID = "evt_5b0f3c2a9d8e4f7a8b6c5d4e3f2a1b09"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
KNOWN = sorted(SUBSCRIBABLE)
VALIDATION = ["Validation failed"]


def _text(code: str, **params) -> str:
    return WORDING[code].message.format(**params)


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.CharField(), help_text='event types, or ["*"]')
    enabled = serializers.BooleanField()
    description = serializers.CharField(allow_blank=True)
    workspaceId = serializers.UUIDField(allow_null=True, help_text="only this workspace's events")
    disabledReason = serializers.CharField(allow_null=True, help_text="why it was switched off")
    failingSince = serializers.DateTimeField(allow_null=True, help_text="failing without a success since")
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class WebhookWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="whsec_ + Base64: shown this once")


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="https (http in DEBUG and the embedded default)")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=["*", *KNOWN]), min_length=1, help_text='or ["*"] for all'
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    workspaceId = serializers.UUIDField(required=False, allow_null=True)


class WebhookUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=["*", *KNOWN]), min_length=1, required=False
    )
    enabled = serializers.BooleanField(required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookDeletedSerializer(serializers.Serializer):
    id = serializers.UUIDField()


class WebhookQueuedSerializer(serializers.Serializer):
    deliveryId = serializers.UUIDField()
    eventId = serializers.CharField()


class WebhookAttemptSerializer(serializers.Serializer):
    attemptedAt = serializers.DateTimeField()
    statusCode = serializers.IntegerField(allow_null=True)
    durationMs = serializers.IntegerField()
    responseExcerpt = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_null=True)


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    eventId = serializers.CharField()
    eventType = serializers.CharField()
    occurredAt = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["pending", "succeeded", "failed"])
    attemptCount = serializers.IntegerField()
    nextAttemptAt = serializers.DateTimeField(allow_null=True)
    lastStatusCode = serializers.IntegerField(allow_null=True)
    attempts = WebhookAttemptSerializer(many=True)


ENDPOINT = {
    "id": ENDPOINT_ID,
    "url": "https://example.com/postroom/webhooks",
    "events": ["campaign.status_changed", "order.paid"],
    "enabled": True,
    "description": "Order system",
    "workspaceId": None,
    "disabledReason": None,
    "failingSince": None,
    "createdAt": "2026-04-01T09:30:00Z",
    "updatedAt": "2026-04-01T09:30:00Z",
}
DELIVERY = {
    "id": DELIVERY_ID,
    "eventId": EVENT_ID,
    "eventType": "order.paid",
    "occurredAt": "2026-04-01T10:00:00Z",
    "status": "succeeded",
    "attemptCount": 2,
    "nextAttemptAt": None,
    "lastStatusCode": 200,
    "attempts": [
        {"attemptedAt": "2026-04-01T10:00:01Z", "statusCode": 500, "durationMs": 84,
         "responseExcerpt": "Internal Server Error", "error": "The receiver answered with status 500."},
        {"attemptedAt": "2026-04-01T10:00:06Z", "statusCode": 200, "durationMs": 41,
         "responseExcerpt": "ok", "error": None},
    ],
}  # fmt: skip
QUEUED = {"deliveryId": DELIVERY_ID, "eventId": EVENT_ID}
ID_PARAMETER = path_id("endpoint_id", "The webhook endpoint's id (from create or the list).")
DELIVERY_PARAMETER = path_id("delivery_id", "A delivery's id (from the endpoint's delivery log).")
LIMIT = query(
    "limit",
    blank_or({"type": "integer", "minimum": 1, "default": 100}),
    "Maximum number of records to return. Default is 100; more than 1000 returns 1000.",
)
NOT_FOUND = error(
    "No endpoint of the caller's company has this id (another company's is not found either).",
    *with_reason(404, _text("webhook_not_found")),
)
RIGHTS = "Right: Webhook.Write."
URL_ERRORS = (
    (_text("webhook_url_required"), VALIDATION),
    (_text("webhook_url_invalid"), VALIDATION),
    (_text("webhook_url_not_https"), VALIDATION),
    (_text("webhook_url_too_long", maximum=2000), VALIDATION),
    (_text("webhook_events_required"), VALIDATION),
    (
        _text("webhook_events_invalid", unknown="order.shipped"),
        [WORDING["webhook_events_invalid"].errors[0].format(known=", ".join(KNOWN))],
    ),
    (_text("webhook_description_invalid", maximum=200), VALIDATION),
    (_text("webhook_body_not_object"), VALIDATION),
)
DISABLED = error(
    "The endpoint is disabled: enable it (PATCH enabled true) first.",
    (_text("webhook_endpoint_disabled"), VALIDATION),
)

webhooks_list = operation(
    operation_id="webhooks_list",
    tag=TAG,
    summary="List webhook endpoints",
    description=(
        "The company's webhook endpoints, oldest first, without their secrets. Right: Webhook.Read."
    ),
    parameters=[OFFSET, LIMIT],
    responses={
        200: ok(
            "WebhookListEnvelope",
            paged("WebhookListData", WebhookEndpointSerializer),
            example(
                "Webhook endpoints",
                "Webhook endpoints",
                {
                    "total": 1,
                    "offset": 0,
                    "limit": 100,
                    "hasMore": False,
                    "nextOffset": None,
                    "data": [ENDPOINT],
                },
            ),
            description="The endpoints.",
        ),
        400: error(
            "offset or limit is not a whole number in range.", ("offset must be 0 or more.", VALIDATION)
        ),
    },
)

webhooks_create = operation(
    operation_id="webhooks_create",
    tag=TAG,
    summary="Create a webhook endpoint",
    description=(
        "Registers a URL that the company's events are posted to, signed the Standard Webhooks way "
        "(headers `webhook-id`, `webhook-timestamp`, `webhook-signature`). `events` lists the event "
        'types wanted, or `["*"]` for all; `workspaceId` limits it to one workspace\'s events. The '
        "answer holds the signing `secret` (`whsec_` + Base64) this once: store it to verify "
        "deliveries. The URL must use https except in DEBUG and the embedded default. " + RIGHTS
    ),
    request=WebhookCreateSerializer(),
    request_examples={
        "Two event types": {
            "url": "https://example.com/postroom/webhooks",
            "events": ["campaign.status_changed", "order.paid"],
            "description": "Order system",
        },
        "Every event": {"url": "https://example.com/postroom/all", "events": ["*"]},
    },
    responses={
        201: ok(
            "WebhookCreatedEnvelope",
            WebhookWithSecretSerializer(),
            example("Webhook endpoint created", "Webhook endpoint created", {**ENDPOINT, "secret": SECRET}),
            description="Created; `secret` is shown this once.",
        ),
        400: error("The URL, the events, the description or the body is not acceptable.", *URL_ERRORS),
        404: error(
            "workspaceId names no workspace of the company.", *with_reason(404, "Workspace not found.")
        ),
    },
)

webhooks_details = operation(
    operation_id="webhooks_details",
    tag=TAG,
    summary="Get a webhook endpoint",
    description="One endpoint, without its secret. Right: Webhook.Read.",
    parameters=[ID_PARAMETER],
    responses={
        200: ok(
            "WebhookDetailsEnvelope",
            WebhookEndpointSerializer(),
            example("Webhook endpoint details", "Webhook endpoint details", ENDPOINT),
            description="The endpoint.",
        ),
        404: NOT_FOUND,
    },
)

webhooks_update = operation(
    operation_id="webhooks_update",
    tag=TAG,
    summary="Update a webhook endpoint",
    description=(
        "Changes the fields given of `url`, `events`, `enabled` and `description`. Enabling an "
        "endpoint that was switched off (after failing for days) sends what waited for it. " + RIGHTS
    ),
    parameters=[ID_PARAMETER],
    request=WebhookUpdateSerializer(),
    request_examples={"Enable again": {"enabled": True}, "Other events": {"events": ["*"]}},
    responses={
        200: ok(
            "WebhookUpdatedEnvelope",
            WebhookEndpointSerializer(),
            example("Webhook endpoint updated", "Webhook endpoint updated", ENDPOINT),
            description="Updated.",
        ),
        400: error(
            "A field given is not acceptable.",
            *URL_ERRORS,
            (_text("webhook_enabled_invalid"), VALIDATION),
        ),
        404: NOT_FOUND,
    },
)

webhooks_delete = operation(
    operation_id="webhooks_delete",
    tag=TAG,
    summary="Delete a webhook endpoint",
    description="Deletes the endpoint with its deliveries and their log. " + RIGHTS,
    parameters=[ID_PARAMETER],
    responses={
        200: ok(
            "WebhookDeletedEnvelope",
            WebhookDeletedSerializer(),
            example("Webhook endpoint deleted", "Webhook endpoint deleted", {"id": ENDPOINT_ID}),
            description="Deleted.",
        ),
        404: NOT_FOUND,
    },
)

webhooks_rotate_secret = operation(
    operation_id="webhooks_rotate_secret",
    tag=TAG,
    summary="Rotate a webhook endpoint's secret",
    description=(
        "Gives the endpoint a new signing secret, shown this once. Deliveries are signed with it "
        "from now on: signatures made with the old secret stop verifying at once. " + RIGHTS
    ),
    parameters=[ID_PARAMETER],
    responses={
        200: ok(
            "WebhookSecretRotatedEnvelope",
            WebhookWithSecretSerializer(),
            example("Webhook secret rotated", "Webhook secret rotated", {**ENDPOINT, "secret": SECRET}),
            description="The new secret, this once.",
        ),
        404: NOT_FOUND,
    },
)

webhooks_test = operation(
    operation_id="webhooks_test",
    tag=TAG,
    summary="Send a test event",
    description=(
        "Posts a `webhook.test` event to this endpoint only (whatever types it wants); its delivery "
        "shows in the endpoint's delivery log. " + RIGHTS
    ),
    parameters=[ID_PARAMETER],
    responses={
        202: ok(
            "WebhookTestQueuedEnvelope",
            WebhookQueuedSerializer(),
            example("Test event queued", "Test event queued", QUEUED),
            description="Queued for delivery.",
        ),
        400: DISABLED,
        404: NOT_FOUND,
    },
)

webhooks_deliveries = operation(
    operation_id="webhooks_deliveries",
    tag=TAG,
    summary="List an endpoint's deliveries",
    description=(
        "The endpoint's deliveries, newest first, each with every attempt: when, the status code "
        "the receiver answered, how long it took, an excerpt of its answer, or why the attempt "
        "failed without one (refused address, timeout, certificate). Right: Webhook.Read."
    ),
    parameters=[ID_PARAMETER, OFFSET, LIMIT],
    responses={
        200: ok(
            "WebhookDeliveriesEnvelope",
            paged("WebhookDeliveriesData", WebhookDeliverySerializer),
            example(
                "Webhook deliveries",
                "Webhook deliveries",
                {
                    "total": 1,
                    "offset": 0,
                    "limit": 100,
                    "hasMore": False,
                    "nextOffset": None,
                    "data": [DELIVERY],
                },
            ),
            description="The deliveries.",
        ),
        400: error(
            "offset or limit is not a whole number in range.", ("offset must be 0 or more.", VALIDATION)
        ),
        404: NOT_FOUND,
    },
)

webhooks_replay = operation(
    operation_id="webhooks_replay",
    tag=TAG,
    summary="Replay a delivery",
    description=(
        "Sends a delivery again now, with a new retry schedule; its earlier attempts stay in the "
        "log. It keeps its event's `webhook-id`, so a receiver that already processed it may "
        "ignore it. " + RIGHTS
    ),
    parameters=[ID_PARAMETER, DELIVERY_PARAMETER],
    responses={
        202: ok(
            "WebhookReplayQueuedEnvelope",
            WebhookQueuedSerializer(),
            example("Delivery queued again", "Delivery queued again", QUEUED),
            description="Queued for delivery.",
        ),
        400: DISABLED,
        404: error(
            "No such endpoint, or no such delivery of it, in the caller's company.",
            *with_reason(404, _text("webhook_not_found"), _text("webhook_delivery_not_found")),
        ),
    },
)

"""OpenAPI wording and shapes of /v2/campaign/ (create, getAll, getCampMsgs, resendMsg, update,
delete), in the words of the campaign API v2 spec.

The views read their bodies by hand (messaging.api.v2.requests), so the serializers here only
describe them: the spec's request structs with the keys spelled as its examples spell them (keys
are read case-insensitively), and its answers with the struct names exactly (`responses.py`
writes them; tests/config/test_openapi.py checks its real answers against these shapes). The
components carry a `V2` prefix: the services API has a CampaignResponse of its own."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.schema import operation, query
from config.api.v2 import messages
from config.api.v2.errors import FIELD_NAMES
from config.api.v2.schema import error, example, ok, said
from messaging.api.v2.requests import MAX_ID, MAX_KEY_CHARS, MAX_RESULT_SIZE
from messaging.errors import ClientCampaignErrorCode as Code
from messaging.models import Message
from messaging.selectors import ClientCampaignState
from messaging.services.clients import (
    ACCOUNT_ID,
    MAX_CLIENTS,
    MAX_JSON_CHARS,
    MAX_MESSAGE_CHARS,
    MAX_NAME_CHARS,
    MAX_PARAM_CHARS,
    MAX_PARAMS,
    MIN_CLIENTS,
)

TAG = "campaign v2"
TEMPLATE_ID = "c8630dcb-dc36-4968-8ca4-26a78893c1e6"
MESSAGE_KEY = "C030200170205C476A3B882B2702FF"
SEND_AT_TEXT = (
    "When to send: ISO 8601 with an offset (`2025-03-03T14:32:25+03:00`, `...Z`). Absent, empty "
    "or past: at once; else once, at that time."
)
CAMPAIGN_ID = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}


def invalid(field: str) -> str:
    """`invalid request: <field>`, the field in the spec's spelling."""
    return messages.invalid(FIELD_NAMES.get(field, field))


# ---- request bodies ------------------------------------------------------------------------------


class V2CampaignClientSerializer(serializers.Serializer):
    """CampaignClient, as a create request sends it."""

    accountID = serializers.RegexField(
        f"^{ACCOUNT_ID.pattern}$",
        help_text="The client's number, E.164 (the `+` is optional; a JSON number is taken too).",
    )
    params = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_PARAM_CHARS),
        max_length=MAX_PARAMS,
        required=False,
        help_text="The values of the `{{1}}`..`{{n}}` variables, in order (numbers are turned into "
        "text). Extra params are ignored.",
    )


class V2CreateCampaignSerializer(serializers.Serializer):
    """CreateCampaignRequest. Keys are read case-insensitively (`Name`, `name`, `NAME`)."""

    name = serializers.CharField(max_length=MAX_NAME_CHARS, help_text="The campaign's name.")
    message = serializers.CharField(
        max_length=MAX_MESSAGE_CHARS,
        required=False,
        allow_blank=True,
        help_text="The message text, with `{{n}}` variables. Empty: the template's BODY text.",
    )
    clients = serializers.ListField(
        child=V2CampaignClientSerializer(),
        min_length=MIN_CLIENTS,
        max_length=MAX_CLIENTS,
        help_text=f"The clients, {MIN_CLIENTS} to {MAX_CLIENTS:,}; each gets one message.",
    )
    JSON = serializers.CharField(
        max_length=MAX_JSON_CHARS,
        required=False,
        allow_blank=True,
        help_text="The JSON message as a string (a JSON object; `<accountID>` is replaced by each "
        "client's number, `{{n}}` by its params). Empty: the template's JSON.",
    )
    TempMsgID = serializers.UUIDField(
        required=False,
        help_text="The message template to use: its BODY and JSON fill an empty message and JSON.",
    )
    SendAt = serializers.DateTimeField(required=False, help_text=SEND_AT_TEXT)


class V2UpdateCampaignSerializer(serializers.Serializer):
    """UpdateCampaignRequest. Other keys are ignored."""

    id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The campaign's ID.")
    name = serializers.CharField(
        max_length=MAX_NAME_CHARS,
        required=False,
        allow_blank=True,
        help_text="A new name; absent or empty: unchanged.",
    )
    SendAt = serializers.DateTimeField(
        required=False, help_text="A new send time (a past one sends at once); absent: unchanged."
    )


class V2DeleteCampaignSerializer(serializers.Serializer):
    """DeleteCampaignRequest (or no body, with `?id=`)."""

    id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="The campaign's ID, unless `?id=` gives it."
    )


class V2ResendCampaignMessageSerializer(serializers.Serializer):
    """ResendCampaignMessageRequest."""

    messageKey = serializers.CharField(
        max_length=MAX_KEY_CHARS, help_text="The MessageKey of a failed message (any case)."
    )


# ---- answers ---------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "anyOf": [{"format": "uuid"}, {"maxLength": 0}]})
class TemplateIdField(serializers.CharField):
    """A template's UUID, or empty."""


class V2CampaignClientAnswerSerializer(serializers.Serializer):
    AccountID = serializers.CharField(help_text="The client's number, E.164 with its `+`.")
    Params = serializers.ListField(child=serializers.CharField(allow_blank=True))

    class Meta:
        ref_name = "V2CampaignClient"


class V2CampaignResponseSerializer(serializers.Serializer):
    """The spec's CampaignResponse."""

    ID = serializers.IntegerField(help_text="The campaign's ID.")
    Name = serializers.CharField()
    TemplateName = serializers.CharField(
        allow_blank=True, help_text="The template's name when the campaign was made; empty without one."
    )
    Lang = serializers.CharField(allow_blank=True, help_text="The template's language; empty without one.")
    CreatedAt = serializers.DateTimeField(help_text="UTC, RFC 3339.")
    UpdatedAt = serializers.DateTimeField(help_text="UTC, RFC 3339.")
    SendAt = serializers.DateTimeField(help_text="When it sends (or sent), UTC.")
    Status = serializers.ChoiceField(
        choices=list(ClientCampaignState),
        help_text="`scheduled` until its send time, then `sending`, then `completed` once every "
        "message is sent or failed; `stopped`; `deleted` in the answer of delete.",
    )
    AgentID = serializers.IntegerField(help_text="The user of the API key that made it.")
    Message = serializers.CharField(allow_blank=True, help_text="The message text, with `{{n}}` variables.")
    JSON = serializers.CharField(
        allow_blank=True, help_text="The JSON message as a string, with `<accountID>` and `{{n}}`."
    )
    SentCount = serializers.IntegerField(min_value=0, help_text="Messages sent (delivered ones included).")
    DeliveredCount = serializers.IntegerField(min_value=0, help_text="Messages delivered.")
    FailedCount = serializers.IntegerField(min_value=0, help_text="Messages failed.")
    Total = serializers.IntegerField(min_value=0, help_text="Messages written.")
    Clients = V2CampaignClientAnswerSerializer(
        many=True, allow_null=True, help_text="The clients in order; null in getAll."
    )
    CompanyID = serializers.IntegerField(help_text="The company's number.")
    ReportHeaders = serializers.JSONField(allow_null=True, help_text="Always null (no report channel).")
    TempMsgID = TemplateIdField(allow_blank=True, help_text="The template's UUID; empty without one.")
    Error = serializers.CharField(allow_blank=True, help_text="The last failure's reason; empty if none.")
    SocketKey = serializers.CharField(allow_blank=True, help_text="Always empty.")


class V2CampaignListSerializer(serializers.Serializer):
    Campaigns = V2CampaignResponseSerializer(many=True, help_text="Newest first.")
    Total = serializers.IntegerField(min_value=0, help_text="How many campaigns the company has.")


class V2CampaignMessageSerializer(serializers.Serializer):
    MessageKey = serializers.CharField(help_text="The message's key (resendMsg takes it).")
    AccountID = serializers.CharField(help_text="The client's number.")
    Status = serializers.ChoiceField(choices=list(Message.Status.values))
    Error = serializers.CharField(allow_blank=True, help_text="Why it failed; empty if it did not.")
    Attempts = serializers.IntegerField(min_value=0, help_text="Sends tried.")
    Message = serializers.CharField(allow_blank=True, help_text="The text sent, its variables filled.")
    SentAt = serializers.DateTimeField(allow_null=True)
    DeliveredAt = serializers.DateTimeField(allow_null=True)


class V2CampaignMessagesSerializer(serializers.Serializer):
    CampaignID = serializers.IntegerField()
    Messages = V2CampaignMessageSerializer(many=True, help_text="In client order.")
    Total = serializers.IntegerField(min_value=0, help_text="How many messages the campaign has.")


class V2ResendCampaignMessageAnswerSerializer(serializers.Serializer):
    MessageKey = serializers.CharField()
    Status = serializers.ChoiceField(choices=[Message.Status.SENT.value])

    class Meta:
        ref_name = "V2ResendCampaignMessageResponse"


# ---- examples -----------------------------------------------------------------------------------

# The spec's examples, with a second client (its rule table asks for two) and example 4's JSON,
# which the spec elides (`...`), written out as example 2's.
ORDER_JSON = (
    '{ "to": "<accountID>", "type": "template", "template": { "namespace": "<namespace>", '
    '"language": { "policy": "deterministic", "code": "en_US" }, "name": "order_confirmation", '
    '"components": [] } }'
)
CLIENTS = [
    {"accountID": "+966539078942", "params": ["John", "ORD-12345"]},
    {"accountID": "+966539078943", "params": ["Jane", "ORD-12346"]},
]
ONLY_TEMPLATE = {
    "name": "Order Confirmation Campaign",
    "clients": CLIENTS,
    "TempMsgID": TEMPLATE_ID,
    "SendAt": "2025-03-03T14:32:25+03:00",
}
TEMPLATE_AND_JSON = {**ONLY_TEMPLATE, "JSON": ORDER_JSON}
TEMPLATE_JSON_AND_MESSAGE = {
    **TEMPLATE_AND_JSON,
    "message": "Thank you for your order, John! Your order number is ORD-12345.",
}
ALL_FIELDS = {
    "name": "Welcome Back Campaign",
    "message": "We are happy to see you back again.",
    "clients": [
        {"accountID": "+966539078942", "params": ["https://example.com/image1.png", ""]},
        {"accountID": "+966539078943", "params": ["https://example.com/image2.png", ""]},
    ],
    "JSON": ORDER_JSON,
    "TempMsgID": TEMPLATE_ID,
    "SendAt": "2025-03-03T14:32:25+03:00",
}
DELETE = {"id": 385}
UPDATE = {"id": 387, "name": "test22", "SendAt": "2025-03-04T11:31:25.000Z"}
RESEND = {"messageKey": MESSAGE_KEY}

CAMPAIGN = {
    "ID": 385,
    "Name": "Order Confirmation Campaign",
    "TemplateName": "order_confirmation",
    "Lang": "en_US",
    "CreatedAt": "2025-03-01T08:00:00Z",
    "UpdatedAt": "2025-03-01T08:00:00Z",
    "SendAt": "2025-03-03T11:32:25Z",
    "Status": "scheduled",
    "AgentID": 42,
    "Message": "Hello {{1}}, your order {{2}} is confirmed.",
    "JSON": ORDER_JSON,
    "SentCount": 0,
    "DeliveredCount": 0,
    "FailedCount": 0,
    "Total": 0,
    "Clients": [{"AccountID": c["accountID"], "Params": c["params"]} for c in CLIENTS],
    "CompanyID": 1001,
    "ReportHeaders": None,
    "TempMsgID": TEMPLATE_ID,
    "Error": "",
    "SocketKey": "",
}
COMPLETED = {
    **CAMPAIGN,
    "ID": 384,
    "Name": "Spring sale",
    "Status": "completed",
    "SentCount": 2,
    "DeliveredCount": 1,
    "FailedCount": 1,
    "Total": 3,
    "Error": "gateway answered 400",
    "Clients": None,
}
UPDATED = {
    **CAMPAIGN,
    "ID": 387,
    "Name": "test22",
    "SendAt": "2025-03-04T11:31:25Z",
    "UpdatedAt": "2025-03-02T10:00:00Z",
}
DELETED = {**CAMPAIGN, "Status": "deleted"}
DELIVERED_MESSAGE = {
    "MessageKey": MESSAGE_KEY,
    "AccountID": "+966539078942",
    "Status": "delivered",
    "Error": "",
    "Attempts": 1,
    "Message": "Hello John, your order ORD-12345 is confirmed.",
    "SentAt": "2025-03-03T11:32:27Z",
    "DeliveredAt": "2025-03-03T11:32:31Z",
}
FAILED_MESSAGE = {
    "MessageKey": "C030200170205C476A3B882B2702FE",
    "AccountID": "+966539078943",
    "Status": "failed",
    "Error": "gateway answered 400",
    "Attempts": 1,
    "Message": "Hello Jane, your order ORD-12346 is confirmed.",
    "SentAt": None,
    "DeliveredAt": None,
}

# ---- parameters and outcomes shared by the operations ------------------------------------------

RESULT_SIZE = query(
    "resultSize",
    {"type": "integer", "minimum": 1, "maximum": MAX_RESULT_SIZE, "default": MAX_RESULT_SIZE},
    f"How many to return: 1 to {MAX_RESULT_SIZE} (default {MAX_RESULT_SIZE}).",
)
CAMPAIGN_NOT_FOUND = error(
    404,
    "No such campaign for this key (another company's, or a deleted one, is answered alike).",
    messages.CAMPAIGN_NOT_FOUND,
)
MALFORMED_JSON = messages.invalid("malformed JSON")
BAD_BODY = (invalid("body"), MALFORMED_JSON)  # not a JSON object


# ---- the operations ----------------------------------------------------------------------------

campaign_create = operation(
    operation_id="v2_campaign_create",
    tag=TAG,
    summary="Create Campaign",
    description=(
        "Creates a WhatsApp campaign that sends each client one message, at once or at `SendAt`. "
        "With `TempMsgID`, the template's BODY text fills an empty `message` and its JSON an "
        "empty `JSON`; a given one overrides the template's. `<accountID>` in the JSON is "
        "replaced by each client's number, `{{n}}` in the message and the JSON by its params.\n\n"
        f"The rules are checked in this order: name; at least {MIN_CLIENTS} clients (at most "
        f"{MAX_CLIENTS:,}); the template, when given; JSON or TempMsgID; the JSON, an object; the "
        "first client's params for the JSON's variables; every client's params for the "
        "template's variables; each accountID."
    ),
    request=V2CreateCampaignSerializer,
    request_examples={
        "1. Only TempMsgID (BODY and JSON from the template)": ONLY_TEMPLATE,
        "2. TempMsgID and JSON (the JSON overrides the template's)": TEMPLATE_AND_JSON,
        "3. TempMsgID, JSON and message (both override the template's)": TEMPLATE_JSON_AND_MESSAGE,
        "4. All fields (used as given)": ALL_FIELDS,
    },
    responses={
        200: ok(
            V2CampaignResponseSerializer,
            example("Scheduled from a template", CAMPAIGN),
            description="The new campaign, with its clients.",
        ),
        400: error(
            400,
            "The request is refused: the spec's rules, in the order checked, then a field of the "
            "wrong type or form (`invalid request: <field>`).",
            said(Code.NAME_REQUIRED),
            said(Code.TOO_FEW_CLIENTS),
            said(Code.TOO_MANY_CLIENTS),
            said(Code.MESSAGE_TEMPLATE_NOT_FOUND),
            said(Code.CONTENT_REQUIRED),
            said(Code.JSON_NOT_AN_OBJECT),
            said(Code.JSON_PARAMS_MISSING),
            said(Code.TEMPLATE_PARAMS_MISSING),
            said(Code.ACCOUNT_ID_INVALID),
            invalid("name"),
            invalid("clients"),
            invalid("params"),
            invalid("template_id"),
            invalid("send_at"),
            invalid("message"),
            *BAD_BODY,
        ),
    },
)

campaign_get_all = operation(
    operation_id="v2_campaign_get_all",
    tag=TAG,
    summary="Get All Campaigns",
    description=(
        "The company's campaigns, newest first, at most `resultSize` of them; `Total` counts all. "
        "`Clients` is null in the list."
    ),
    parameters=[RESULT_SIZE],
    responses={
        200: ok(
            V2CampaignListSerializer,
            example("Two campaigns", {"Campaigns": [{**CAMPAIGN, "Clients": None}, COMPLETED], "Total": 2}),
            example("No campaign", {"Campaigns": [], "Total": 0}),
            description="The campaigns.",
        ),
        400: error(
            400, f"`resultSize` is not an integer from 1 to {MAX_RESULT_SIZE}.", invalid("resultSize")
        ),
    },
)

campaign_messages = operation(
    operation_id="v2_campaign_messages",
    tag=TAG,
    summary="Get Campaign Messages",
    description=("A campaign's messages in client order, at most `resultSize` of them; `Total` counts all."),
    parameters=[
        query("campaignID", CAMPAIGN_ID, "The campaign's ID.", required=True),
        RESULT_SIZE,
    ],
    responses={
        200: ok(
            V2CampaignMessagesSerializer,
            example(
                "A delivered and a failed message",
                {"CampaignID": 385, "Messages": [DELIVERED_MESSAGE, FAILED_MESSAGE], "Total": 2},
            ),
            example("Not sent yet", {"CampaignID": 387, "Messages": [], "Total": 0}),
            description="The campaign's messages.",
        ),
        400: error(
            400,
            "`campaignID` is missing or not a positive integer, or `resultSize` is not an integer "
            f"from 1 to {MAX_RESULT_SIZE}.",
            invalid("campaignID"),
            invalid("resultSize"),
        ),
        404: CAMPAIGN_NOT_FOUND,
    },
)

campaign_resend = operation(
    operation_id="v2_campaign_resend",
    tag=TAG,
    summary="Resend Failed Message",
    description=(
        "Sends a failed message again, at once, through its channel; the answer waits for the "
        "provider (a short timeout). The attempt is recorded either way."
    ),
    request=V2ResendCampaignMessageSerializer,
    request_examples={"Resend a failed message": RESEND},
    responses={
        200: ok(
            V2ResendCampaignMessageAnswerSerializer,
            example("Sent", {"MessageKey": MESSAGE_KEY, "Status": "sent"}),
            description="The message is sent.",
        ),
        400: error(
            400,
            "The message has not failed, or `messageKey` is missing.",
            said(Code.ONLY_FAILED_RESENDABLE),
            invalid("message_key"),
            *BAD_BODY,
        ),
        404: error(
            404,
            "No such message for this key (another company's is answered alike).",
            said(Code.MESSAGE_NOT_FOUND),
        ),
        502: error(
            502,
            "The provider refused the message or did not answer in time; it stays failed.",
            said(Code.UPSTREAM_FAILED),
        ),
    },
)

campaign_update = operation(
    operation_id="v2_campaign_update",
    tag=TAG,
    summary="Update Scheduled Campaign",
    description=(
        "Renames a campaign that has not sent yet (Status `scheduled`) or moves its send time (a "
        "past one sends it at once). Only `name` and `SendAt` change; other keys are ignored. "
        "Any other campaign is refused and nothing changes."
    ),
    request=V2UpdateCampaignSerializer,
    request_examples={"Rename and move": UPDATE},
    responses={
        200: ok(V2CampaignResponseSerializer, example("Updated", UPDATED), description="The campaign."),
        400: error(
            400,
            "The campaign is no longer scheduled, or a field is of the wrong type or form.",
            said(Code.NOT_SCHEDULED),
            invalid("id"),
            invalid("name"),
            invalid("send_at"),
            *BAD_BODY,
        ),
        404: CAMPAIGN_NOT_FOUND,
    },
)

campaign_delete = operation(
    operation_id="v2_campaign_delete",
    tag=TAG,
    summary="Delete Campaign",
    description=(
        "Deletes a campaign, by the `id` of the body or of the query: what it has not sent yet is "
        "never sent. The answer is the campaign as it was, with Status `deleted`; it is gone after."
    ),
    parameters=[query("id", CAMPAIGN_ID, "The campaign's ID, instead of the body's.")],
    request=V2DeleteCampaignSerializer,
    request_examples={"Delete by ID": DELETE},
    responses={
        200: ok(
            V2CampaignResponseSerializer, example("Deleted", DELETED), description="The deleted campaign."
        ),
        400: error(400, "`id` is missing or not a positive integer.", invalid("id"), *BAD_BODY),
        404: CAMPAIGN_NOT_FOUND,
    },
)

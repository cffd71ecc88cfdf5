"""OpenAPI wording of the balance endpoint, in the spec's words."""

from billing.api.v1.serializers import BalanceSerializer
from config.api.v1.schema import example, ok, operation

balance = operation(
    operation_id="account_balance",
    tag="account",
    summary="Get the account balance",
    description=(
        "Returns the current account balance for the authenticated company. Use this endpoint to "
        "check available funds before creating or scheduling campaigns. No request body is "
        "required. Right: Balance.Read."
    ),
    responses={
        200: ok(
            "BalanceEnvelope",
            BalanceSerializer(),
            example("Balance", "Successful!", {"CurrencyCode": "GBP", "Balance": 1500.25}),
            description="Balance retrieved successfully.",
        ),
    },
)

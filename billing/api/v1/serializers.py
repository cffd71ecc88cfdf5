from rest_framework import serializers


class BalanceSerializer(serializers.Serializer):
    # Spec casing. Decimal amounts render as JSON numbers with at most 14 significant digits,
    # which print exactly (the value is never computed with).
    CurrencyCode = serializers.CharField(source="currency")
    Balance = serializers.DecimalField(
        source="amount", max_digits=14, decimal_places=2, coerce_to_string=False
    )

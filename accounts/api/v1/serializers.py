from rest_framework import serializers

from config.api.fields import StrictCharField


class LoginRequestSerializer(serializers.Serializer):
    apiKey = StrictCharField(max_length=200, trim_whitespace=True)


class RefreshRequestSerializer(serializers.Serializer):
    refreshToken = StrictCharField(max_length=4000, trim_whitespace=True)


class JwtResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()
    refreshToken = serializers.CharField()
    refreshExpiry = serializers.DateTimeField()


def jwt_response(pair) -> dict:
    """Spec format: ISO 8601 UTC with a Z suffix."""
    return {
        "token": pair.access,
        "expiry": _utc(pair.access_expires_at),
        "refreshExpiry": _utc(pair.refresh_expires_at),
        "refreshToken": pair.refresh,
    }


def _utc(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

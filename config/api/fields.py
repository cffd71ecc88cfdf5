from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers, booleans and the like instead of converting them."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextKeyDictField(serializers.DictField):
    """A JSON object whose keys are held to the rule CharField holds its values to: no null
    characters (PostgreSQL text and jsonb cannot store them; DictField checks only values)."""

    default_error_messages = {"null_key": ProhibitNullCharactersValidator.message}

    def to_internal_value(self, data):
        if isinstance(data, dict) and any("\x00" in str(key) for key in data):
            self.fail("null_key")
        return super().to_internal_value(data)

"""Platform API shapes of the file library, with the casing the spec shows per endpoint."""

from datetime import UTC

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MB = 1024 * 1024


@extend_schema_field(OpenApiTypes.STR)
class RawText(serializers.Field):
    """A string taken as sent (or null): the path guard, not the field, judges its characters."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


def _optional_text():
    return RawText(required=False, allow_null=True)


class FolderCreateSerializer(serializers.Serializer):
    name = _optional_text()
    parentPath = _optional_text()


class RenameSerializer(serializers.Serializer):
    relativePath = _optional_text()
    oldFileName = _optional_text()
    newFileName = _optional_text()


def iso_utc(moment) -> str:
    """2026-02-26T10:12:00Z"""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def us_utc(moment) -> str:
    """2/27/2026 10:12:00 AM (UTC), as the search endpoint shows times."""
    t = moment.astimezone(UTC)
    return f"{t.month}/{t.day}/{t.year} {t.hour % 12 or 12}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def file_details(entry) -> dict:
    return {
        "fileName": entry.name,
        "relativePath": entry.path,
        "extension": _extension(entry.name),
        "sizeInBytes": entry.size,
        "sizeInMB": entry.size / MB,
        "creationDate": iso_utc(entry.created_at),
        "lastModified": iso_utc(entry.modified_at),
    }


def folder_details(entry) -> dict:
    return {
        "folderName": entry.name,
        "relativePath": entry.path,
        "creationDate": iso_utc(entry.created_at),
        "sizeInBytes": entry.size,
        "sizeInMB": entry.size / MB,
    }


def search_result(row: dict) -> dict:
    return {
        "FileName": row["name"],
        "FullPath": row["folder"],
        "CreationTime": us_utc(row["created_at"]),
        "LastWriteTime": us_utc(row["modified_at"]),
    }


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext}" if dot and stem else ""

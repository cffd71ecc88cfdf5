"""Permissions shared by every API surface."""

from rest_framework.permissions import BasePermission


class DenyAll(BasePermission):
    """DRF's default: a view that forgot its surface's base class is refused, never public."""

    def has_permission(self, request, view) -> bool:
        return False

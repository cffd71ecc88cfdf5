"""Permissions shared by every API surface."""

from rest_framework.permissions import BasePermission

from accounts.principal import Principal


class DenyAll(BasePermission):
    """DRF's default: a view that forgot its surface's base class is refused, never public."""

    def has_permission(self, request, view) -> bool:
        return False


class HasRight(BasePermission):
    """The request's principal holds the API right the view names (`get_required_right()`)."""

    def has_permission(self, request, view) -> bool:
        principal = request.auth
        return isinstance(principal, Principal) and principal.may(view.get_required_right())

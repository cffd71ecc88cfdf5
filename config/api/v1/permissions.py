from rest_framework.permissions import BasePermission

from accounts.principal import Principal


class HasRight(BasePermission):
    """The request's principal holds the API right the view names (`required_right`)."""

    def has_permission(self, request, view) -> bool:
        principal = request.auth
        return isinstance(principal, Principal) and principal.may(view.get_required_right())

from rest_framework.permissions import BasePermission

from accounts.roles import permission_for


class HasRight(BasePermission):
    """The authenticated user holds the API right the view names (`required_right`)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None:
            return False
        right = getattr(view, "required_right", None)
        return right is None or user.has_perm(permission_for(right))

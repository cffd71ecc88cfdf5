from rest_framework.permissions import BasePermission

from config.api.jwt import token_rights


class HasRight(BasePermission):
    """The roles in the access token grant the API right the view names (`required_right`)."""

    def has_permission(self, request, view) -> bool:
        if request.user is None:
            return False
        right = view.get_required_right()
        return right is None or right in token_rights(request.auth)

from rest_framework.permissions import BasePermission


class HasRight(BasePermission):
    """The access token grants the API right the view names (`required_right`)."""

    def has_permission(self, request, view) -> bool:
        if request.user is None:
            return False
        right = getattr(view, "required_right", None)
        return right is None or right in (request.auth or {}).get("rights", ())

"""Reads about companies, users and API sessions."""

from accounts.models import ApiKey, ApiSession, User


def api_user_for_session(*, session_id: str, user_id: int, company_id: str) -> User | None:
    """The user behind an access token, in one query, or None when the token's session was
    revoked, its key rotated, the user lost API access or the company was deactivated."""
    session = (
        ApiSession.objects.select_related("user__company")
        .filter(
            id=session_id,
            revoked_at__isnull=True,
            api_key__revoked_at__isnull=True,
            user_id=user_id,
            user__company_id=company_id,
            user__is_active=True,
            user__api_access_enabled=True,
            user__company__is_active=True,
        )
        .first()
    )
    return session.user if session else None


def api_keys_for_user(*, user: User):
    return ApiKey.objects.for_company(user.company).filter(user=user)

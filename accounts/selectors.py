"""Reads about companies, users and API sessions."""

import uuid

from django.db import connection

from accounts.models import ApiKey, ApiSession, Company, User
from accounts.roles import RIGHTS

# Every API request runs this check, so it is one hand-written query: compiling the equivalent
# ORM query (four joined tables) costs ten times more than running it.
_LIVE_SESSION_SQL = """
    SELECT u.email, c.name, c.currency
    FROM accounts_apisession s
    JOIN accounts_apikey k ON k.id = s.api_key_id
    JOIN accounts_user u ON u.id = s.user_id
    JOIN accounts_company c ON c.id = u.company_id
    WHERE s.id = %s AND u.id = %s AND c.id = %s
      AND s.revoked_at IS NULL AND k.revoked_at IS NULL
      AND u.is_active AND u.api_access_enabled AND c.is_active
"""


def api_user_for_session(*, session_id: str, user_id: int, company_id: str) -> User | None:
    """The user (with its company) behind an access token, or None when the token's session was
    revoked, its key rotated or revoked, the user deactivated or refused API access, or the
    company deactivated."""
    session_uuid, company_uuid = uuid.UUID(str(session_id)), uuid.UUID(str(company_id))
    params = [
        ApiSession._meta.pk.get_db_prep_value(session_uuid, connection),
        int(user_id),
        Company._meta.pk.get_db_prep_value(company_uuid, connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_LIVE_SESSION_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    email, company_name, currency = row
    company = Company.from_db(
        None, ["id", "name", "currency", "is_active"], [company_uuid, company_name, currency, True]
    )
    user = User.from_db(
        None,
        ["id", "email", "company_id", "is_active", "api_access_enabled"],
        [int(user_id), email, company_uuid, True, True],
    )
    user.company = company
    return user


def rights_of_user(*, user: User) -> list[str]:
    """The API rights the user's roles grant, by their documented names."""
    return sorted(right for right, permission in RIGHTS.items() if user.has_perm(permission))


def api_keys_for_user(*, user: User):
    return ApiKey.objects.for_company(user.company).filter(user=user)

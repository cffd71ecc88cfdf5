"""Reads about companies, workspaces, users and API sessions."""

import functools
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from accounts.errors import OAuthApplicationNotFound, WorkspaceNotFound
from accounts.models import ApiSession, Company, OAuthApplication, User, Workspace
from accounts.roles import RIGHTS
from config.db import fetch_one, for_reading

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


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


def get_workspace_for_company(*, company, workspace_id, for_update: bool = False) -> Workspace:
    """The company's workspace by its UUID (the services API's serviceUuid); WorkspaceNotFound
    alike for a missing, malformed or another company's one, and when no company is given."""
    key = _as_uuid(workspace_id)
    workspaces = Workspace.objects.for_company(company)
    if for_update:
        workspaces = workspaces.select_for_update()
    found = workspaces.filter(pk=key).first() if key is not None and company is not None else None
    if found is None:
        raise WorkspaceNotFound()
    return found


def get_oauth_application_for_company(
    *, company, application_id, for_update: bool = False
) -> OAuthApplication:
    """The company's OAuth application by its id; OAuthApplicationNotFound alike for a missing,
    malformed or another company's one."""
    try:
        key = int(application_id)
    except (TypeError, ValueError):
        key = None
    applications = OAuthApplication.objects.filter(company=company) if company is not None else None
    if applications is not None and for_update:
        applications = applications.select_for_update()
    found = applications.filter(pk=key).first() if key is not None and applications is not None else None
    if found is None:
        raise OAuthApplicationNotFound()
    return found


def workspaces_of_company(*, company) -> list[Workspace]:
    """The company's workspaces, the default one first, then by name."""
    return list(Workspace.objects.for_company(company)) if company is not None else []


def default_workspace(*, company) -> Workspace:
    """The company's default workspace (every company has exactly one)."""
    found = (
        Workspace.objects.for_company(company).filter(is_default=True).first()
        if company is not None
        else None
    )
    if found is None:
        raise WorkspaceNotFound()
    return found


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


def roles_of_user(*, user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


_rights_by_roles: dict[tuple[str, ...], tuple[float, frozenset[str]]] = {}


def rights_of_roles(*, roles: tuple[str, ...]) -> frozenset[str]:
    """The API rights a set of roles grants, by their documented names. Checked on every API
    request, so each process remembers the answer for ROLE_RIGHTS_CACHE_SECONDS: a change to a
    role's permissions in the admin applies within that time."""
    now = time.time()
    cached = _rights_by_roles.get(roles)
    if cached and cached[0] > now:
        return cached[1]
    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(group__name__in=roles).values_list(
            "content_type__app_label", "codename"
        )
    }
    rights = frozenset(right for right, permission in RIGHTS.items() if permission in granted)
    _rights_by_roles[roles] = (now + settings.ROLE_RIGHTS_CACHE_SECONDS, rights)
    return rights


def forget_role_rights() -> None:
    """Drop this process's memory of role rights (the next request looks them up again)."""
    _rights_by_roles.clear()


# Every services API request runs this lookup, so it too is one hand-written query, which also
# finds the workspace the request names: the request's credential and scope in one round trip.
_OAUTH_ACCESS_SQL = """
    SELECT a.id, a.client_id, a.name, a.allowed_ips, a.workspace_id,
           c.id, c.name, c.currency, c.provisional_booking_allowed,
           w.id, w.name, w.is_default
    FROM {access_token} t
    JOIN {application} a ON a.id = t.application_id
    JOIN {company} c ON c.id = a.company_id
    LEFT JOIN {workspace} w ON w.id = %s AND w.company_id = c.id
        AND (a.workspace_id IS NULL OR a.workspace_id = w.id)
    WHERE t.token_checksum = %s AND t.expires > %s AND c.is_active
"""


@dataclass(frozen=True)
class OAuthAccess:
    application: OAuthApplication  # with its company
    workspace: Workspace | None  # the workspace asked for, if the application may use it


def oauth_access_for_token(token: str, *, workspace_id=None) -> OAuthAccess | None:
    """What the live OAuth application whose unexpired access token `token` is may reach, or None:
    unknown, expired, or its company inactive. Its workspace is the one `workspace_id` names when
    that is one of the company's and the application is not bound to another; else None (alike
    for a missing, malformed or another company's one). Tokens are stored only as SHA-256
    checksums (django-oauth-toolkit's lookup column)."""
    access_token = get_access_token_model()
    checksum = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    now = access_token._meta.get_field("expires").get_db_prep_value(timezone.now(), connection)
    key = _as_uuid(workspace_id)
    wanted = Workspace._meta.pk.get_db_prep_value(key, connection) if key is not None else None
    row = fetch_one(_oauth_access_sql(), [wanted, checksum, now])
    if row is None:
        return None
    app_id, client_id, app_name, allowed_ips, bound_id, company_id, company_name, currency = row[:8]
    provisional, found_id, workspace_name, is_default = row[8:]
    company_id = Company._meta.pk.to_python(company_id)
    company = for_reading(Company, {
        "id": company_id, "name": company_name, "currency": currency, "is_active": True,
        "provisional_booking_allowed": bool(provisional),
    })  # fmt: skip
    application = for_reading(OAuthApplication, {
        "id": app_id, "client_id": client_id, "name": app_name, "company_id": company_id,
        "workspace_id": Workspace._meta.pk.to_python(bound_id), "allowed_ips": allowed_ips,
    })  # fmt: skip
    application.company = company
    workspace = None
    if found_id is not None:
        workspace = for_reading(Workspace, {
            "company_id": company_id, "id": Workspace._meta.pk.to_python(found_id), "name": workspace_name,
            "is_default": bool(is_default),
        })  # fmt: skip
    return OAuthAccess(application=application, workspace=workspace)


@functools.cache
def _oauth_access_sql() -> str:
    return _OAUTH_ACCESS_SQL.format(
        access_token=get_access_token_model()._meta.db_table,
        application=OAuthApplication._meta.db_table,
        company=Company._meta.db_table,
        workspace=Workspace._meta.db_table,
    )


def messages_api_code_matches(*, company, api_code) -> bool:
    """Whether `api_code` is the company's messages api_code (compared as SHA-256 hashes, in
    constant time); False when the company has none."""
    if company is None or not isinstance(api_code, str) or not api_code:
        return False
    stored = company.__dict__.get("messages_api_code_hash")
    if stored is None:  # a company read without the column (a token's principal)
        stored = (
            Company.objects.filter(pk=company.pk).values_list("messages_api_code_hash", flat=True).first()
        )
    if not stored:
        return False
    return hmac.compare_digest(hash_api_key(api_code), stored)


def messages_monthly_row_limit(*, company) -> int | None:
    """The rows a month of messages publishing may write for the company (None: no limit), as
    staff set it now."""
    return Company.objects.filter(pk=company.pk).values_list("messages_monthly_row_limit", flat=True).first()


def hash_api_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


# Every campaign API v2 request runs this lookup: one hand-written query finds the key, its user,
# company and default workspace.
_API_KEY_ACCESS_SQL = """
    SELECT k.id, u.id, u.email, c.id, c.name, c.currency, c.number, c.provisional_booking_allowed,
           w.id, w.name
    FROM accounts_apikey k
    JOIN accounts_user u ON u.id = k.user_id
    JOIN accounts_company c ON c.id = k.company_id AND c.id = u.company_id
    LEFT JOIN accounts_workspace w ON w.company_id = c.id AND w.is_default
    WHERE k.key_hash = %s AND k.revoked_at IS NULL
      AND u.is_active AND u.api_access_enabled AND c.is_active
"""


@dataclass(frozen=True)
class ApiKeyAccess:
    api_key_id: object
    user: User  # with its company
    company: Company
    workspace: Workspace | None  # the company's default workspace


def api_key_access(secret: str) -> ApiKeyAccess | None:
    """Who a live API key acts for, checked as login checks it (the key not revoked, its user
    active and approved for API access, the company active); None otherwise, whatever the
    reason. Keys are stored only as SHA-256 hashes."""
    row = fetch_one(_API_KEY_ACCESS_SQL, [hash_api_key(secret)])
    if row is None:
        return None
    key_id, user_id, email, company_id, name, currency, number, provisional, workspace_id, workspace_name = (
        row
    )
    company_id = Company._meta.pk.to_python(company_id)
    company = for_reading(Company, {
        "id": company_id, "name": name, "currency": currency, "number": number, "is_active": True,
        "provisional_booking_allowed": bool(provisional),
    })  # fmt: skip
    user = for_reading(User, {
        "id": user_id, "email": email, "company_id": company_id, "is_active": True, "api_access_enabled": True,
    })  # fmt: skip
    user.company = company
    workspace = None
    if workspace_id is not None:
        workspace = for_reading(Workspace, {
            "id": Workspace._meta.pk.to_python(workspace_id), "company_id": company_id, "name": workspace_name,
            "is_default": True,
        })  # fmt: skip
        workspace.company = company
    return ApiKeyAccess(api_key_id=key_id, user=user, company=company, workspace=workspace)

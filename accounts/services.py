"""Every write about companies, workspaces, users, API keys, API sessions and OAuth applications."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model

from accounts import api_logging, provisioning
from accounts.errors import (
    AccountErrorCode,
    ApiLoggingNotOn,
    InvalidAllowedIps,
    InvalidApiKey,
    InvalidLoggingWindow,
    InvalidRefreshToken,
    NotStaff,
    UserWithoutCompany,
    WorkspaceNameInvalid,
    WorkspaceNotFound,
)
from accounts.models import (
    ApiKey,
    ApiLogEntry,
    ApiLoggingChange,
    ApiSession,
    Company,
    IssuedRefreshToken,
    OAuthApplication,
    User,
    Workspace,
)
from accounts.oauth import allowed_networks
from accounts.roles import INTEGRATOR
from accounts.selectors import get_oauth_application_for_company, get_workspace_for_company, hash_api_key
from accounts.signals import credentials_revoked
from accounts.tenancy import workspace_of_company
from config.db import delete_in_batches

# ---- companies and users ----------------------------------------------------------------------

DEFAULT_WORKSPACE_NAME = "Default"


@transaction.atomic
def company_create(*, name: str, currency: str = "GBP") -> Company:
    company = Company.objects.create(name=name, currency=currency)
    Workspace.objects.for_company(company).create(
        company=company, name=DEFAULT_WORKSPACE_NAME, is_default=True
    )
    provisioning.provision(company)  # the balance, default group, Home folder ...
    return company


# ---- workspaces -------------------------------------------------------------------------------


def _workspace_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > Workspace._meta.get_field("name").max_length:
        raise WorkspaceNameInvalid()
    return name


@transaction.atomic
def workspace_create(*, company: Company, name: str) -> Workspace:
    """A further workspace of the company (the default one comes with the company)."""
    return Workspace.objects.for_company(company).create(company=company, name=_workspace_name(name))


@transaction.atomic
def workspace_rename(*, company: Company, workspace_id, name: str) -> Workspace:
    """Rename one of the company's workspaces; WorkspaceNotFound for another company's, alike."""
    name = _workspace_name(name)
    workspace = get_workspace_for_company(company=company, workspace_id=workspace_id, for_update=True)
    workspace.name = name
    workspace.save(update_fields=["name"])
    return workspace


@transaction.atomic
def user_create(
    *,
    company: Company | None,
    email: str,
    password: str | None = None,
    roles: tuple[str, ...] = (INTEGRATOR,),
    api_access_enabled: bool = False,
) -> User:
    user = User.objects.create_user(email, password, company=company, api_access_enabled=api_access_enabled)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


def user_set_api_access(*, user: User, enabled: bool, by: User) -> User:
    """The approval of an API user: only staff may switch API access on or off."""
    if not by.is_staff:
        raise NotStaff(AccountErrorCode.NOT_STAFF_FOR_API_ACCESS)
    with transaction.atomic():
        user.api_access_enabled = enabled
        user.save(update_fields=["api_access_enabled"])
        if not enabled:
            _revoke_sessions(ApiSession.objects.filter(user=user), reason="API access disabled")
    return user


# ---- API keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    secret: str  # shown once, never stored


@transaction.atomic
def api_key_issue(*, user: User) -> IssuedApiKey:
    """Generate a key for the user; any key they had is revoked at once (rotation)."""
    if user.company_id is None:
        raise UserWithoutCompany()
    now = timezone.now()
    old_keys = ApiKey.objects.for_company(user.company).filter(user=user, revoked_at__isnull=True)
    _revoke_sessions(ApiSession.objects.filter(api_key__in=old_keys), reason="API key rotated", now=now)
    old_keys.update(revoked_at=now)
    secret = ApiKey.PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.for_company(user.company).create(
        company=user.company, user=user, prefix=secret[:12], key_hash=hash_api_key(secret)
    )
    return IssuedApiKey(api_key=api_key, secret=secret)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> None:
    now = timezone.now()
    _revoke_sessions(ApiSession.objects.filter(api_key=api_key), reason="API key revoked", now=now)
    ApiKey.unscoped.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)


# ---- the messages export API's api_code ---------------------------------------------------------

MESSAGES_API_CODE_PREFIX = "mac_"


@transaction.atomic
def messages_api_code_rotate(*, company: Company) -> str:
    """A new messages api_code for the company, returned once and stored only as its hash: the
    old one stops working at once."""
    code = MESSAGES_API_CODE_PREFIX + secrets.token_urlsafe(32)
    Company.objects.filter(pk=company.pk).update(
        messages_api_code_hash=hash_api_key(code), messages_api_code_prefix=code[:12]
    )
    company.messages_api_code_hash, company.messages_api_code_prefix = hash_api_key(code), code[:12]
    return code


# ---- API sessions (login, refresh rotation) ---------------------------------------------------


@dataclass(frozen=True)
class RefreshGrant:
    """What the API edge needs to mint a token pair: the session and the new refresh token id."""

    session: ApiSession
    user: User
    jti: str
    expires_at: datetime


def api_session_start(*, api_key: str) -> RefreshGrant:
    """Log in with an API key. The key must be live, its user approved for API access and the
    company active; otherwise the answer is the same InvalidApiKey, whatever the reason."""
    if not api_key or not api_key.startswith(ApiKey.PREFIX):
        raise InvalidApiKey()
    key = (
        ApiKey.unscoped.select_related("user", "company")
        .filter(key_hash=hash_api_key(api_key), revoked_at__isnull=True)
        .first()
    )
    if key is None or not _may_use_api(key.user, key.company):
        raise InvalidApiKey()
    now = timezone.now()
    with transaction.atomic():
        ApiKey.unscoped.filter(pk=key.pk).update(last_used_at=now)
        session = ApiSession.objects.create(user=key.user, api_key=key)
        return _grant_refresh(session, key.user, now)


def api_session_refresh(*, session_id: str, jti: str) -> RefreshGrant:
    """Exchange a refresh token (already verified as a JWT) for a new one. A token presented a
    second time means it leaked: the whole session, and every token from it, is revoked."""
    now = timezone.now()
    grant = None
    with transaction.atomic():
        record = (
            IssuedRefreshToken.objects.select_for_update(of=("self",))
            .select_related("session__user__company", "session__api_key")
            .filter(jti=jti, session_id=session_id)
            .first()
        )
        if record is None:
            raise InvalidRefreshToken()
        session = record.session
        if record.used_at is not None:
            _revoke_sessions(ApiSession.objects.filter(pk=session.pk), reason="refresh token reused", now=now)
        elif _refresh_usable(record, now):
            record.used_at = now
            record.save(update_fields=["used_at"])
            grant = _grant_refresh(session, session.user, now)
    # Raised after the block so that a revocation for reuse is committed, not rolled back.
    if grant is None:
        raise InvalidRefreshToken()
    return grant


def _refresh_usable(record: IssuedRefreshToken, now: datetime) -> bool:
    session = record.session
    return (
        record.expires_at > now
        and session.revoked_at is None
        and session.api_key.revoked_at is None
        and _may_use_api(session.user, session.user.company)
    )


def purge_expired_refresh_tokens(*, now: datetime | None = None) -> int:
    """Housekeeping: drop refresh-token records that can no longer be exchanged."""
    deleted, _ = IssuedRefreshToken.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


def _may_use_api(user: User, company: Company | None) -> bool:
    return bool(user.is_active and user.api_access_enabled and company is not None and company.is_active)


def _grant_refresh(session: ApiSession, user: User, now: datetime) -> RefreshGrant:
    expires_at = now + settings.API_REFRESH_TOKEN_LIFETIME
    record = IssuedRefreshToken.objects.create(
        jti=uuid.uuid4().hex, session=session, issued_at=now, expires_at=expires_at
    )
    return RefreshGrant(session=session, user=user, jti=record.jti, expires_at=expires_at)


def _revoke_sessions(sessions, *, reason: str, now: datetime | None = None) -> None:
    sessions.filter(revoked_at__isnull=True).update(revoked_at=now or timezone.now(), revoked_reason=reason)
    credentials_revoked.send(sender=ApiSession)


# ---- API logging windows and the log --------------------------------------------------------------


def api_logging_enable(
    *,
    company: Company,
    by: User,
    duration: timedelta | None = None,
    until: datetime | None = None,
) -> Company:
    """Staff switch API logging on for a company, for a duration or until a chosen time (which
    replaces any window already open)."""
    _require_staff(by)
    now = timezone.now()
    if (duration is None) == (until is None):
        raise InvalidLoggingWindow(AccountErrorCode.LOGGING_WINDOW_UNSPECIFIED)
    new_until = now + duration if duration is not None else until
    _check_window(new_until, now)
    return _change_window(company, by, ApiLoggingChange.Action.ENABLED, new_until, now)


def api_logging_extend(*, company: Company, by: User, duration: timedelta) -> Company:
    """Push the end of an open window later by `duration`."""
    _require_staff(by)
    now = timezone.now()
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        if locked.api_logging_until is None or locked.api_logging_until <= now:
            raise ApiLoggingNotOn()
        new_until = locked.api_logging_until + duration
        _check_window(new_until, now)
        return _change_window(locked, by, ApiLoggingChange.Action.EXTENDED, new_until, now, into=company)


def api_logging_disable(*, company: Company, by: User) -> Company:
    """End the window now (nothing happens if none is open)."""
    _require_staff(by)
    now = timezone.now()
    return _change_window(company, by, ApiLoggingChange.Action.DISABLED, None, now)


def api_logging_close_expired(*, now: datetime | None = None) -> int:
    """Housekeeping: clear windows that have ended and record that they did. Logging stops at
    the end time by itself; this keeps the companies table and the history truthful."""
    now = now or timezone.now()
    closed = 0
    for company_id in Company.objects.filter(api_logging_until__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            company = Company.objects.select_for_update().filter(pk=company_id).first()
            if company is None or company.api_logging_until is None or company.api_logging_until > now:
                continue
            ApiLoggingChange.objects.create(
                company=company,
                action=ApiLoggingChange.Action.EXPIRED,
                previous_until=company.api_logging_until,
                new_until=None,
                changed_by=None,
                changed_at=now,
            )
            company.api_logging_until = None
            company.save(update_fields=["api_logging_until"])
            closed += 1
    return closed


def api_log_purge(*, older_than: timedelta | None = None, batch_size: int | None = None) -> int:
    """Delete log entries older than the retention (API_LOG_RETENTION_DAYS), in batches."""
    cutoff = timezone.now() - (older_than or timedelta(days=settings.API_LOG_RETENTION_DAYS))
    old = ApiLogEntry.unscoped.filter(requested_at__lt=cutoff)
    return delete_in_batches(old, batch_size or settings.API_LOG_PURGE_BATCH)


def _require_staff(user: User) -> None:
    if user is None or not user.is_staff:
        raise NotStaff(AccountErrorCode.NOT_STAFF_FOR_API_LOGGING)


def _check_window(until: datetime, now: datetime) -> None:
    if until <= now or until > now + timedelta(days=settings.API_LOG_MAX_WINDOW_DAYS):
        raise InvalidLoggingWindow()


def _change_window(company, by, action, new_until, now, *, into: Company | None = None) -> Company:
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        previous = locked.api_logging_until
        if previous is not None and previous <= now:
            previous = None  # an ended window that housekeeping has not cleared yet
        if action == ApiLoggingChange.Action.DISABLED and previous is None:
            if locked.api_logging_until is not None:
                locked.api_logging_until = None
                locked.save(update_fields=["api_logging_until"])
            (into or company).api_logging_until = None
            return into or company
        locked.api_logging_until = new_until
        locked.save(update_fields=["api_logging_until"])
        ApiLoggingChange.objects.create(
            company=locked,
            action=action,
            previous_until=previous,
            new_until=new_until,
            changed_by=by,
            changed_at=now,
        )
        transaction.on_commit(api_logging.forget_windows)
    api_logging.forget_windows()
    (into or company).api_logging_until = new_until
    return into or company


@dataclass(frozen=True)
class NewOAuthApplication:
    application: OAuthApplication
    client_secret: str  # shown once: only its hash is stored


def oauth_application_create(
    *, company: Company, name: str, workspace: Workspace | None = None, allowed_ips: str = ""
) -> NewOAuthApplication:
    """A client credentials application of the services API for `company` (and only `workspace`
    when given, which must be one of the company's)."""
    if workspace is not None and not workspace_of_company(company, workspace):
        raise WorkspaceNotFound()
    allowed_ips = _checked_allowed_ips(allowed_ips)
    secret = generate_client_secret()
    application = OAuthApplication.objects.create(
        company=company,
        workspace=workspace,
        name=name[:255],
        client_type=OAuthApplication.CLIENT_CONFIDENTIAL,
        authorization_grant_type=OAuthApplication.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        allowed_ips=allowed_ips,
    )
    return NewOAuthApplication(application=application, client_secret=secret)


@transaction.atomic
def oauth_application_update(
    *, company: Company, application_id, name: str, allowed_ips: str
) -> OAuthApplication:
    """Rename the application or change the addresses it may call from. Its tokens stay valid:
    every call checks the addresses allowed at that moment."""
    allowed_ips = _checked_allowed_ips(allowed_ips)
    application = get_oauth_application_for_company(
        company=company, application_id=application_id, for_update=True
    )
    application.name = name[:255]
    application.allowed_ips = allowed_ips
    application.save(update_fields=["name", "allowed_ips", "updated"])
    return application


@transaction.atomic
def oauth_application_rotate_secret(*, company: Company, application_id) -> NewOAuthApplication:
    """A new client secret (shown once, stored hashed): the old one is refused from now on and
    every access token the application holds stops working at once."""
    application = get_oauth_application_for_company(
        company=company, application_id=application_id, for_update=True
    )
    secret = generate_client_secret()
    application.client_secret = secret  # hashed as it is saved (django-oauth-toolkit's field)
    application.save(update_fields=["client_secret", "updated"])
    _revoke_oauth_tokens(application)
    return NewOAuthApplication(application=application, client_secret=secret)


@transaction.atomic
def oauth_application_delete(*, company: Company, application_id) -> None:
    """The application is gone, and its tokens with it (they stop working at once)."""
    application = get_oauth_application_for_company(
        company=company, application_id=application_id, for_update=True
    )
    _revoke_oauth_tokens(application)
    application.delete()


def _checked_allowed_ips(allowed_ips: str) -> str:
    text = (allowed_ips or "").strip()
    if text:
        try:
            allowed_networks(text)
        except ValueError:
            raise InvalidAllowedIps(field="allowed_ips") from None
    return text


def _revoke_oauth_tokens(application: OAuthApplication) -> None:
    """Revoke every access token of `application` (django-oauth-toolkit revokes one by deleting
    it; the client credentials grant, the only one allowed, issues no refresh tokens)."""
    get_access_token_model().objects.filter(application=application).delete()

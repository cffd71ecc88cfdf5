"""Who is calling: the one object every API surface's authenticator puts on a request.

Permissions, rate limits, tenant scoping, API logging and `created_by` read only this, so a new
credential (an OAuth2 client, an `X-API-Key` call) is one more authenticator, not a change to
every view. No HTTP here: the surfaces build it, the domain may read it.
"""

from dataclasses import dataclass

from accounts.models import Company, User

# How the caller proved who it is.
SESSION = "session"  # a bearer JWT of an API session (an API key login)
API_KEY = "api_key"  # the API key itself, on each call
OAUTH_CLIENT = "oauth_client"  # an OAuth2 client credentials token


@dataclass(frozen=True, slots=True)
class Principal:
    company: Company
    rights: frozenset[str]
    credential_kind: str
    credential_id: str  # the session, key or OAuth2 application: what API logging records
    user: User | None = None  # None for an OAuth2 client
    workspace: object | None = None  # accounts.Workspace the call acts in (services: the path's)

    @property
    def company_id(self):
        return self.company.pk

    def may(self, right: str | None) -> bool:
        """Does the principal hold `right` (None: any authenticated caller may)?"""
        return right is None or right in self.rights

"""OAuth2 bearer tokens of the services API: an access token from POST /oauth/token/ (client
credentials) names an application, which names the company (and maybe one workspace) the
principal acts for, with no user. The principal's workspace is the one the path names
(`serviceUuid`), found with the token: None when it is not one the application may use."""

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.oauth import address_allowed
from accounts.principal import OAUTH_CLIENT, Principal
from accounts.roles import OAUTH_CLIENT_RIGHTS
from accounts.selectors import oauth_access_for_token
from config.client_address import client_ip

MAX_TOKEN_LENGTH = 255
WORKSPACE_KWARG = "serviceUuid"


class OAuthClientAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None  # no credentials: 401 with the challenge below
        access = None
        if len(token) <= MAX_TOKEN_LENGTH and token.isascii():
            path_kwargs = (getattr(request, "parser_context", None) or {}).get("kwargs") or {}
            access = oauth_access_for_token(token, workspace_id=path_kwargs.get(WORKSPACE_KWARG))
        if access is None or not address_allowed(access.application, client_ip(request)):
            raise AuthenticationFailed()
        principal = Principal(
            company=access.application.company,
            rights=OAUTH_CLIENT_RIGHTS,
            credential_kind=OAUTH_CLIENT,
            credential_id=str(access.application.pk),
            user=None,
            workspace=access.workspace,
        )
        return (None, principal)

    def authenticate_header(self, request):
        return 'Bearer realm="services"'

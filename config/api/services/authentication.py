"""OAuth2 bearer tokens of the services API: an access token from POST /oauth/token/ (client
credentials) names an application, which names the company (and maybe one workspace) the
principal acts for, with no user."""

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.oauth import address_allowed
from accounts.principal import OAUTH_CLIENT, Principal
from accounts.roles import OAUTH_CLIENT_RIGHTS
from accounts.selectors import oauth_application_for_token
from config.client_address import client_ip

MAX_TOKEN_LENGTH = 255


class OAuthClientAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None  # no credentials: 401 with the challenge below
        application = None
        if len(token) <= MAX_TOKEN_LENGTH and token.isascii():
            application = oauth_application_for_token(token)
        if application is None or not address_allowed(application, client_ip(request)):
            raise AuthenticationFailed()
        principal = Principal(
            company=application.company,
            rights=OAUTH_CLIENT_RIGHTS,
            credential_kind=OAUTH_CLIENT,
            credential_id=str(application.pk),
            user=None,
            workspace=application.workspace,
        )
        return (None, principal)

    def authenticate_header(self, request):
        return 'Bearer realm="services"'

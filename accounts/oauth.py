"""The OAuth2 token endpoint's rules beyond django-oauth-toolkit's own: only the client
credentials grant, and only from the addresses an application allows."""

import ipaddress
import re
from types import SimpleNamespace

from oauth2_provider.oauth2_validators import OAuth2Validator

from config.client_address import client_ip

CLIENT_CREDENTIALS = "client_credentials"


def allowed_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The networks of an application's `allowed_ips` (ValueError for an entry that is none)."""
    return [ipaddress.ip_network(entry, strict=False) for entry in re.split(r"[\s,]+", text) if entry]


def address_allowed(application, address: str) -> bool:
    """Whether `address` may use `application` (any address when it names none)."""
    if not application.allowed_ips.strip():
        return True
    try:
        ip = ipaddress.ip_address(address)
        return any(ip in network for network in allowed_networks(application.allowed_ips))
    except ValueError:
        return False


class ClientCredentialsValidator(OAuth2Validator):
    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        # oauthlib carries the Django request's META as its headers.
        address = client_ip(SimpleNamespace(META=request.headers))
        return request.client.company.is_active and address_allowed(request.client, address)

    # django-oauth-toolkit's one lookup of a client id (HTTP Basic or form): a private method, so
    # tests/messaging/test_oauth.py checks it is still there. A NUL names no client (PostgreSQL
    # text cannot hold one, and the query would fail with a 500).
    def _load_application(self, client_id, request):
        if not isinstance(client_id, str) or "\x00" in client_id:
            return None
        return super()._load_application(client_id, request)

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type == CLIENT_CREDENTIALS and super().validate_grant_type(
            client_id, grant_type, client, request, *args, **kwargs
        )

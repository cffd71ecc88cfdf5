"""The client's address: the one answer every part of the project uses (API rate limits, API
logging, the admin's login lockout).

The address is the socket's peer (REMOTE_ADDR) unless settings.TRUSTED_PROXY_COUNT says that
many proxies stand in front of the web processes. Each proxy appends the address it received
the request from to X-Forwarded-For, so with N trusted proxies the client is the N-th address
from the right: everything left of it was written by the client and is ignored. A hop that is
not an IP address (a misconfigured proxy, or too few hops) falls back to REMOTE_ADDR, never to
a value the client chose.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address of the client that sent `request` (a Django HttpRequest or a DRF Request)."""
    meta = request.META
    remote_addr = meta.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote_addr
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr

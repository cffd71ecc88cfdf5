"""The one guarded way to download a URL that a user gave us.

Users hand us URLs (recipient CSV/XLSX imports, PDF URLs). Fetching them naively lets anyone make
our servers call internal services, the cloud metadata endpoint or localhost: server-side request
forgery. `fetch_to_file` is the only door for such downloads. It:

- accepts only http and https URLs without user names or passwords in them;
- resolves the host name once, refuses if ANY address is not globally routable (loopback, private,
  link-local, multicast, reserved, unspecified, IPv4 hidden in IPv6, ...), then connects to that
  vetted address itself, sending the original Host header and, for https, the original host name
  for SNI and certificate checks, so a DNS answer that changes after the check cannot redirect us;
- follows redirects itself, vetting every hop the same way;
- streams the body into a file in chunks, with a byte limit and an overall deadline.

Tests only: `settings.OUTBOUND_FETCH_ALLOWED_NETWORKS`, a list of CIDR strings (default: empty),
names networks whose addresses are allowed even though they are private or loopback, so tests can
serve files from a local server (e.g. ["127.0.0.2/32"]). Production never sets it.
"""

import contextlib
import ipaddress
import socket
import time
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

from config.errors import InvalidInput

ALLOWED_SCHEMES = {"http": 80, "https": 443}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundFetchError(InvalidInput):
    default_message = "The file URL could not be downloaded."


class OutboundFileTooLarge(OutboundFetchError):
    """The file at the URL is larger than the caller allows (a subclass, so callers that answer
    413 for it can tell it apart)."""


@dataclass(frozen=True)
class FetchResult:
    final_url: str
    content_type: str
    size: int


@dataclass(frozen=True)
class _Target:
    """One vetted hop: what to ask for, and the address to ask it from."""

    url: str
    scheme: str
    hostname: str
    port: int
    host_header: str
    request_target: str
    address: str


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.expires_at - time.monotonic()
        if left <= 0:
            raise self.exceeded()
        return left

    def exceeded(self) -> OutboundFetchError:
        return OutboundFetchError(
            f"The file URL could not be downloaded: it took longer than {self.seconds:g} seconds."
        )


def fetch_to_file(
    url: str,
    destination: typing.BinaryIO,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    max_redirects: int = 5,
) -> FetchResult:
    """Download `url` into `destination`; raise OutboundFetchError with a readable reason if refused."""
    deadline = _Deadline(timeout)
    with _readable_download_errors(deadline):
        for _hop in range(max_redirects + 1):
            target = _vetted_target(url)
            with _get(target, deadline) as response:
                if response.status in REDIRECT_STATUSES:
                    url = _redirect_url(target, response)
                    continue
                _require_success(response)
                _refuse_declared_oversize(response, max_bytes)
                size = _stream_body(response, destination, max_bytes=max_bytes, deadline=deadline)
                return FetchResult(
                    final_url=target.url,
                    content_type=response.headers.get("Content-Type", ""),
                    size=size,
                )
    raise OutboundFetchError(
        f"The file URL could not be downloaded: it redirected more than {max_redirects} times."
    )


def _vetted_target(url: str) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise OutboundFetchError("The file URL must use http or https.")
    if parts.username is not None or parts.password is not None:
        raise OutboundFetchError("The file URL must not contain a user name or password.")
    try:
        explicit_port = parts.port
    except ValueError:
        raise OutboundFetchError("The file URL is not valid.") from None
    hostname = parts.hostname
    if not hostname:
        raise OutboundFetchError("The file URL is not valid.")
    port = ALLOWED_SCHEMES[scheme] if explicit_port is None else explicit_port
    addresses = _resolve(hostname, port)
    if not all(_is_allowed(address) for address in addresses):
        raise OutboundFetchError("The file URL points to an address that is not allowed.")
    return _Target(
        url=url,
        scheme=scheme,
        hostname=hostname,
        port=port,
        host_header=_host_header(hostname, explicit_port),
        request_target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        address=str(addresses[0]),
    )


def _resolve(hostname: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        infos = []
    if not infos:
        raise OutboundFetchError("The file URL could not be downloaded: the host name could not be resolved.")
    return [_unmapped(ipaddress.ip_address(info[4][0])) for info in infos]


def _unmapped(address: IPAddress) -> IPAddress:
    """::ffff:127.0.0.1 is 127.0.0.1: judge (and connect to) the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_allowed(address: IPAddress) -> bool:
    return _in_test_allow_list(address) or _is_public(address)


def _in_test_allow_list(address: IPAddress) -> bool:
    networks = getattr(settings, "OUTBOUND_FETCH_ALLOWED_NETWORKS", [])
    return any(address in ipaddress.ip_network(network) for network in networks)


def _is_public(address: IPAddress) -> bool:
    carried_ipv4 = address.sixtofour if isinstance(address, ipaddress.IPv6Address) else None
    if carried_ipv4 is not None and not _is_public(carried_ipv4):
        return False  # 6to4 (2002::/16) addresses carry an IPv4 address that must be public too
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _host_header(hostname: str, explicit_port: int | None) -> str:
    host = f"[{hostname}]" if ":" in hostname else hostname
    return host if explicit_port is None else f"{host}:{explicit_port}"


@contextlib.contextmanager
def _get(target: _Target, deadline: _Deadline) -> Iterator[urllib3.BaseHTTPResponse]:
    """GET from the vetted address only; never lets urllib3 retry, redirect or resolve on its own."""
    pool = _pool_pinned_to(target, deadline)
    try:
        response = pool.urlopen(
            "GET",
            target.request_target,
            headers={"Host": target.host_header},
            retries=False,
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            yield response
        finally:
            response.close()
    finally:
        pool.close()


def _pool_pinned_to(target: _Target, deadline: _Deadline) -> urllib3.HTTPConnectionPool:
    left = deadline.remaining()
    timeout = urllib3.Timeout(connect=left, read=left)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout)


def _redirect_url(target: _Target, response: urllib3.BaseHTTPResponse) -> str:
    location = response.headers.get("Location")
    if not location:
        raise OutboundFetchError("The file URL could not be downloaded: a redirect had no destination.")
    return urljoin(target.url, location)


def _require_success(response: urllib3.BaseHTTPResponse) -> None:
    if not 200 <= response.status < 300:
        raise OutboundFetchError(
            f"The file URL could not be downloaded: the server answered with status {response.status}."
        )


def _refuse_declared_oversize(response: urllib3.BaseHTTPResponse, max_bytes: int) -> None:
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)


def _stream_body(
    response: urllib3.BaseHTTPResponse,
    destination: typing.BinaryIO,
    *,
    max_bytes: int,
    deadline: _Deadline,
) -> int:
    """Copy the body chunk by chunk; never writes a chunk that would pass `max_bytes`."""
    size = 0
    while True:
        _limit_next_read_to(response, deadline)
        chunk = response.read1(CHUNK_SIZE)
        if not chunk:
            return size
        if size + len(chunk) > max_bytes:
            raise _too_large(max_bytes)
        destination.write(chunk)
        size += len(chunk)


def _limit_next_read_to(response: urllib3.BaseHTTPResponse, deadline: _Deadline) -> None:
    """Shrink the socket timeout to what is left, so a slow trickle cannot outlive the deadline."""
    left = deadline.remaining()
    sock = getattr(response.connection, "sock", None)
    if sock is not None:
        sock.settimeout(left)


def _too_large(max_bytes: int) -> OutboundFetchError:
    return OutboundFileTooLarge(
        f"The file at the URL is larger than the allowed {_readable_size(max_bytes)}."
    )


def _readable_size(size: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


@contextlib.contextmanager
def _readable_download_errors(deadline: _Deadline) -> Iterator[None]:
    """Turn urllib3's failures into short reasons an API user can act on."""
    try:
        yield
    except urllib3.exceptions.NewConnectionError:  # urllib3 files it under TimeoutError; it is not one
        raise OutboundFetchError("The file URL could not be downloaded: the connection failed.") from None
    except urllib3.exceptions.TimeoutError:
        raise deadline.exceeded() from None
    except urllib3.exceptions.SSLError:
        raise OutboundFetchError(
            "The file URL could not be downloaded: its secure connection could not be verified."
        ) from None
    except urllib3.exceptions.HTTPError:
        raise OutboundFetchError("The file URL could not be downloaded: the connection failed.") from None

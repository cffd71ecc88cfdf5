"""The one guarded way to call a URL that a user or a company gave us.

Users hand us URLs (recipient CSV/XLSX imports, PDF URLs) and companies configure URLs we post to
(webhooks). Calling them naively lets anyone make our servers call internal services, the cloud
metadata endpoint or localhost: server-side request forgery. Two doors, one connection path:
`fetch_to_file` downloads, `post` posts. Both:

- accept only http and https URLs without user names or passwords in them (any port);
- resolve the host name once, refuse if ANY address is not globally reachable unicast (judged
  by `SPECIAL_PURPOSE_BLOCKS`, the IANA special-purpose registries written out once, below), then
  connect to that vetted address themselves, sending the original Host header and, for https, the
  original host name for SNI and certificate checks, so a DNS answer that changes after the check
  cannot redirect us;
- follow redirects themselves, if at all, vetting every hop the same way;
- read the answer in chunks, with a byte limit, under an overall deadline.

`fetch_to_file` streams a body into a file (refusing one over its limit) and always follows
redirects. `post` sends a body and returns the answer, whatever its status, with at most
`max_response_bytes` of its body (the rest is never read); it returns a redirect as the answer
unless asked to follow it (307/308 repeat the POST with its body, 301/302/303 become a GET
without it, and credentials never follow to another origin). Its defaults are the settings
OUTBOUND_POST_TIMEOUT_SECONDS, OUTBOUND_POST_CONNECT_TIMEOUT_SECONDS and
OUTBOUND_POST_MAX_RESPONSE_BYTES. Every refusal and failure is an OutboundFetchError whose
message gives the reason (address not allowed, name not resolved, timeout, certificate not
verified, too many redirects, ...).

`post(..., allow_private=True)` also lets a call go to loopback and private-use addresses (never
link-local, multicast or the other special blocks): webhook delivery passes it when the operator
switched WEBHOOKS_ALLOW_PRIVATE_URLS on (tests, local development); no other caller does.

Tests only: `settings.OUTBOUND_FETCH_ALLOWED_NETWORKS`, a list of CIDR strings (default: empty),
names networks whose addresses are allowed even though they are private or loopback, so tests can
serve files from a local server (e.g. ["127.0.0.2/32"]). Production never sets it.
"""

import contextlib
import enum
import ipaddress
import re
import socket
import time
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

ALLOWED_SCHEMES = {"http": 80, "https": 443}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
# Request headers the door writes itself (from the URL and the body), whatever the caller passes.
DOOR_HEADERS = frozenset({"host", "content-length", "transfer-encoding"})
# Dropped when a redirect leads to another origin (scheme, host, port), as browsers and urllib3 do.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE_BREAKERS = re.compile(r"[\r\n\x00]")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundFetchError(Exception):
    """A refused or failed call, with a short reason an API user (or a company's admin) can act
    on. Not a domain error: like a library's message, a caller that answers a client passes the
    reason on as a param of its own domain error (see campaigns.services.creation)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class OutboundFileTooLarge(OutboundFetchError):
    """The file at the URL is larger than the caller allows (a subclass, so callers that answer
    413 for it can tell it apart)."""


@dataclass(frozen=True)
class FetchResult:
    final_url: str
    content_type: str
    size: int


@dataclass(frozen=True)
class OutboundResponse:
    """What a POST got back. `body_excerpt` is at most the caller's `max_response_bytes`, as the
    server sent them (not decompressed); `truncated` says the body went on (or, its length
    unknown, may have gone on) past the excerpt. `url` is the last hop's URL."""

    status: int
    headers: Mapping[str, str]
    body_excerpt: bytes
    truncated: bool
    elapsed_ms: int
    url: str


@dataclass(frozen=True)
class _Wording:
    """How a door names its URL in refusals, and how it says that the call failed."""

    url: str
    failed: str


_DOWNLOAD = _Wording(url="The file URL", failed="The file URL could not be downloaded")
_POST = _Wording(url="The URL", failed="The request to the URL failed")


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
    def __init__(self, seconds: float, wording: _Wording):
        self.seconds = seconds
        self.wording = wording
        self.expires_at = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.expires_at - time.monotonic()
        if left <= 0:
            raise self.exceeded()
        return left

    def exceeded(self) -> OutboundFetchError:
        return OutboundFetchError(f"{self.wording.failed}: it took longer than {self.seconds:g} seconds.")


def fetch_to_file(
    url: str,
    destination: typing.BinaryIO,
    *,
    max_bytes: int,
    timeout: float = 30.0,
    max_redirects: int = 5,
) -> FetchResult:
    """Download `url` into `destination`; raise OutboundFetchError with a readable reason if refused."""
    deadline = _Deadline(timeout, _DOWNLOAD)
    with _readable_errors(deadline):
        for _hop in range(max_redirects + 1):
            target = _vetted_target(url, _DOWNLOAD)
            with _request(target, deadline, method="GET") as response:
                if response.status in REDIRECT_STATUSES:
                    url = _redirect_url(target, response, _DOWNLOAD)
                    continue
                _require_success(response)
                _refuse_declared_oversize(response, max_bytes)
                size = _stream_body(response, destination, max_bytes=max_bytes, deadline=deadline)
                return FetchResult(
                    final_url=target.url,
                    content_type=response.headers.get("Content-Type", ""),
                    size=size,
                )
    raise _too_many_redirects(_DOWNLOAD, max_redirects)


def post(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    connect_timeout: float | None = None,
    max_response_bytes: int | None = None,
    follow_redirects: bool = False,
    max_redirects: int = 5,
    allow_private: bool = False,
) -> OutboundResponse:
    """POST `body` with `headers` to `url` and return the answer, whatever its status; raise
    OutboundFetchError with a readable reason if refused or failed. `timeout` caps the whole call
    (connecting, sending, every hop, reading the excerpt), `connect_timeout` each connection;
    `allow_private` lets it reach loopback and private-use addresses too (see the module's doc)."""
    if timeout is None:
        timeout = settings.OUTBOUND_POST_TIMEOUT_SECONDS
    if connect_timeout is None:
        connect_timeout = settings.OUTBOUND_POST_CONNECT_TIMEOUT_SECONDS
    if max_response_bytes is None:
        max_response_bytes = settings.OUTBOUND_POST_MAX_RESPONSE_BYTES
    request_headers = _caller_headers(headers or {})
    method, request_body = "POST", body
    started = time.monotonic()
    deadline = _Deadline(timeout, _POST)
    with _readable_errors(deadline, connect_timeout=connect_timeout):
        for _hop in range((max_redirects if follow_redirects else 0) + 1):
            target = _vetted_target(url, _POST, allow_private=allow_private)
            with _request(
                target,
                deadline,
                method=method,
                headers=request_headers,
                body=request_body,
                connect_timeout=connect_timeout,
                decode_content=False,  # the excerpt as sent: no decompression to bound
            ) as response:
                if follow_redirects and response.status in REDIRECT_STATUSES:
                    url = _redirect_url(target, response, _POST)
                    if response.status in (301, 302, 303):  # RFC 9110 15.4: a POST becomes a GET
                        method, request_body = "GET", None
                        request_headers = _without(request_headers, lambda name: name.startswith("content-"))
                    if _origin(url) != _origin(target.url):
                        request_headers = _without(request_headers, CREDENTIAL_HEADERS.__contains__)
                    continue
                excerpt, truncated = _read_excerpt(response, max_bytes=max_response_bytes, deadline=deadline)
                return OutboundResponse(
                    status=response.status,
                    headers=urllib3.HTTPHeaderDict(response.headers),
                    body_excerpt=excerpt,
                    truncated=truncated,
                    elapsed_ms=round((time.monotonic() - started) * 1000),
                    url=target.url,
                )
    raise _too_many_redirects(_POST, max_redirects)


def _caller_headers(headers: Mapping[str, str]) -> urllib3.HTTPHeaderDict:
    """The caller's headers, checked (no header may smuggle in another), without the ones the
    door writes itself."""
    checked = urllib3.HTTPHeaderDict()
    for name, value in headers.items():
        if not (
            isinstance(name, str)
            and isinstance(value, str)
            and _HEADER_NAME.fullmatch(name)
            and not _HEADER_VALUE_BREAKERS.search(value)
        ):
            raise OutboundFetchError("The request headers are not valid.")
        if name.lower() not in DOOR_HEADERS:
            checked.add(name, value)
    return checked


def _without(headers: urllib3.HTTPHeaderDict, dropped: Callable[[str], bool]) -> urllib3.HTTPHeaderDict:
    kept = urllib3.HTTPHeaderDict()
    for name, value in headers.iteritems():
        if not dropped(name.lower()):
            kept.add(name, value)
    return kept


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or ALLOWED_SCHEMES.get(scheme)


def _too_many_redirects(wording: _Wording, max_redirects: int) -> OutboundFetchError:
    return OutboundFetchError(f"{wording.failed}: it redirected more than {max_redirects} times.")


def _vetted_target(url: str, wording: _Wording, *, allow_private: bool = False) -> _Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise OutboundFetchError(f"{wording.url} must use http or https.")
    if parts.username is not None or parts.password is not None:
        raise OutboundFetchError(f"{wording.url} must not contain a user name or password.")
    try:
        explicit_port = parts.port
    except ValueError:
        raise OutboundFetchError(f"{wording.url} is not valid.") from None
    hostname = parts.hostname
    if not hostname:
        raise OutboundFetchError(f"{wording.url} is not valid.")
    port = ALLOWED_SCHEMES[scheme] if explicit_port is None else explicit_port
    addresses = _resolve(hostname, port, wording)
    if not all(
        is_allowed_address(address) or (allow_private and is_private_address(address))
        for address in addresses
    ):
        raise OutboundFetchError(f"{wording.url} points to an address that is not allowed.")
    return _Target(
        url=url,
        scheme=scheme,
        hostname=hostname,
        port=port,
        host_header=_host_header(hostname, explicit_port),
        request_target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
        address=str(addresses[0]),
    )


def _resolve(hostname: str, port: int, wording: _Wording) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        infos = []
    if not infos:
        raise OutboundFetchError(f"{wording.failed}: the host name could not be resolved.")
    return [_unmapped(ipaddress.ip_address(info[4][0])) for info in infos]


def _unmapped(address: IPAddress) -> IPAddress:
    """::ffff:127.0.0.1 is 127.0.0.1: judge (and connect to) the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_allowed_address(address: str | IPAddress) -> bool:
    """Whether the guard lets a call go to `address` (what both doors ask of every address a host
    name resolves to, on every hop)."""
    address = ipaddress.ip_address(address)
    return _in_test_allow_list(address) or _is_globally_reachable(address)


# The blocks `allow_private` opens: a machine's own and its private networks' receivers.
PRIVATE_BLOCK_NAMES = frozenset(
    {"Loopback", "Private-Use", "Shared Address Space", "Loopback Address", "Unique-Local"}
)


def is_private_address(address: str | IPAddress) -> bool:
    """Whether `address` is loopback or private-use (what `post(..., allow_private=True)` adds)."""
    return address_block(address).name in PRIVATE_BLOCK_NAMES


def _in_test_allow_list(address: IPAddress) -> bool:
    networks = getattr(settings, "OUTBOUND_FETCH_ALLOWED_NETWORKS", [])
    return any(address in ipaddress.ip_network(network) for network in networks)


class Reach(enum.Enum):
    GLOBAL = "globally reachable"
    REFUSED = "not globally reachable, deprecated or not unicast"
    CARRIED = "as the IPv4 address(es) it carries"


@dataclass(frozen=True)
class Block:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    name: str
    reach: Reach
    carried: Callable[[ipaddress.IPv6Address], tuple[ipaddress.IPv4Address, ...]] | None = None


def _block(cidr: str, name: str, reach: Reach, carried=None) -> Block:
    return Block(ipaddress.ip_network(cidr), name, reach, carried)


def _low_32_bits(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)


GLOBAL, REFUSED, CARRIED = Reach.GLOBAL, Reach.REFUSED, Reach.CARRIED

# Every address falls in the longest block that contains it; the block's `reach` decides. Names
# and "Globally Reachable" follow the IANA IPv4 and IPv6 Special-Purpose Address Registries
# (RFC 6890 and its updates); blocks the registries mark N/A or terminated are refused, except the
# transition blocks that carry an IPv4 address, which are judged by it. The first and the last
# rows of each family come from the IANA address space registries: multicast is never a download
# source, site-local is deprecated (RFC 3879), and IPv6 outside 2000::/3 is reserved by the IETF.
SPECIAL_PURPOSE_BLOCKS: tuple[Block, ...] = (
    _block("0.0.0.0/0", "IPv4 unicast", GLOBAL),
    _block("0.0.0.0/8", '"This network"', REFUSED),
    _block("0.0.0.0/32", '"This host on this network"', REFUSED),
    _block("10.0.0.0/8", "Private-Use", REFUSED),
    _block("100.64.0.0/10", "Shared Address Space", REFUSED),
    _block("127.0.0.0/8", "Loopback", REFUSED),
    _block("169.254.0.0/16", "Link Local", REFUSED),
    _block("172.16.0.0/12", "Private-Use", REFUSED),
    _block("192.0.0.0/24", "IETF Protocol Assignments", REFUSED),
    _block("192.0.0.0/29", "IPv4 Service Continuity Prefix", REFUSED),
    _block("192.0.0.8/32", "IPv4 dummy address", REFUSED),
    _block("192.0.0.9/32", "Port Control Protocol Anycast", GLOBAL),
    _block("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", GLOBAL),
    _block("192.0.0.170/32", "NAT64/DNS64 Discovery", REFUSED),
    _block("192.0.0.171/32", "NAT64/DNS64 Discovery", REFUSED),
    _block("192.0.2.0/24", "Documentation (TEST-NET-1)", REFUSED),
    _block("192.31.196.0/24", "AS112-v4", GLOBAL),
    _block("192.52.193.0/24", "AMT", GLOBAL),
    _block("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", REFUSED),
    _block("192.88.99.2/32", "6a44-relay anycast address", REFUSED),
    _block("192.168.0.0/16", "Private-Use", REFUSED),
    _block("192.175.48.0/24", "Direct Delegation AS112 Service", GLOBAL),
    _block("198.18.0.0/15", "Benchmarking", REFUSED),
    _block("198.51.100.0/24", "Documentation (TEST-NET-2)", REFUSED),
    _block("203.0.113.0/24", "Documentation (TEST-NET-3)", REFUSED),
    _block("224.0.0.0/4", "Multicast", REFUSED),
    _block("240.0.0.0/4", "Reserved", REFUSED),
    _block("255.255.255.255/32", "Limited Broadcast", REFUSED),
    _block("::/0", "Reserved by IETF", REFUSED),
    _block("::/96", "IPv4-compatible Address (deprecated)", REFUSED),
    _block("::1/128", "Loopback Address", REFUSED),
    _block("::/128", "Unspecified Address", REFUSED),
    # The registry says False; we connect to the IPv4 address itself (see _unmapped).
    _block("::ffff:0:0/96", "IPv4-mapped Address", CARRIED, lambda a: (a.ipv4_mapped,)),
    # Globally reachable, and a NAT64 gateway forwards to the IPv4 address in the low 32 bits.
    _block("64:ff9b::/96", "IPv4-IPv6 Translat.", CARRIED, _low_32_bits),
    _block("64:ff9b:1::/48", "IPv4-IPv6 Translat. (local-use)", REFUSED),
    _block("100::/64", "Discard-Only Address Block", REFUSED),
    _block("100:0:0:1::/64", "Dummy IPv6 Prefix", REFUSED),
    _block("2000::/3", "Global Unicast", GLOBAL),
    _block("2001::/23", "IETF Protocol Assignments", REFUSED),
    _block("2001::/32", "TEREDO", CARRIED, lambda a: a.teredo),  # (server, client)
    _block("2001:1::1/128", "Port Control Protocol Anycast", GLOBAL),
    _block("2001:1::2/128", "Traversal Using Relays around NAT Anycast", GLOBAL),
    _block("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", GLOBAL),
    _block("2001:2::/48", "Benchmarking", REFUSED),
    _block("2001:3::/32", "AMT", GLOBAL),
    _block("2001:4:112::/48", "AS112-v6", GLOBAL),
    _block("2001:10::/28", "Deprecated (previously ORCHID)", REFUSED),
    # Globally reachable per the registry, but identifiers, not locators: no server is reached at
    # one, so the door refuses them rather than trust whatever routes them.
    _block("2001:20::/28", "ORCHIDv2", REFUSED),
    _block("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", REFUSED),
    _block("2001:db8::/32", "Documentation", REFUSED),
    _block("2002::/16", "6to4", CARRIED, lambda a: (a.sixtofour,)),
    _block("2620:4f:8000::/48", "Direct Delegation AS112 Service", GLOBAL),
    _block("3fff::/20", "Documentation", REFUSED),
    _block("5f00::/16", "Segment Routing (SRv6) SIDs", REFUSED),
    _block("fc00::/7", "Unique-Local", REFUSED),
    _block("fe80::/10", "Link-Local Unicast", REFUSED),
    _block("fec0::/10", "Site-Local (deprecated)", REFUSED),
    _block("ff00::/8", "Multicast", REFUSED),
)


def address_block(address: str | IPAddress) -> Block:
    """The most specific block of SPECIAL_PURPOSE_BLOCKS that holds `address`."""
    address = ipaddress.ip_address(address)
    return max(
        (block for block in SPECIAL_PURPOSE_BLOCKS if address in block.network),
        key=lambda block: block.network.prefixlen,
    )


def _is_globally_reachable(address: IPAddress) -> bool:
    block = address_block(address)
    if block.reach is Reach.CARRIED:
        return all(_is_globally_reachable(carried) for carried in block.carried(address))
    return block.reach is Reach.GLOBAL


def _host_header(hostname: str, explicit_port: int | None) -> str:
    host = f"[{hostname}]" if ":" in hostname else hostname
    return host if explicit_port is None else f"{host}:{explicit_port}"


@contextlib.contextmanager
def _request(
    target: _Target,
    deadline: _Deadline,
    *,
    method: str,
    headers: urllib3.HTTPHeaderDict | None = None,
    body: bytes | None = None,
    connect_timeout: float | None = None,
    decode_content: bool = True,
) -> Iterator[urllib3.BaseHTTPResponse]:
    """One request to the vetted address only (both doors come through here); never lets urllib3
    retry, redirect or resolve on its own. Connecting, sending and waiting for the answer's
    headers share what is left of the deadline; the body is the caller's to read, and whatever it
    leaves unread is never read: the connection is closed."""
    left = deadline.remaining()
    connect = left if connect_timeout is None else min(connect_timeout, left)
    pool = _pool_pinned_to(target, urllib3.Timeout(connect=connect, total=left))
    request_headers = urllib3.HTTPHeaderDict(headers or {})
    request_headers["Host"] = target.host_header
    try:
        response = pool.urlopen(
            method,
            target.request_target,
            body=body,
            headers=request_headers,
            retries=False,
            redirect=False,
            preload_content=False,
            decode_content=decode_content,
            assert_same_host=False,
        )
        try:
            yield response
        finally:
            response.close()
    finally:
        pool.close()


def _pool_pinned_to(target: _Target, timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
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


def _redirect_url(target: _Target, response: urllib3.BaseHTTPResponse, wording: _Wording) -> str:
    location = response.headers.get("Location")
    if not location:
        raise OutboundFetchError(f"{wording.failed}: a redirect had no destination.")
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


def _read_excerpt(
    response: urllib3.BaseHTTPResponse, *, max_bytes: int, deadline: _Deadline
) -> tuple[bytes, bool]:
    """At most `max_bytes` of the body, and whether it (may) go on; never reads past them."""
    excerpt = bytearray()
    while len(excerpt) < max_bytes:
        _limit_next_read_to(response, deadline)
        chunk = response.read1(min(CHUNK_SIZE, max_bytes - len(excerpt)))
        if not chunk:
            return bytes(excerpt), False
        excerpt += chunk
    return bytes(excerpt), response.length_remaining != 0


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
def _readable_errors(deadline: _Deadline, *, connect_timeout: float | None = None) -> Iterator[None]:
    """Turn urllib3's failures into short reasons an API user (or a company's admin) can act on."""
    failed = deadline.wording.failed
    try:
        yield
    except urllib3.exceptions.NewConnectionError:  # urllib3 files it under TimeoutError; it is not one
        raise OutboundFetchError(f"{failed}: the connection failed.") from None
    except urllib3.exceptions.ConnectTimeoutError:
        if connect_timeout is not None and time.monotonic() < deadline.expires_at:
            raise OutboundFetchError(
                f"{failed}: it could not connect within {connect_timeout:g} seconds."
            ) from None
        raise deadline.exceeded() from None
    except urllib3.exceptions.TimeoutError:
        raise deadline.exceeded() from None
    except urllib3.exceptions.SSLError:
        raise OutboundFetchError(f"{failed}: its secure connection could not be verified.") from None
    except urllib3.exceptions.ProtocolError as error:
        if not any(isinstance(cause, TimeoutError) for cause in error.args):
            raise OutboundFetchError(f"{failed}: the connection failed.") from None
        # Sending the request timed out: urllib3 sends under the connect timeout (at most what was
        # left of the deadline when the hop began).
        if connect_timeout is not None and time.monotonic() < deadline.expires_at:
            raise OutboundFetchError(
                f"{failed}: the server did not take the request within {connect_timeout:g} seconds."
            ) from None
        raise deadline.exceeded() from None
    except urllib3.exceptions.HTTPError:
        raise OutboundFetchError(f"{failed}: the connection failed.") from None

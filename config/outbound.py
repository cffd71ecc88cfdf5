"""The one guarded way to download a URL that a user gave us.

Users hand us URLs (recipient CSV/XLSX imports, PDF URLs). Fetching them naively lets anyone make
our servers call internal services, the cloud metadata endpoint or localhost: server-side request
forgery. `fetch_to_file` is the only door for such downloads. It:

- accepts only http and https URLs without user names or passwords in them;
- resolves the host name once, refuses if ANY address is not globally reachable unicast (judged
  by `SPECIAL_PURPOSE_BLOCKS`, the IANA special-purpose registries written out once, below), then
  connects to that vetted address itself, sending the original Host header and, for https, the
  original host name for SNI and certificate checks, so a DNS answer that changes after the check
  cannot redirect us;
- follows redirects itself, vetting every hop the same way;
- streams the body into a file in chunks, with a byte limit and an overall deadline.

Tests only: `settings.OUTBOUND_FETCH_ALLOWED_NETWORKS`, a list of CIDR strings (default: empty),
names networks whose addresses are allowed even though they are private or loopback, so tests can
serve files from a local server (e.g. ["127.0.0.2/32"]). Production never sets it.
"""

import contextlib
import enum
import ipaddress
import socket
import time
import typing
from collections.abc import Callable, Iterator
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
    if not all(is_allowed_address(address) for address in addresses):
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


def is_allowed_address(address: str | IPAddress) -> bool:
    """Whether the guard lets a download go to `address` (what `fetch_to_file` asks of every
    address a host name resolves to, on every hop)."""
    address = ipaddress.ip_address(address)
    return _in_test_allow_list(address) or _is_globally_reachable(address)


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
    _block("2001:20::/28", "ORCHIDv2", GLOBAL),
    _block("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", GLOBAL),
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

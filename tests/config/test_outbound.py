"""The outbound-fetch guard, against real sockets: a local HTTP server on 127.0.0.2 plays the remote
host (allowed through the tests-only OUTBOUND_FETCH_ALLOWED_NETWORKS), and only the outside
world's DNS (socket.getaddrinfo) is faked."""

import contextlib
import io
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.errors import DomainError
from config.outbound import (
    CHUNK_SIZE,
    SPECIAL_PURPOSE_BLOCKS,
    FetchResult,
    OutboundFetchError,
    address_block,
    fetch_to_file,
    is_allowed_address,
    is_private_address,
)

NOT_ALLOWED = "The file URL points to an address that is not allowed."
WRONG_SCHEME = "The file URL must use http or https."
SERVER_IP = "127.0.0.2"
SMALL_BODY = b"name,email\nAda Lovelace,ada@example.com\n"
BIG_SIZE = 5 * CHUNK_SIZE
MAX_BYTES = 2 * CHUNK_SIZE


class FakeRemoteHandler(BaseHTTPRequestHandler):
    """Answers by path; HTTP/1.0, so a body without Content-Length simply ends when the socket closes."""

    def do_GET(self):
        self.server.paths_seen.append(self.path)
        route = getattr(self, "route_" + self.path.strip("/").split("?")[0].replace("-", "_"), None)
        if route is None:
            self.send_error(404)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route()  # the client may hang up on purpose (too big, too slow)

    def log_message(self, *args):
        pass

    def send_body(self, body, content_type="text/csv", *, declare_length=True):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if declare_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location, status=302):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route_small(self):
        self.send_body(SMALL_BODY)

    def route_echo_host(self):
        self.send_body(self.headers["Host"].encode(), "text/plain")

    def route_big_declared(self):
        self.send_body(b"x" * BIG_SIZE)

    def route_big_undeclared(self):
        self.send_body(b"x" * BIG_SIZE, declare_length=False)

    def route_claims_3_mb(self):
        """Only the headers: a declared length over the limit is refused before any body is read."""
        self.send_response(200)
        self.send_header("Content-Length", str(3 * 1024 * 1024))
        self.end_headers()

    def route_to_small(self):
        self.redirect("/small")

    def route_to_small_absolute(self):
        self.redirect(f"http://{SERVER_IP}:{self.server.server_port}/small", status=301)

    def route_to_loopback(self):
        self.redirect(f"http://127.0.0.1:{self.server.server_port}/small")

    def route_to_ftp(self):
        self.redirect("ftp://example.com/file.csv", status=307)

    def route_loop(self):
        self.redirect("/loop")

    def route_trickle(self):
        """Declares 100 bytes, then sends one every 0.1 s: each read is quick, the whole is too slow."""
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        for _ in range(100):
            if self.server.stopping.wait(0.1):
                return
            self.wfile.write(b"x")
            self.wfile.flush()

    def route_stall(self):
        """Sends the headers, then nothing until the test ends."""
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.flush()
        self.server.stopping.wait(10)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer((SERVER_IP, 0), FakeRemoteHandler)
    httpd.daemon_threads = True
    httpd.paths_seen = []
    httpd.stopping = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.stopping.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base_url(server, settings):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = [f"{SERVER_IP}/32"]
    server.paths_seen.clear()
    return f"http://{SERVER_IP}:{server.server_port}"


@pytest.fixture
def fake_dns(monkeypatch):
    """Outside-world DNS: `answers` maps a host name to the addresses it resolves to, in turn."""
    real_getaddrinfo = socket.getaddrinfo
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def refusal(url, **kwargs) -> str:
    destination = io.BytesIO()
    with pytest.raises(OutboundFetchError) as caught:
        fetch_to_file(url, destination, max_bytes=kwargs.pop("max_bytes", MAX_BYTES), **kwargs)
    assert destination.getvalue() == b""
    return caught.value.message


# --- refused before any connection -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/recipients.csv", "file:///etc/passwd", "gopher://example.com/", "example.com/a.csv"],
)
def test_refuses_schemes_other_than_http_and_https(url):
    assert refusal(url) == WRONG_SCHEME


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://2130706433/",
        "https://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[2002:7f00:1::]/",
    ],
)
def test_refuses_addresses_that_are_not_public(url):
    assert refusal(url) == NOT_ALLOWED


# One representative address per block of the guard's table: the IANA IPv4 and IPv6
# Special-Purpose Address Registries (names as the registries spell them), plus what lies outside
# them and is not unicast to the Internet (multicast, deprecated site-local and IPv4-compatible
# addresses, the IPv6 space IANA keeps reserved). Refused: what the registries mark "Globally
# Reachable: False", deprecated blocks, multicast, and any address carrying a refused IPv4.
PUBLIC_V4, PUBLIC_V6 = "IPv4 unicast", "Global Unicast"
BLOCKS = [
    # (representative address, the block it falls in, allowed)
    ("8.8.8.8", PUBLIC_V4, True),
    ("93.184.216.34", PUBLIC_V4, True),
    ("0.1.2.3", '"This network"', False),
    ("0.0.0.0", '"This host on this network"', False),
    ("10.20.30.40", "Private-Use", False),
    ("100.64.0.1", "Shared Address Space", False),
    ("127.1.2.3", "Loopback", False),
    ("169.254.169.254", "Link Local", False),
    ("172.31.255.254", "Private-Use", False),
    ("192.0.0.100", "IETF Protocol Assignments", False),
    ("192.0.0.1", "IPv4 Service Continuity Prefix", False),
    ("192.0.0.8", "IPv4 dummy address", False),
    ("192.0.0.9", "Port Control Protocol Anycast", True),
    ("192.0.0.10", "Traversal Using Relays around NAT Anycast", True),
    ("192.0.0.170", "NAT64/DNS64 Discovery", False),
    ("192.0.0.171", "NAT64/DNS64 Discovery", False),
    ("192.0.2.1", "Documentation (TEST-NET-1)", False),
    ("192.31.196.1", "AS112-v4", True),
    ("192.52.193.1", "AMT", True),
    ("192.88.99.1", "Deprecated (6to4 Relay Anycast)", False),
    ("192.88.99.2", "6a44-relay anycast address", False),
    ("192.168.1.1", "Private-Use", False),
    ("192.175.48.6", "Direct Delegation AS112 Service", True),
    ("198.19.255.1", "Benchmarking", False),
    ("198.51.100.7", "Documentation (TEST-NET-2)", False),
    ("203.0.113.9", "Documentation (TEST-NET-3)", False),
    ("224.0.0.1", "Multicast", False),
    ("239.255.255.250", "Multicast", False),
    ("250.1.2.3", "Reserved", False),
    ("255.255.255.255", "Limited Broadcast", False),
    ("2606:4700::1111", PUBLIC_V6, True),
    ("4000::1", "Reserved by IETF", False),
    ("8000::1", "Reserved by IETF", False),
    ("::", "Unspecified Address", False),
    ("::1", "Loopback Address", False),
    ("::8.8.8.8", "IPv4-compatible Address (deprecated)", False),  # even carrying a public IPv4
    ("::10.0.0.8", "IPv4-compatible Address (deprecated)", False),
    ("::ffff:8.8.8.8", "IPv4-mapped Address", True),  # judged by the IPv4 it carries
    ("::ffff:10.0.0.8", "IPv4-mapped Address", False),
    ("::ffff:127.0.0.1", "IPv4-mapped Address", False),
    ("64:ff9b::808:808", "IPv4-IPv6 Translat.", True),  # the well-known NAT64 prefix, public IPv4
    ("64:ff9b::a00:1", "IPv4-IPv6 Translat.", False),
    ("64:ff9b::7f00:1", "IPv4-IPv6 Translat.", False),
    ("64:ff9b:1::808:808", "IPv4-IPv6 Translat. (local-use)", False),  # even carrying a public IPv4
    ("100::1", "Discard-Only Address Block", False),
    ("100:0:0:1::1", "Dummy IPv6 Prefix", False),
    ("2001:5::1", "IETF Protocol Assignments", False),
    ("2001:0:808:808::fefe:fefe", "TEREDO", True),  # server 8.8.8.8, client 1.1.1.1 (inverted)
    ("2001:0:a00:1::f7f7:f7f7", "TEREDO", False),  # server 10.0.0.1
    ("2001:0:808:808::80ff:fffe", "TEREDO", False),  # client 127.0.0.1
    ("2001:1::1", "Port Control Protocol Anycast", True),
    ("2001:1::2", "Traversal Using Relays around NAT Anycast", True),
    ("2001:1::3", "DNS-SD Service Registration Protocol Anycast", True),
    ("2001:2::1", "Benchmarking", False),
    ("2001:3::1", "AMT", True),
    ("2001:4:112::1", "AS112-v6", True),
    ("2001:10::1", "Deprecated (previously ORCHID)", False),
    ("2001:20::1", "ORCHIDv2", False),
    ("2001:30::1", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", False),
    ("2001:db8::1", "Documentation", False),
    ("2002:808:808::1", "6to4", True),  # carrying 8.8.8.8
    ("2002:a00:1::1", "6to4", False),
    ("2002:7f00:1::", "6to4", False),
    ("2620:4f:8000::1", "Direct Delegation AS112 Service", True),
    ("3fff::1", "Documentation", False),
    ("5f00::1", "Segment Routing (SRv6) SIDs", False),
    ("fc00::1", "Unique-Local", False),
    ("fd12:3456::1", "Unique-Local", False),
    ("fe80::1", "Link-Local Unicast", False),
    ("fec0::1", "Site-Local (deprecated)", False),
    ("feff::1", "Site-Local (deprecated)", False),
    ("ff02::1", "Multicast", False),
    ("ff0e::1", "Multicast", False),
]


def _url_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@pytest.mark.parametrize(("address", "block", "allowed"), BLOCKS)
def test_each_block_is_judged_by_its_global_reachability(address, block, allowed):
    assert address_block(address).name == block
    assert is_allowed_address(address) is allowed


@pytest.mark.parametrize(("address", "block"), [(a, b) for a, b, allowed in BLOCKS if not allowed])
def test_a_url_to_a_refused_block_is_refused_before_any_connection(address, block):
    assert refusal(f"http://{_url_host(address)}/x.csv") == NOT_ALLOWED


def test_every_block_of_the_table_has_a_representative_here():
    """A block added to the guard's table without an address in BLOCKS fails this test."""
    tested = {address_block(address) for address, _, _ in BLOCKS}
    assert [str(block.network) for block in SPECIAL_PURPOSE_BLOCKS if block not in tested] == []


def test_the_test_allow_list_admits_only_its_networks(settings):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    assert is_allowed_address("127.0.0.2")
    assert not is_allowed_address("127.0.0.1")


def test_refuses_credentials_in_the_url():
    assert (
        refusal("http://user:pass@example.com/") == "The file URL must not contain a user name or password."
    )


def test_refuses_a_host_name_that_resolves_to_loopback(fake_dns):
    fake_dns["evil.example"] = ["127.0.0.1"]
    assert refusal("http://evil.example/recipients.csv") == NOT_ALLOWED


def test_refuses_when_any_resolved_address_is_not_public(monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert refusal("https://mixed.example/") == NOT_ALLOWED


def test_the_allow_list_is_empty_unless_a_test_sets_it(server):
    assert refusal(f"http://{SERVER_IP}:{server.server_port}/small") == NOT_ALLOWED


def test_the_error_is_a_reason_not_a_domain_error():
    # Callers that answer a client wrap its reason in their own coded domain error.
    assert not issubclass(OutboundFetchError, DomainError)


# --- against the local server ------------------------------------------------------------------


def test_downloads_a_small_file(base_url):
    destination = io.BytesIO()
    result = fetch_to_file(f"{base_url}/small", destination, max_bytes=MAX_BYTES)
    assert destination.getvalue() == SMALL_BODY
    assert result == FetchResult(final_url=f"{base_url}/small", content_type="text/csv", size=len(SMALL_BODY))


def test_a_file_exactly_at_the_limit_is_fine(base_url):
    destination = io.BytesIO()
    result = fetch_to_file(f"{base_url}/small", destination, max_bytes=len(SMALL_BODY))
    assert result.size == len(SMALL_BODY)


def test_refuses_a_declared_length_above_the_limit(base_url):
    destination = io.BytesIO()
    with pytest.raises(OutboundFetchError) as caught:
        fetch_to_file(f"{base_url}/big-declared", destination, max_bytes=MAX_BYTES)
    assert caught.value.message == "The file at the URL is larger than the allowed 128 KB."
    assert destination.getvalue() == b""


def test_refuses_an_undeclared_length_above_the_limit_while_streaming(base_url):
    destination = io.BytesIO()
    with pytest.raises(OutboundFetchError) as caught:
        fetch_to_file(f"{base_url}/big-undeclared", destination, max_bytes=MAX_BYTES)
    assert caught.value.message == "The file at the URL is larger than the allowed 128 KB."
    assert len(destination.getvalue()) <= MAX_BYTES + CHUNK_SIZE


@pytest.mark.parametrize(
    ("max_bytes", "shown"),
    [(2 * 1024 * 1024, "2 MB"), (1536 * 1024, "1.5 MB"), (256 * 1024, "256 KB"), (100, "100 bytes")],
)
def test_the_limit_is_shown_in_readable_units(base_url, max_bytes, shown):
    assert refusal(f"{base_url}/claims-3-mb", max_bytes=max_bytes) == (
        f"The file at the URL is larger than the allowed {shown}."
    )


def test_follows_a_relative_redirect_to_an_allowed_host(base_url, server):
    destination = io.BytesIO()
    result = fetch_to_file(f"{base_url}/to-small", destination, max_bytes=MAX_BYTES)
    assert destination.getvalue() == SMALL_BODY
    assert result.final_url == f"{base_url}/small"
    assert server.paths_seen == ["/to-small", "/small"]


def test_follows_an_absolute_redirect_to_an_allowed_host(base_url):
    destination = io.BytesIO()
    result = fetch_to_file(f"{base_url}/to-small-absolute", destination, max_bytes=MAX_BYTES)
    assert (destination.getvalue(), result.final_url) == (SMALL_BODY, f"{base_url}/small")


def test_refuses_a_redirect_to_loopback(base_url, server):
    assert refusal(f"{base_url}/to-loopback") == NOT_ALLOWED
    assert server.paths_seen == ["/to-loopback"]


def test_refuses_a_redirect_to_another_scheme(base_url):
    assert refusal(f"{base_url}/to-ftp") == WRONG_SCHEME


def test_refuses_a_redirect_loop_after_max_redirects(base_url, server):
    assert refusal(f"{base_url}/loop", max_redirects=3) == (
        "The file URL could not be downloaded: it redirected more than 3 times."
    )
    assert server.paths_seen == ["/loop"] * 4


def test_refuses_a_404(base_url):
    assert refusal(f"{base_url}/missing") == (
        "The file URL could not be downloaded: the server answered with status 404."
    )


def test_refuses_a_server_that_trickles_past_the_deadline(base_url):
    started = time.monotonic()
    destination = io.BytesIO()
    with pytest.raises(OutboundFetchError) as caught:
        fetch_to_file(f"{base_url}/trickle", destination, max_bytes=MAX_BYTES, timeout=1)
    assert caught.value.message == "The file URL could not be downloaded: it took longer than 1 seconds."
    assert time.monotonic() - started < 2


def test_refuses_a_server_that_stalls_past_the_deadline(base_url):
    started = time.monotonic()
    assert refusal(f"{base_url}/stall", timeout=1) == (
        "The file URL could not be downloaded: it took longer than 1 seconds."
    )
    assert time.monotonic() - started < 2


def test_refuses_a_connection_that_fails(settings):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = ["127.0.0.3/32"]
    with socket.socket() as unused:
        unused.bind(("127.0.0.3", 0))
        port = unused.getsockname()[1]  # bound, never listening: the connection is refused
        assert refusal(f"http://127.0.0.3:{port}/") == (
            "The file URL could not be downloaded: the connection failed."
        )


def test_connects_to_the_vetted_address_and_sends_the_original_host(base_url, server, fake_dns):
    """DNS rebinding: the name resolves to the allowed server when checked, to loopback after.
    The request still goes to the checked address, and carries the name the user gave."""
    fake_dns["files.example"] = [SERVER_IP, "127.0.0.1"]
    url = f"http://files.example:{server.server_port}/echo-host"
    destination = io.BytesIO()
    result = fetch_to_file(url, destination, max_bytes=MAX_BYTES)
    assert destination.getvalue() == f"files.example:{server.server_port}".encode()
    assert result.final_url == url


# --- https: the pinned address, with the user's host name for SNI and certificate checks -------


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An https server on 127.0.0.2 whose self-signed certificate is for files.example only."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=files.example",
            "-addext",
            "subjectAltName=DNS:files.example",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd = ThreadingHTTPServer((SERVER_IP, 0), FakeRemoteHandler)
    httpd.daemon_threads = True
    httpd.paths_seen, httpd.stopping, httpd.server_names = [], threading.Event(), []
    context.sni_callback = lambda _sock, name, _context: httpd.server_names.append(name)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    httpd.cert_path = cert
    yield httpd
    httpd.stopping.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def trusting_tls_server(tls_server, settings, monkeypatch, fake_dns):
    """Trust the test certificate (OpenSSL reads SSL_CERT_FILE) and point two names at the server."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.cert_path))
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = [f"{SERVER_IP}/32"]
    fake_dns["files.example"] = [SERVER_IP]
    fake_dns["other.example"] = [SERVER_IP]
    tls_server.server_names.clear()
    return tls_server


def test_https_goes_to_the_pinned_address_with_the_host_name_for_sni_and_certificate(trusting_tls_server):
    url = f"https://files.example:{trusting_tls_server.server_port}/echo-host"
    destination = io.BytesIO()
    result = fetch_to_file(url, destination, max_bytes=MAX_BYTES)
    assert destination.getvalue() == f"files.example:{trusting_tls_server.server_port}".encode()
    assert result.final_url == url
    assert trusting_tls_server.server_names == ["files.example"]


def test_https_refuses_a_certificate_for_another_host_name(trusting_tls_server):
    url = f"https://other.example:{trusting_tls_server.server_port}/small"
    assert (
        refusal(url) == "The file URL could not be downloaded: its secure connection could not be verified."
    )
    assert trusting_tls_server.server_names == ["other.example"]


def test_refuses_a_host_name_that_does_not_resolve(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert refusal("https://nowhere.example/a.csv") == (
        "The file URL could not be downloaded: the host name could not be resolved."
    )


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True), ("10.1.2.3", True), ("172.16.0.1", True), ("192.168.1.1", True),
        ("100.64.0.1", True), ("::1", True), ("fd00::1", True),
        ("169.254.169.254", False), ("0.0.0.0", False), ("224.0.0.1", False), ("192.0.2.1", False),
        ("fe80::1", False), ("8.8.8.8", False), ("2001:db8::1", False),
    ],
)  # fmt: skip
def test_allow_private_opens_loopback_and_private_use_addresses_only(address, private):
    # what post(..., allow_private=True) adds to the globally reachable addresses (webhooks only)
    assert is_private_address(address) is private

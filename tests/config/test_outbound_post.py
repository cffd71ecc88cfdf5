"""The outbound door for POSTs (config.outbound.post), against real sockets: local HTTP(S) servers
on 127.0.0.2 play the company's webhook receiver (allowed through the tests-only
OUTBOUND_FETCH_ALLOWED_NETWORKS); only the outside world's DNS is faked, where a test needs a
public-looking host name."""

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from config.outbound import CHUNK_SIZE, OutboundFetchError, OutboundResponse, post
from tests.tls import self_signed_certificate

SERVER_IP = "127.0.0.2"
NOT_ALLOWED = "The URL points to an address that is not allowed."
NOT_VERIFIED = "The request to the URL failed: its secure connection could not be verified."
BODY = b'{"event":"campaign.approved","id":42}\x00\xff'  # exact bytes, not text
HEADERS = {"Content-Type": "application/json", "X-Postroom-Signature": "sha256=abc123"}
REPLY = b'{"received":true}'
HUGE_SIZE = 64 * 1024 * 1024
BIG_BODY_SIZE = 32 * 1024 * 1024  # far more than loopback's socket buffers hold


class ReceiverHandler(BaseHTTPRequestHandler):
    """Records every request (method, path, headers, body) and answers by path. HTTP/1.0: the
    connection closes after each answer."""

    def do_POST(self):
        self.record_and_route()

    def do_GET(self):
        self.record_and_route()

    def record_and_route(self):
        if self.path in ("/slow-reader", "/no-reader"):
            self.read_body_slowly(drain=self.path == "/slow-reader")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, self.headers, body))
        route = getattr(self, "route_" + self.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.send_error(404)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route()  # the client may hang up on purpose (too big, too slow)

    def read_body_slowly(self, *, drain):
        """Takes the body in 8 sips 0.08 s apart (drain) or not at all, then never answers."""
        self.server.seen.append((self.command, self.path, self.headers, b""))
        length = int(self.headers["Content-Length"])
        with contextlib.suppress(OSError):
            while drain and length > 0 and not self.server.stopping.wait(0.08):
                length -= len(self.rfile.read(min(length, BIG_BODY_SIZE // 8)))
            self.server.stopping.wait(5)

    def log_message(self, *args):
        pass

    def answer(self, status, body, **headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_hook(self):
        self.answer(200, REPLY, Content_Type="application/json", X_Reply="thanks")

    def route_fail(self):
        self.answer(500, b"Internal Server Error: boom")

    def route_slow(self):
        """Nothing at all until the test ends (or 5 seconds)."""
        self.server.stopping.wait(5)

    def route_huge(self):
        """64 MiB, undeclared, written until the client hangs up; counts what the socket took."""
        self.send_response(200)
        self.end_headers()
        chunk = b"x" * CHUNK_SIZE
        try:
            while self.server.huge_sent < HUGE_SIZE and not self.server.stopping.is_set():
                self.wfile.write(chunk)
                self.server.huge_sent += len(chunk)
        finally:
            self.server.huge_done.set()

    def redirect(self, status, location):
        self.answer(status, b"", Location=location)

    def route_to_private(self):
        self.redirect(307, f"http://127.0.0.1:{self.server.private_port}/hook")

    def route_to_hook_307(self):
        self.redirect(307, "/hook")

    def route_to_hook_308(self):
        self.redirect(308, "/hook")

    def route_to_hook_301(self):
        self.redirect(301, "/hook")

    def route_to_hook_302(self):
        self.redirect(302, "/hook")

    def route_to_hook_303(self):
        self.redirect(303, "/hook")

    def route_to_other_origin(self):
        self.redirect(307, f"http://{SERVER_IP}:{self.server.other.server_port}/hook")

    def route_loop(self):
        self.redirect(307, "/loop")


def start_receiver(*, wrap=None) -> ThreadingHTTPServer:
    httpd = ThreadingHTTPServer((SERVER_IP, 0), ReceiverHandler)
    httpd.daemon_threads = True
    httpd.seen, httpd.stopping = [], threading.Event()
    httpd.huge_sent, httpd.huge_done = 0, threading.Event()
    if wrap is not None:
        httpd.socket = wrap(httpd.socket)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


def stop_receiver(httpd):
    httpd.stopping.set()
    httpd.shutdown()
    httpd.server_close()


class Listener:
    """A socket listening on 127.0.0.1 (loopback, never allowed). Nothing accepts, so a connection
    would wait in its queue: `connected()` says whether anything reached it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def connected(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True


@pytest.fixture
def private_listener():
    listener = Listener()
    yield listener
    listener.sock.close()


@pytest.fixture(scope="module")
def servers():
    receiver, other = start_receiver(), start_receiver()
    receiver.other = other
    yield receiver, other
    stop_receiver(receiver)
    stop_receiver(other)


@pytest.fixture
def receiver(servers, settings, private_listener):
    receiver, other = servers
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = [f"{SERVER_IP}/32"]
    for server in servers:
        server.seen.clear()
    receiver.huge_sent, receiver.huge_done = 0, threading.Event()
    receiver.private_port = private_listener.port
    receiver.base_url = f"http://{SERVER_IP}:{receiver.server_port}"
    return receiver


def refusal(url, **kwargs) -> str:
    kwargs.setdefault("body", BODY)
    kwargs.setdefault("headers", HEADERS)
    with pytest.raises(OutboundFetchError) as caught:
        post(url, **kwargs)
    return caught.value.message


# --- the request arrives exactly; the answer comes back, whatever its status ---------------------


def test_posts_the_body_and_headers_exactly_and_returns_the_answer(receiver):
    response = post(
        f"{receiver.base_url}/hook", body=BODY, headers=HEADERS, timeout=5, max_response_bytes=1024
    )

    [(method, path, headers, body)] = receiver.seen
    assert (method, path, body) == ("POST", "/hook", BODY)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Postroom-Signature"] == "sha256=abc123"
    assert headers["Content-Length"] == str(len(BODY))
    assert headers["Host"] == f"{SERVER_IP}:{receiver.server_port}"
    assert isinstance(response, OutboundResponse)
    assert (response.status, response.body_excerpt, response.truncated) == (200, REPLY, False)
    assert response.headers["x-reply"] == "thanks"
    assert response.url == f"{receiver.base_url}/hook"
    assert isinstance(response.elapsed_ms, int)
    assert 0 <= response.elapsed_ms < 5000


def test_the_caller_cannot_choose_the_host_or_the_length(receiver):
    headers = {**HEADERS, "Host": "internal.example", "Content-Length": "1"}
    post(f"{receiver.base_url}/hook", body=BODY, headers=headers, timeout=5, max_response_bytes=1024)
    [(_, _, seen_headers, seen_body)] = receiver.seen
    assert seen_headers.get_all("Host") == [f"{SERVER_IP}:{receiver.server_port}"]
    assert (seen_headers["Content-Length"], seen_body) == (str(len(BODY)), BODY)


@pytest.mark.parametrize(
    "headers",
    [{"X-Evil": "a\r\nX-Injected: 1"}, {"X-Evil": "a\nb"}, {"Bad Name": "x"}, {"X-Nul": "a\x00b"}, {"": "x"}],
)
def test_refuses_headers_that_would_break_the_request(receiver, headers):
    assert refusal(f"{receiver.base_url}/hook", headers=headers) == "The request headers are not valid."
    assert receiver.seen == []


def test_a_500_is_returned_as_a_response(receiver):
    response = post(
        f"{receiver.base_url}/fail", body=BODY, headers=HEADERS, timeout=5, max_response_bytes=1024
    )
    assert (response.status, response.body_excerpt) == (500, b"Internal Server Error: boom")
    assert [method for method, *_ in receiver.seen] == ["POST"]


def test_a_server_that_does_not_answer_times_out_within_the_cap(receiver):
    started = time.monotonic()
    assert refusal(f"{receiver.base_url}/slow", timeout=1, max_response_bytes=1024) == (
        "The request to the URL failed: it took longer than 1 seconds."
    )
    assert time.monotonic() - started < 1.8


def test_time_spent_sending_counts_against_the_cap(receiver):
    """Sending takes most of a second (the server reads slowly): the wait for the answer gets only
    what is left of the cap, not a fresh second."""
    started = time.monotonic()
    assert refusal(f"{receiver.base_url}/slow-reader", body=b"x" * BIG_BODY_SIZE, timeout=1) == (
        "The request to the URL failed: it took longer than 1 seconds."
    )
    assert time.monotonic() - started < 1.8  # a fresh second for the answer would make it ~2 s


def test_a_server_that_never_takes_the_body_times_out_within_the_cap(receiver):
    started = time.monotonic()
    assert refusal(f"{receiver.base_url}/no-reader", body=b"x" * BIG_BODY_SIZE, timeout=1) == (
        "The request to the URL failed: it took longer than 1 seconds."
    )
    assert time.monotonic() - started < 1.8


def test_a_server_that_never_takes_the_body_gets_the_connect_timeout_to_take_it(receiver):
    """urllib3 sends under the connect timeout: one shorter than the cap ends the wait first."""
    started = time.monotonic()
    url = f"{receiver.base_url}/no-reader"
    assert refusal(url, body=b"x" * BIG_BODY_SIZE, timeout=5, connect_timeout=0.5) == (
        "The request to the URL failed: the server did not take the request within 0.5 seconds."
    )
    assert time.monotonic() - started < 2.5  # the 5 s cap would be far past this


def test_a_connection_that_is_never_accepted_hits_the_connect_timeout(settings):
    """A listener whose queue is full: the kernel drops our SYN, so the connect itself hangs."""
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = ["127.0.0.3/32"]
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.3", 0))
        listener.listen(0)
        filler.connect(listener.getsockname())  # takes the only place in the queue
        started = time.monotonic()
        assert refusal(f"http://127.0.0.3:{listener.getsockname()[1]}/", timeout=5, connect_timeout=0.5) == (
            "The request to the URL failed: it could not connect within 0.5 seconds."
        )
        assert time.monotonic() - started < 2.5  # the 5 s cap would be far past this


def test_a_huge_answer_is_read_only_up_to_the_cap(receiver):
    started = time.monotonic()
    response = post(
        f"{receiver.base_url}/huge", body=BODY, headers=HEADERS, timeout=10, max_response_bytes=1000
    )
    assert (response.status, response.body_excerpt, response.truncated) == (200, b"x" * 1000, True)
    assert receiver.huge_done.wait(5), "the server should notice the client hung up"
    assert receiver.huge_sent < HUGE_SIZE / 4  # what the sockets' buffers held, not the body
    assert time.monotonic() - started < 5


def test_an_answer_exactly_at_the_cap_is_not_truncated(receiver):
    response = post(f"{receiver.base_url}/hook", body=BODY, headers=HEADERS, max_response_bytes=len(REPLY))
    assert (response.body_excerpt, response.truncated) == (REPLY, False)


def test_the_defaults_come_from_the_settings(receiver, settings):
    settings.OUTBOUND_POST_MAX_RESPONSE_BYTES = 5
    response = post(f"{receiver.base_url}/hook", body=BODY, headers=HEADERS)
    assert (response.body_excerpt, response.truncated) == (REPLY[:5], True)
    settings.OUTBOUND_POST_TIMEOUT_SECONDS = 0.5
    assert (
        refusal(f"{receiver.base_url}/slow")
        == "The request to the URL failed: it took longer than 0.5 seconds."
    )


# --- redirects: returned by default; followed on request, every hop vetted ----------------------


def test_a_redirect_is_returned_not_followed_by_default(receiver, private_listener):
    response = post(f"{receiver.base_url}/to-private", body=BODY, headers=HEADERS)
    assert response.status == 307
    assert response.headers["Location"] == f"http://127.0.0.1:{receiver.private_port}/hook"
    assert [path for _, path, *_ in receiver.seen] == ["/to-private"]
    assert not private_listener.connected()


def test_a_followed_redirect_to_a_private_address_is_refused(receiver, private_listener):
    assert refusal(f"{receiver.base_url}/to-private", follow_redirects=True) == NOT_ALLOWED
    assert [path for _, path, *_ in receiver.seen] == ["/to-private"]
    assert not private_listener.connected()


@pytest.mark.parametrize("status", [307, 308])
def test_a_followed_307_or_308_keeps_the_method_and_the_body(receiver, status):
    response = post(
        f"{receiver.base_url}/to-hook-{status}", body=BODY, headers=HEADERS, follow_redirects=True
    )
    assert (response.status, response.body_excerpt, response.url) == (200, REPLY, f"{receiver.base_url}/hook")
    assert [(method, path, body) for method, path, _, body in receiver.seen] == [
        ("POST", f"/to-hook-{status}", BODY),
        ("POST", "/hook", BODY),
    ]
    assert receiver.seen[1][2]["Content-Type"] == "application/json"


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_followed_301_302_or_303_turns_into_a_get_without_the_body(receiver, status):
    response = post(
        f"{receiver.base_url}/to-hook-{status}", body=BODY, headers=HEADERS, follow_redirects=True
    )
    assert (response.status, response.body_excerpt) == (200, REPLY)
    (_, _, _, first_body), (method, path, headers, body) = receiver.seen
    assert (first_body, method, path, body) == (BODY, "GET", "/hook", b"")
    assert "Content-Type" not in headers and "Content-Length" not in headers
    assert headers["X-Postroom-Signature"] == "sha256=abc123"


def test_credentials_do_not_follow_a_redirect_to_another_origin(receiver, servers):
    _, other = servers
    headers = {**HEADERS, "Authorization": "Bearer secret", "Cookie": "session=1"}
    post(f"{receiver.base_url}/to-other-origin", body=BODY, headers=headers, follow_redirects=True)
    [(_, _, first, _)] = receiver.seen
    [(method, _, second, body)] = other.seen
    assert (first["Authorization"], first["Cookie"]) == ("Bearer secret", "session=1")
    assert (method, body, second["X-Postroom-Signature"]) == ("POST", BODY, "sha256=abc123")
    assert "Authorization" not in second and "Cookie" not in second


def test_credentials_follow_a_redirect_on_the_same_origin(receiver):
    headers = {**HEADERS, "Authorization": "Bearer secret"}
    post(f"{receiver.base_url}/to-hook-307", body=BODY, headers=headers, follow_redirects=True)
    assert [seen["Authorization"] for _, _, seen, _ in receiver.seen] == ["Bearer secret"] * 2


def test_too_many_redirects_are_refused(receiver):
    assert refusal(f"{receiver.base_url}/loop", follow_redirects=True, max_redirects=2) == (
        "The request to the URL failed: it redirected more than 2 times."
    )
    assert [path for _, path, *_ in receiver.seen] == ["/loop"] * 3


# --- refused before any connection --------------------------------------------------------------


def test_a_url_to_a_private_address_is_refused_before_any_connection(receiver, settings):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = []
    assert refusal(f"{receiver.base_url}/hook") == NOT_ALLOWED
    assert receiver.seen == []


def test_allow_private_reaches_loopback_but_never_link_local(receiver, settings):
    # what webhook delivery passes with WEBHOOKS_ALLOW_PRIVATE_URLS on, and no other caller
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = []
    assert post(f"{receiver.base_url}/hook", body=BODY, headers=HEADERS, allow_private=True).status == 200
    assert refusal("http://169.254.169.254/latest/meta-data/", allow_private=True) == NOT_ALLOWED


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "https://100.64.0.1/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_special_addresses_are_refused(url):
    assert refusal(url) == NOT_ALLOWED


def test_a_host_name_whose_dns_answer_is_private_is_refused(receiver, private_listener):
    """localhost comes from the machine's own resolver (/etc/hosts), not from a fake."""
    addresses = {info[4][0] for info in socket.getaddrinfo("localhost", None)}
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        pytest.skip(f"localhost resolves to {addresses or 'nothing'} here, not to loopback only")
    assert refusal(f"http://localhost:{receiver.private_port}/hook") == NOT_ALLOWED
    assert not private_listener.connected()


def test_a_host_name_that_does_not_resolve_is_refused(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    assert refusal("https://hooks.example/in") == (
        "The request to the URL failed: the host name could not be resolved."
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example/in", "The URL must use http or https."),
        ("file:///etc/passwd", "The URL must use http or https."),
        ("hooks.example/in", "The URL must use http or https."),
        ("https://user:pass@hooks.example/in", "The URL must not contain a user name or password."),
        ("https://token@hooks.example/in", "The URL must not contain a user name or password."),
        ("https://hooks.example:99999/in", "The URL is not valid."),
        ("https:///in", "The URL is not valid."),
    ],
)
def test_refuses_urls_the_door_does_not_take(url, reason):
    assert refusal(url) == reason


# --- https: the pinned address, verified against the URL's host name ----------------------------


def _self_signed_certificate(folder):
    """A certificate (and its key) for hooks.example and 127.0.0.2, signed by nobody but itself."""
    return self_signed_certificate(
        folder, common_name="hooks.example", dns_names=["hooks.example"], ip_addresses=[SERVER_IP]
    )


@pytest.fixture(scope="module")
def tls_receiver(tmp_path_factory):
    cert_path, key_path = _self_signed_certificate(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server_names = []
    context.sni_callback = lambda _sock, name, _context: server_names.append(name)
    httpd = start_receiver(wrap=lambda sock: context.wrap_socket(sock, server_side=True))
    httpd.cert_path, httpd.server_names = cert_path, server_names
    yield httpd
    stop_receiver(httpd)


@pytest.fixture
def fake_dns(monkeypatch):
    """Outside-world DNS for names that end in .example: `answers` maps a name to its address."""
    real_getaddrinfo = socket.getaddrinfo
    answers: dict[str, str] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real_getaddrinfo(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answers[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def tls(tls_receiver, settings):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = [f"{SERVER_IP}/32"]
    tls_receiver.seen.clear()
    tls_receiver.server_names.clear()
    return tls_receiver


def test_https_with_a_self_signed_certificate_is_refused(tls):
    assert refusal(f"https://{SERVER_IP}:{tls.server_port}/hook") == NOT_VERIFIED
    assert tls.seen == []


def test_https_is_verified_against_the_url_host_name_on_the_pinned_address(tls, fake_dns, monkeypatch):
    """Trusting the certificate (OpenSSL reads SSL_CERT_FILE), the name resolves to the server."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.cert_path))
    fake_dns["hooks.example"] = SERVER_IP
    response = post(f"https://hooks.example:{tls.server_port}/hook", body=BODY, headers=HEADERS)
    assert (response.status, response.body_excerpt) == (200, REPLY)
    assert tls.server_names == ["hooks.example"]
    [(method, _, headers, body)] = tls.seen
    assert (method, body, headers["Host"]) == ("POST", BODY, f"hooks.example:{tls.server_port}")


def test_https_refuses_a_trusted_certificate_for_another_host_name(tls, fake_dns, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.cert_path))
    fake_dns["other.example"] = SERVER_IP
    assert refusal(f"https://other.example:{tls.server_port}/hook") == NOT_VERIFIED
    assert tls.server_names == ["other.example"]
    assert tls.seen == []

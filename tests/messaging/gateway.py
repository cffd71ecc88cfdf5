"""A real HTTP server on 127.0.0.1 that plays the message gateway (messaging.delivery.http) in
tests: it records every request and answers what the test says."""

import http.server
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest


@dataclass
class Received:
    headers: dict[str, str]  # names in lower case
    body: object  # the parsed JSON
    client_port: int  # the same port again: a kept-alive connection was reused


@dataclass
class Answer:
    status: int = 200
    body: object = None  # sent as JSON; None: an empty body
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    raw: bytes | None = None  # sent as is instead of `body`


@dataclass
class Gateway:
    url: str
    received: list[Received] = field(default_factory=list)
    # What to answer a request; a plain 200 unless the test says otherwise.
    answer: Callable[[Received], Answer] = lambda request: Answer()
    released: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def gateway():
    """A gateway at gateway.url; set gateway.answer, read gateway.received."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.gateway = Gateway(url=f"http://127.0.0.1:{server.server_address[1]}/send")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server.gateway
    server.gateway.released.set()  # a delayed answer stops waiting
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway

    def do_POST(self):
        gateway: Gateway = self.server.gateway
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = Received(
            headers={k.lower(): v for k, v in self.headers.items()},
            body=json.loads(raw) if raw else None,
            client_port=self.client_address[1],
        )
        gateway.received.append(request)
        answer = gateway.answer(request)
        if answer.delay and gateway.released.wait(answer.delay):
            return
        content = answer.raw
        if content is None:
            content = b"" if answer.body is None else json.dumps(answer.body).encode()
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        except OSError:  # the client gave up waiting
            pass

    def log_message(self, *args):
        pass

"""A real webhook receiver on 127.0.0.1 for the tests: a threaded HTTP(S) server that records every
request (path, headers, body) and answers from a script of (status, delay) per request, the last
one repeated. Deliveries reach it only with WEBHOOKS_ALLOW_PRIVATE_URLS on (loopback)."""

import http.server
import ssl
import threading
import time
from dataclasses import dataclass

import pytest

from tests.tls import self_signed_certificate

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict
    body: bytes


class Receiver:
    def __init__(self, script=((200, 0.0),), *, tls_folder=None):
        self.script = list(script)
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    index = min(len(receiver.received), len(receiver.script)) - 1
                    status, delay = receiver.script[index]
                time.sleep(delay)
                answer = f"answer {status}".encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if tls_folder is not None:
            cert_path, key_path = self_signed_certificate(tls_folder, common_name=HOST, ip_addresses=[HOST])
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert_path, key_path)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://{HOST}:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings, tmp_path):
    """receiver([(status, delay), ...], tls=False) -> a started Receiver; deliveries may reach it."""
    started: list[Receiver] = []
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOKS_REQUIRE_HTTPS = False

    def start(script=((200, 0.0),), *, tls=False) -> Receiver:
        folder = tmp_path / f"tls-{len(started)}" if tls else None
        if folder is not None:
            folder.mkdir()
        started.append(Receiver(script, tls_folder=folder))
        return started[-1]

    yield start
    for one in started:
        one.stop()

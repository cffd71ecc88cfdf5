"""A real HTTP server on 127.0.0.2 that plays the remote side of a URL (a file host), for
tests of features that fetch user-supplied URLs. Tests allow 127.0.0.2 through the outbound
guard with settings.OUTBOUND_FETCH_ALLOWED_NETWORKS; production never does."""

import http.server
import threading

import pytest

SERVER_IP = "127.0.0.2"


@pytest.fixture
def file_server(settings):
    """file_server({"/path": b"bytes"}) -> base URL serving those files (404 otherwise)."""
    servers = []

    def start(files: dict[str, bytes]) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = files.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer((SERVER_IP, 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = [f"{SERVER_IP}/32"]
        return f"http://{SERVER_IP}:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()

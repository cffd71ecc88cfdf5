"""Download of a 200 MB file through GET /api/v1/files/content (gunicorn, local storage) vs `cat`
of the same stored file to /dev/null, same machine, same run. Targets: throughput >= 50% of cat's;
the server's RSS grows by less than 50 MB over the downloads (the file is streamed, never held)."""

import contextlib
import fcntl
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.benchmarks.support import (
    Row,
    Server,
    bench_env,
    call,
    demo_company,
    drop_var_dir,
    http_request,
    login,
    manage,
    rss_mb,
)

SIZE = 200 * 1024 * 1024
RATIO_TARGET, RSS_TARGET_MB = 0.50, 50
ROUNDS = 3
F_SETPIPE_SZ = 1031
NAME = "bench-200mb.pdf"

# Stores the file through the upload service (the same checks and keys as the API).
STORE = """
from django.core.files import File
from accounts.models import Company
from files import services
with open("{source}", "rb") as f:
    entry = services.file_upload(company=Company.objects.get(pk="{company}"), folder_path="Home", file=File(f, name="{name}"))
print(entry.storage_key)
"""


def run() -> list[Row]:
    env = bench_env(STORAGE_BACKEND="local", FILES_MAX_UPLOAD_BYTES=str(SIZE + 1024 * 1024))
    demo = demo_company(env)
    media = Path(env.get("MEDIA_ROOT") or Path(env["POSTROOM_VAR_DIR"]) / "media")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as source:
        source.write(b"%PDF-1.7\n")
        for _ in range(SIZE // (8 << 20)):
            source.write(os.urandom(8 << 20))
        source.truncate(SIZE)
        source.flush()
        code = STORE.format(company=demo["company_id"], name=NAME, source=source.name)
        key = manage(env, "shell", "-c", code).strip().splitlines()[-1]
    stored = media / key
    try:
        cat = min(_cat_seconds(stored) for _ in range(ROUNDS + 1))  # the first run warms the cache
        ceiling = _loopback_ceiling(stored)
        api, rss_growth = _measure(env, demo["api_key"])
    finally:
        stored.unlink(missing_ok=True)
        drop_var_dir(env)
    cat_mbps, api_mbps = SIZE / cat / 2**20, SIZE / api / 2**20
    return [
        Row("cat 200 MB > /dev/null", cat_mbps, "MB/s"),
        # For reading the result: the same bytes over loopback TCP with no HTTP at all (a bare
        # socket server's sendfile, the same client), i.e. what the transport allows here.
        Row(
            "loopback sendfile, no HTTP (reference)",
            SIZE / ceiling / 2**20,
            "MB/s",
            baseline_name="cat",
            baseline=cat_mbps,
        ),
        Row(
            "GET /api/v1/files/content (200 MB)",
            api_mbps,
            "MB/s",
            baseline_name="cat",
            baseline=cat_mbps,
            target=f">= {RATIO_TARGET:.0%} of cat",
            passed=api_mbps / cat_mbps >= RATIO_TARGET,
        ),
        Row(
            "server RSS growth over the downloads",
            rss_growth,
            "MB",
            target=f"< {RSS_TARGET_MB} MB",
            passed=rss_growth < RSS_TARGET_MB,
        ),
    ]


def _loopback_ceiling(path: Path) -> float:
    """Best seconds of ROUNDS transfers of `path` by a bare socket server's sendfile."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve():
        for _ in range(ROUNDS):
            conn, _ = server.accept()
            with conn, path.open("rb") as f:
                conn.recv(65536)
                conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {SIZE}\r\n\r\n".encode())
                conn.sendfile(f)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        return min(_download(port, "/", "") for _ in range(ROUNDS))
    finally:
        thread.join(timeout=30)
        server.close()


def _cat_seconds(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def _measure(env: dict, api_key: str) -> tuple[float, float]:
    """(best seconds of ROUNDS downloads, RSS growth of the server in MB)."""
    path = f"/api/v1/files/content?path=Home/{NAME}"
    with Server(env) as server:
        token = login(server.port, api_key)
        status, reply = call(server.port, "GET", "/api/v1/files/folders/contents", token=token)
        assert status == 200 and reply["data"]["files"][0]["sizeInBytes"] == SIZE, reply
        for _ in range(server.workers):  # every worker has served a download before measuring
            _download(server.port, path, token, limit="bytes=0-1048575")
        before = rss_mb(server.pids())
        best = min(_download(server.port, path, token) for _ in range(ROUNDS))
        growth = rss_mb(server.pids()) - before
        return best, growth


def _download(port: int, path: str, token: str, limit: str = "") -> float:
    """Seconds to fetch the file (or the range `limit`), the body sunk into /dev/null."""
    headers = {"Authorization": f"Bearer {token}"}
    if limit:
        headers["Range"] = limit
    raw = http_request("GET", path, headers)
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(raw)
        head = b""
        while b"\r\n\r\n" not in head:
            head = conn.recv(65536, socket.MSG_PEEK)
        head = conn.recv(head.index(b"\r\n\r\n") + 4)  # just the status line and headers
        body = _sink(conn)
    seconds = time.perf_counter() - started
    assert head.startswith(b"HTTP/1.1 206" if limit else b"HTTP/1.1 200"), head[:200]
    assert body == (1048576 if limit else SIZE), body
    return seconds


def _sink(conn: socket.socket) -> int:
    """Bytes read from `conn` until it closes, moved to /dev/null like cat's output: with
    splice(2) where there is one (no copy through this process), else through a buffer."""
    total = 0
    if not hasattr(os, "splice"):
        buffer = memoryview(bytearray(4 << 20))
        while n := conn.recv_into(buffer):
            total += n
        return total
    conn.settimeout(None)  # splice needs a blocking descriptor
    null = os.open(os.devnull, os.O_WRONLY)
    pipe_out, pipe_in = os.pipe()
    try:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe_in, F_SETPIPE_SZ, 1 << 20)
        while n := os.splice(conn.fileno(), pipe_in, 1 << 20):
            total += n
            while n:
                n -= os.splice(pipe_out, null, n)
    finally:
        for fd in (null, pipe_out, pipe_in):
            os.close(fd)
    return total

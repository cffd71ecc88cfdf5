"""Download of a 200 MB file through GET /api/v1/files/content (gunicorn, local storage) vs `cat`
of the same stored file to /dev/null, same machine, same run. Targets: throughput >= 50% of cat's;
the server's RSS grows by less than 50 MB over the downloads (the file is streamed, never held)."""

import os
import socket
import subprocess
import tempfile
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
        api, rss_growth = _measure(env, demo["api_key"])
    finally:
        stored.unlink(missing_ok=True)
        drop_var_dir(env)
    cat_mbps, api_mbps = SIZE / cat / 2**20, SIZE / api / 2**20
    return [
        Row("cat 200 MB > /dev/null", cat_mbps, "MB/s"),
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
    headers = {"Authorization": f"Bearer {token}"}
    if limit:
        headers["Range"] = limit
    raw = http_request("GET", path, headers)
    buffer = memoryview(bytearray(4 << 20))
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(raw)
        received = conn.recv_into(buffer)
        head = bytes(buffer[:received])
        total = received
        while n := conn.recv_into(buffer):
            total += n
    seconds = time.perf_counter() - started
    header_end = head.index(b"\r\n\r\n") + 4
    expected = 1048576 if limit else SIZE
    assert head.startswith(b"HTTP/1.1 206" if limit else b"HTTP/1.1 200"), head[:200]
    assert total - header_end == expected, (total - header_end, expected)
    return seconds

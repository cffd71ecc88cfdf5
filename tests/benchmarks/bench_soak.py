"""Load and soak: SOAK_SECONDS (default 300) of mixed API traffic from 16 clients against
gunicorn with 2 workers and a real Celery worker, on PostgreSQL (and Redis when REDIS_URL is set).

Each client sends one request after another on a fresh connection, 80% reads and 20% writes:
reads are the balance, recipient and group lists, a recipient, campaigns, the file library,
campaign API v2's list; writes create and update recipients, create groups and now and then
import a small CSV (which the worker runs). Reported: requests/s, p50/p95/p99 of reads and of
writes, and every status >= 500 or failed connection. Targets: no 5xx, reads' p99 under 250 ms,
and the web and worker processes' memory at the end within 20% of their size after the warm-up
(WARM_UP_SECONDS: no leak). PostgreSQL only; skipped otherwise.

    createdb -h 127.0.0.1 -U postgres postroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=soak
"""

import base64
import json
import os
import random
import statistics
import threading
import time
import uuid

from tests.benchmarks.support import (
    Row,
    Server,
    Worker,
    bench_env,
    demo_company,
    drop_var_dir,
    http_request,
    login,
    postgres_url,
    request,
    rss_mb,
    skipped,
)

CLIENTS = 16
WEB_WORKERS = 2
SECONDS = float(os.environ.get("SOAK_SECONDS", 300))
WARM_UP_SECONDS = min(30.0, SECONDS / 5)
READ_P99_TARGET_MS = 250
MEMORY_GROWTH_TARGET = 1.20
WRITE_SHARE = 0.20
IMPORT_SHARE_OF_WRITES = 0.02
CSV = (
    "First Name,Last Name,Street,Town,Post Code\n"
    + "".join(f"Soak{n},Reader,{n} High Street,London,SW1A 1AA\n" for n in range(1, 6))
).encode()


class Traffic:
    """The requests the clients send, with what they need (credentials, ids) and what they saw."""

    def __init__(self, port: int, demo: dict, token: str):
        self.port, self.demo = port, demo
        self.bearer = {"Authorization": f"Bearer {token}"}
        self.v2 = {"X-API-Key": demo["api_key"]}
        self.recipients: list[str] = []
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {"read": [], "write": []}
        self.statuses: dict[int, int] = {}
        self.failures: list[str] = []

    # -- the mix -----------------------------------------------------------------------------

    def reads(self):
        group = self.demo["default_group_id"]
        recipient = random.choice(self.recipients) if self.recipients else None
        return random.choice(
            [
                ("POST", "/api/v1/account/balance", self.bearer, b""),
                ("GET", "/api/v1/recipients?limit=20", self.bearer, b""),
                ("GET", f"/api/v1/recipients?groupId={group}&limit=50", self.bearer, b""),
                ("GET", "/api/v1/groups", self.bearer, b""),
                (
                    "GET",
                    f"/api/v1/recipients/{recipient}" if recipient else "/api/v1/groups",
                    self.bearer,
                    b"",
                ),
                ("GET", f"/api/v1/campaigns/{self.demo['campaign_id']}", self.bearer, b""),
                ("GET", "/api/v1/files/folders/contents?path=Home", self.bearer, b""),
                ("GET", "/v2/campaign/getAll?resultSize=20", self.v2, b""),
            ]
        )

    def writes(self):
        if random.random() < IMPORT_SHARE_OF_WRITES:
            body = {
                "groupName": f"Soak import {uuid.uuid4().hex[:12]}",
                "fileName": "soak.csv",
                "fileData": base64.b64encode(CSV).decode(),
                "mappings": [
                    {"sourceHeader": source, "destinationField": field, "mappingType": "standard"}
                    for source, field in (
                        ("First Name", "FirstName"),
                        ("Last Name", "LastName"),
                        ("Street", "Address1"),
                        ("Town", "City"),
                        ("Post Code", "Postcode"),
                    )
                ],
            }
            return ("POST", "/api/v1/recipients/import", self.bearer, json.dumps(body).encode())
        if self.recipients and random.random() < 0.4:
            recipient = random.choice(self.recipients)
            body = {"firstName": f"Updated{random.randrange(10**6)}", "lastName": "Reader",
                    "address1": "1 Soak Street", "city": "London", "postcode": "SW1A 1AA"}  # fmt: skip
            return ("PUT", f"/api/v1/recipients/{recipient}", self.bearer, json.dumps(body).encode())
        if random.random() < 0.1:
            body = {"groupName": f"Soak group {uuid.uuid4().hex[:12]}"}
            return ("POST", "/api/v1/groups", self.bearer, json.dumps(body).encode())
        body = {"firstName": "Soak", "lastName": f"Reader {random.randrange(10**6)}",
                "address1": "1 Soak Street", "city": "London", "postcode": "SW1A 1AA"}  # fmt: skip
        return ("POST", "/api/v1/recipients", self.bearer, json.dumps(body).encode())

    # -- one client ------------------------------------------------------------------------------

    def client(self, until: float, record_from: float) -> None:
        while (now := time.monotonic()) < until:
            kind = "write" if random.random() < WRITE_SHARE else "read"
            method, path, headers, body = self.writes() if kind == "write" else self.reads()
            if body:
                headers = {**headers, "Content-Type": "application/json"}
            started = time.perf_counter()
            try:
                raw = request("127.0.0.1", self.port, http_request(method, path, headers, body), timeout=30)
                status = int(raw.split(None, 2)[1]) if raw else 0
            except OSError as exc:
                raw, status = b"", 0
                self.failures.append(f"{method} {path}: {exc}")
            elapsed = time.perf_counter() - started
            if status == 200 and method == "POST" and path == "/api/v1/recipients":
                created = json.loads(raw.partition(b"\r\n\r\n")[2])["data"]["recipientId"]
                with self.lock:
                    self.recipients.append(created)
            if now < record_from:
                continue
            with self.lock:
                self.latencies[kind].append(elapsed)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status >= 500 or status == 0:
                    self.failures.append(f"{method} {path}: {status}")


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[round(share * 1000) - 1] * 1000


def run() -> list[Row]:
    if postgres_url() is None:
        return [skipped("soak", "needs PostgreSQL DATABASE_URL")]
    env = bench_env(
        CELERY_TASK_ALWAYS_EAGER="0", CELERY_TASK_DEFAULT_QUEUE=f"bench-soak-{uuid.uuid4().hex[:8]}"
    )
    demo = demo_company(env)
    try:
        with Server(env, workers=WEB_WORKERS) as server, Worker(env) as worker:
            traffic = Traffic(server.port, demo, login(server.port, demo["api_key"]))
            started = time.monotonic()
            record_from, until = started + WARM_UP_SECONDS, started + WARM_UP_SECONDS + SECONDS
            clients = [
                threading.Thread(target=traffic.client, args=(until, record_from), daemon=True)
                for _ in range(CLIENTS)
            ]
            for thread in clients:
                thread.start()
            time.sleep(WARM_UP_SECONDS)
            web_warm, worker_warm = rss_mb(server.pids()), rss_mb(worker.pids())
            for thread in clients:
                thread.join()
            web_end, worker_end = rss_mb(server.pids()), rss_mb(worker.pids())
    finally:
        drop_var_dir(env)
    return _rows(traffic, web_warm, web_end, worker_warm, worker_end)


def _rows(traffic: Traffic, web_warm, web_end, worker_warm, worker_end) -> list[Row]:
    reads, writes = traffic.latencies["read"], traffic.latencies["write"]
    total = len(reads) + len(writes)
    errors = sum(count for status, count in traffic.statuses.items() if status >= 500 or status == 0)
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(traffic.statuses.items()))
    print(f"  {total} requests in {SECONDS:.0f} s; statuses {statuses}")
    for failure in traffic.failures[:5]:
        print(f"  failed: {failure}")
    read_p = [percentile(reads, share) for share in (0.5, 0.95, 0.99)]
    write_p = [percentile(writes, share) for share in (0.5, 0.95, 0.99)]
    return [
        Row(f"soak: {CLIENTS} clients, 80% reads", total / SECONDS, "r/s", note=f"({total} requests)"),
        Row("soak: reads p50 / p95 / p99", read_p[2], "ms", target=f"p99 < {READ_P99_TARGET_MS} ms",
            passed=read_p[2] < READ_P99_TARGET_MS, note=f"(p50 {read_p[0]:.0f}, p95 {read_p[1]:.0f})"),
        Row("soak: writes p50 / p95 / p99", write_p[2], "ms", note=f"(p50 {write_p[0]:.0f}, p95 {write_p[1]:.0f})"),
        Row("soak: 5xx and failed connections", errors, "", target="0", passed=errors == 0),
        Row("soak: web memory, end vs warmed up", web_end, "MB", "after warm-up", web_warm,
            f"<= {MEMORY_GROWTH_TARGET:.2f}x", web_end <= web_warm * MEMORY_GROWTH_TARGET),
        Row("soak: worker memory, end vs warmed up", worker_end, "MB", "after warm-up", worker_warm,
            f"<= {MEMORY_GROWTH_TARGET:.2f}x", worker_end <= worker_warm * MEMORY_GROWTH_TARGET),
    ]  # fmt: skip

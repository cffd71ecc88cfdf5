"""Messages/s of message delivery (messaging.services.delivery.deliver_for, in-process: the same
code a Celery worker's messages_deliver task runs) sending 100,000 queued SMS of an active campaign
through the HTTP gateway backend to a fake gateway on 127.0.0.1, rate limit off, vs a bare loop of
the same requests in the same run: urllib3, the same pool size and as many threads as the backend
sends at once. Target: delivery >= 50% of the bare loop. Every message must reach the gateway
exactly once (100,000 requests with 100,000 distinct Idempotency-Keys) and end `sent`.

The two take turns in rounds, so a slow spell of the machine falls on both. The fake gateway is a
threaded HTTP/1.1 keep-alive server in a process of its own (not sharing the client's GIL) that
answers 200 at once and counts requests and distinct keys by path (/send: delivery, /bare: the
bare loop). PostgreSQL only (the messages go in with one INSERT ... SELECT); skipped otherwise.

    createdb -h 127.0.0.1 -U postgres postroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=message_delivery
"""

import http.server
import json
import multiprocessing
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg

from tests.benchmarks.support import (
    Row,
    bench_env,
    demo_company,
    drop_var_dir,
    http_request,
    manage,
    postgres_url,
    request,
    skipped,
    vacuum,
)

TARGET = 0.50
MESSAGES = 100_000
ROUND_SECONDS = 3.0

# Queued SMS of one firing, due now, each with its own recipient and idempotency key.
INSERT = """
INSERT INTO messaging_message (
    company_id, campaign_id, occurrence_id, recipient_id, channel, address, body, payload, status,
    attempts, last_error, message_key, next_attempt_at, provider_id, created_at)
SELECT %(company)s, %(campaign)s, %(occurrence)s, gen_random_uuid(), 'sms',
    '+4477' || lpad(i::text, 8, '0'), 'Hi ' || i || ', your order has been dispatched.', NULL,
    'queued', 0, '', upper(substr(md5(%(salt)s || ':' || i), 1, 30)), now(), '', now()
FROM generate_series(1, %(count)s) AS i
"""


def run() -> list[Row]:
    url = postgres_url()
    if url is None:
        return [skipped("message delivery", "needs PostgreSQL DATABASE_URL")]
    env = bench_env()
    demo = demo_company(env)
    setup = _child(env, f"setup({demo['company_id']!r}, {demo['default_group_id']!r})")
    with psycopg.connect(url, autocommit=True) as db:
        try:
            db.execute(INSERT, {**setup, "salt": uuid.uuid4().hex, "count": MESSAGES})
            vacuum(url, "messaging_message")
            with Gateway() as gateway:
                env["MESSAGING_GATEWAY_URL"] = f"{gateway.url}/send"
                env["MESSAGING_RATE_PER_SECOND"] = "sms=0"
                result = _child(env, f"measure({gateway.url + '/bare'!r}, {setup['campaign']!r})")
                received = gateway.stats()
        finally:  # the messages were this run's alone: leave the database as it was
            db.execute("DELETE FROM messaging_message WHERE campaign_id = %s", (setup["campaign"],))
            vacuum(url, "messaging_message")
            drop_var_dir(env)
    delivered = received.get("/send", {"requests": 0, "keys": 0})
    assert delivered == {"requests": MESSAGES, "keys": MESSAGES}, delivered
    assert result["sent_rows"] == MESSAGES and result["delivered"]["sent"] == MESSAGES, result
    assert received["/bare"] == {"requests": result["bare_posted"], "keys": result["bare_posted"]}, received
    return _rows(result)


def _child(env: dict, call: str) -> dict:
    """Run `call` (a function of this module) in a Django process; its JSON answer."""
    code = f"from tests.benchmarks import bench_message_delivery as b; b.{call}"
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def _rows(result: dict) -> list[Row]:
    bare = result["bare_requests"] / result["bare_seconds"]
    delivery = result["delivered"]["sent"] / result["delivery_seconds"]
    ratios = sorted(result["round_ratios"])
    threads = f"{result['pool_size']} threads/conns"
    return [
        Row(f"bare urllib3 loop ({threads})", bare, "req/s"),
        Row(
            f"deliver 100k SMS via gateway ({threads})",
            delivery,
            "msg/s",
            baseline_name="bare urllib3 loop",
            baseline=bare,
            target=f">= {TARGET:.0%} of bare",
            passed=delivery / bare >= TARGET,
            note=f"(rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x)",
        ),
    ]


# ---- in the Django process -----------------------------------------------------------------------


def setup(company_id: str, group_id: str) -> None:
    """An active SMS campaign (its one firing far ahead, so nothing fires during the run) and an
    occurrence for its messages; prints their ids."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Company
    from accounts.selectors import default_workspace
    from messaging.models import Occurrence
    from messaging.services import CampaignFields, message_campaign_create
    from messaging.services.firing import content_of, targeting_of

    company = Company.objects.get(pk=company_id)
    campaign = message_campaign_create(
        company=company,
        workspace=default_workspace(company=company),
        data=CampaignFields(
            name="Bench delivery", status="active", sending_type="sms", schedule_type="once",
            schedule_rrule=f"{timezone.now() + timedelta(days=365):%Y-%m-%d %H:%M:%S}",
            template="Hi {first_name}", sender="Postroom", recipient_lists=[group_id],
        ),
    )  # fmt: skip
    settings = campaign.message_settings
    occurrence = Occurrence.unscoped.create(
        company=company,
        campaign=campaign,
        scheduled_at=timezone.now(),
        status=Occurrence.Status.GENERATED,  # its messages are the benchmark's INSERT
        content=content_of(campaign, settings),
        targeting=targeting_of(campaign, settings),
    )
    ids = {"company": company_id, "campaign": str(campaign.pk), "occurrence": occurrence.pk}
    print(json.dumps(ids))


def measure(bare_url: str, campaign_id: str) -> None:
    """Delivery and the bare loop in turns, each ROUND_SECONDS, until every message is sent (a
    second of the bare loop first, to open its connections); prints the totals."""
    from messaging.delivery import backend_for
    from messaging.models import Message
    from messaging.services.delivery import deliver_for

    backend = backend_for("sms")
    bare = BareLoop(bare_url, backend.pool_size, timeout=backend.timeout)
    bare.run(1.0)
    totals = {"bare_requests": 0, "bare_seconds": 0.0, "delivery_seconds": 0.0, "round_ratios": []}
    delivered = {"claimed": 0, "sent": 0, "failed": 0, "retried": 0}
    while True:
        requests, bare_seconds = bare.run(ROUND_SECONDS)
        started = time.monotonic()
        done = deliver_for(ROUND_SECONDS)
        seconds = time.monotonic() - started
        if not done.claimed:
            break
        totals["bare_requests"] += requests
        totals["bare_seconds"] += bare_seconds
        totals["delivery_seconds"] += seconds
        totals["round_ratios"].append((done.sent / seconds) / (requests / bare_seconds))
        delivered = {key: value + getattr(done, key) for key, value in delivered.items()}
    bare.close()
    sent_rows = Message.unscoped.filter(campaign_id=campaign_id, status=Message.Status.SENT).count()
    found = {
        "delivered": delivered,
        "sent_rows": sent_rows,
        "bare_posted": bare.sent,
        "pool_size": backend.pool_size,
    }
    print(json.dumps({**totals, **found}))


class BareLoop:
    """The baseline: `threads` threads posting gateway messages (the backend's body and headers,
    one message per request) in a loop through one urllib3 pool of `threads` connections."""

    def __init__(self, url: str, threads: int, *, timeout: float):
        import urllib3

        self.url, self.threads, self.sent = url, threads, 0
        self._lock = threading.Lock()
        self._pool = urllib3.PoolManager(
            maxsize=threads, block=True, retries=False, timeout=urllib3.Timeout(total=timeout)
        )
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}

    def run(self, seconds: float) -> tuple[int, float]:
        """(requests answered 200, seconds taken) of posting for `seconds`."""
        started = time.monotonic()
        deadline = started + seconds
        with ThreadPoolExecutor(max_workers=self.threads) as threads:
            counts = list(threads.map(lambda _: self._loop(deadline), range(self.threads)))
        return sum(counts), time.monotonic() - started

    def close(self) -> None:
        self._pool.clear()

    def _loop(self, deadline: float) -> int:
        count = 0
        while time.monotonic() < deadline:
            with self._lock:
                self.sent += 1
                number = self.sent
            key = f"{number:030X}"
            message = {
                "id": key,
                "channel": "sms",
                "from": "Postroom",
                "to": f"+4477{number:08d}",
                "text": f"Hi {number}, your order has been dispatched.",
                "payload": None,
            }
            response = self._pool.request(
                "POST",
                self.url,
                body=json.dumps(message).encode(),
                headers={**self._headers, "Idempotency-Key": key},
                preload_content=False,
                redirect=False,
            )
            response.read()
            response.release_conn()
            assert response.status == 200, response.status
            count += 1
        return count


# ---- the fake gateway ----------------------------------------------------------------------------


class Gateway:
    """The fake gateway, in a process of its own on 127.0.0.1: POST answers 200 with no body at
    once; GET /stats answers {path: {requests, keys (distinct values of the `key_header`)}}."""

    def __init__(self, key_header: str = "Idempotency-Key"):
        self.key_header = key_header

    def __enter__(self) -> "Gateway":
        ctx = multiprocessing.get_context("fork")
        ours, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(theirs, self.key_header), daemon=True)
        self.process.start()
        self.url = f"http://127.0.0.1:{ours.recv()}"
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.join(10)

    def stats(self) -> dict:
        port = int(self.url.rsplit(":", 1)[1])
        raw = request("127.0.0.1", port, http_request("GET", "/stats"))
        return json.loads(raw.partition(b"\r\n\r\n")[2])


def _serve(conn, key_header: str) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GatewayHandler)
    server.lock = threading.Lock()
    server.key_header = key_header
    server.received = {}  # path -> [requests, {keys}]
    conn.send(server.server_address[1])
    server.serve_forever()


class _GatewayHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get(self.server.key_header)
        with self.server.lock:
            counted = self.server.received.setdefault(self.path, [0, set()])
            counted[0] += 1
            counted[1].add(key)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        with self.server.lock:
            stats = {
                path: {"requests": n, "keys": len(keys)} for path, (n, keys) in self.server.received.items()
            }
        body = json.dumps(stats).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

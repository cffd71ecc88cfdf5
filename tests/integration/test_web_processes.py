"""Several gunicorn worker processes against PostgreSQL and Redis: rate limits are counted
together, and each worker writes its own API log entries (in the background, and at exit)."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from accounts import services
from accounts.models import ApiLogEntry
from tests.integration.conftest import needs_shared_services, wait_until

pytestmark = [needs_shared_services, pytest.mark.django_db(transaction=True)]

LOGIN = "/api/v1/account/login"
BALANCE = "/api/v1/account/balance"


def hammer(server, calls: int, method: str, path: str, **kwargs) -> list[int]:
    """`calls` requests, 6 at a time, each on a new connection (so any worker may take it)."""
    with ThreadPoolExecutor(6) as pool:
        return list(pool.map(lambda _: server.request(method, path, **kwargs)[0], range(calls)))


def until_both_workers_served(server, send) -> list[int]:
    statuses: list[int] = []
    deadline = time.monotonic() + 60
    while len(server.served_by()) < 2 and time.monotonic() < deadline:
        statuses += send()
    assert len(server.served_by()) >= 2, server.served_by()
    return statuses


def test_login_rate_limit_per_ip_holds_across_two_worker_processes(gunicorn_server):
    # given: 6 logins per client address per day, two worker processes
    server = gunicorn_server(workers=2, RATE_LIMIT_LOGIN="6/day")
    body = json.dumps({"ApiKey": "sk_live_wrong"}).encode()
    headers = {"Content-Type": "application/json"}

    # when: enough attempts that both workers answered some of them
    statuses = until_both_workers_served(
        server, lambda: hammer(server, 24, "POST", LOGIN, headers=headers, body=body)
    )

    # then: six attempts in all got through, not six per process
    assert statuses.count(401) == 6, statuses
    assert statuses.count(429) == len(statuses) - 6


def test_company_rate_limit_holds_across_two_worker_processes(gunicorn_server, tokens):
    server = gunicorn_server(workers=2, RATE_LIMIT_WRITE="5/day")
    headers = {"Authorization": f"Bearer {tokens['token']}"}

    statuses = until_both_workers_served(server, lambda: hammer(server, 24, "POST", BALANCE, headers=headers))

    assert statuses.count(200) == 5, statuses
    assert statuses.count(429) == len(statuses) - 5


def test_each_worker_process_writes_its_api_log_entries_in_the_background(
    gunicorn_server, company, staff_user, tokens
):
    # given
    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    server = gunicorn_server(workers=2, API_LOG_FLUSH_INTERVAL_MS="200")
    headers = {"Authorization": f"Bearer {tokens['token']}", "X-Api-Key": "sk_live_never_stored"}

    # when
    statuses = until_both_workers_served(server, lambda: hammer(server, 12, "POST", BALANCE, headers=headers))

    # then: every call reaches the database while the server keeps running
    assert set(statuses) == {200}
    wait_until(
        lambda: ApiLogEntry.unscoped.filter(company=company).count() == len(statuses),
        timeout=20,
        describe=lambda: f"{ApiLogEntry.unscoped.count()} of {len(statuses)} entries; {server.log()}",
    )
    entry = ApiLogEntry.unscoped.filter(company=company).first()
    assert entry.request_headers["X-Api-Key"] == "[REDACTED]"
    assert entry.client_ip == "127.0.0.1" and entry.route == "v1:account-balance"


def test_a_worker_that_shuts_down_flushes_what_it_buffered(gunicorn_server, company, staff_user, tokens):
    # given: a flush interval so long that only the exit can write the entries
    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    server = gunicorn_server(workers=2, API_LOG_FLUSH_INTERVAL_MS="600000", API_LOG_FLUSH_BATCH="100000")
    headers = {"Authorization": f"Bearer {tokens['token']}"}
    statuses = hammer(server, 10, "POST", BALANCE, headers=headers)
    time.sleep(0.5)
    assert ApiLogEntry.unscoped.filter(company=company).count() == 0

    # when
    server.stop()

    # then
    assert ApiLogEntry.unscoped.filter(company=company).count() == len(statuses) == 10


def test_hostile_bodies_never_stall_the_web_workers_while_they_are_logged(
    gunicorn_server, company, staff_user, tokens
):
    # given: logging on, and bodies of the shapes that once stalled every worker for ~30 s
    services.api_logging_enable(company=company, by=staff_user, duration=timedelta(hours=1))
    server = gunicorn_server(workers=2, API_LOG_FLUSH_INTERVAL_MS="100")
    auth = {"Authorization": f"Bearer {tokens['token']}"}
    megabyte = 1024 * 1024
    bodies = [
        ("application/json", b'{"groupName": "' + b"y" * megabyte + b'"}'),
        ("text/plain", b'{"groupName": "' + b"y" * megabyte + b'"}'),
        ("application/json", b'{"token": "' + b"x" * megabyte),
        ("text/plain", b"token" * (megabyte // 5)),
        ("application/x-www-form-urlencoded", b"a-" * (megabyte // 2)),
    ] * 2

    # when: the hostile calls go in while /healthz is asked every 20 ms
    def send_all() -> list[int]:
        return [
            server.request("POST", "/api/v1/groups", headers={**auth, "Content-Type": kind}, body=body)[0]
            for kind, body in bodies
        ]

    latencies = []
    with ThreadPoolExecutor(1) as pool:
        sent = pool.submit(send_all)
        while not sent.done() or len(latencies) < 50:
            started = time.perf_counter()
            assert server.request("GET", "/healthz")[0] == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.02)
        statuses = sent.result()

    # then: the probes answered within 100 ms (95% of them: on a busy machine the scheduler alone
    # may hold one back; the outage held them for ~30 s), and every hostile call was logged, cut
    latencies.sort()
    assert all(status < 500 for status in statuses), statuses
    assert latencies[int(len(latencies) * 0.95)] < 0.1 and latencies[-1] < 1.0, latencies[-5:]
    wait_until(
        lambda: ApiLogEntry.unscoped.filter(company=company).count() == len(bodies),
        timeout=20,
        describe=lambda: f"{ApiLogEntry.unscoped.count()} of {len(bodies)} entries; {server.log()}",
    )
    for entry in ApiLogEntry.unscoped.filter(company=company):
        assert entry.request_body_truncated and len(entry.request_body.encode()) <= 16 * 1024

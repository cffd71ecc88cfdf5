"""Requests/s of the authenticated balance endpoint vs a bare DRF endpoint, same server, same run.
Target: balance >= 60% of bare."""

import json

from tests.benchmarks.support import Row, Server, bench_env, demo_company, http_request, load, request

TARGET = 0.60


def run(seconds: float = 5.0) -> list[Row]:
    env = bench_env()
    demo = demo_company(env)
    with Server(env) as server:
        login = request(
            "127.0.0.1",
            server.port,
            http_request(
                "POST",
                "/api/v1/account/login",
                {"Content-Type": "application/json"},
                json.dumps({"ApiKey": demo["api_key"]}).encode(),
            ),
        )
        token = json.loads(login.split(b"\r\n\r\n", 1)[1])["data"]["token"]
        bare = http_request("POST", "/bench/bare")
        balance = http_request("POST", "/api/v1/account/balance", {"Authorization": f"Bearer {token}"})
        load(server.port, bare, seconds=1)  # warm-up: imports, connections, caches
        load(server.port, balance, seconds=1)
        bare_result = load(server.port, bare, seconds=seconds)
        balance_result = load(server.port, balance, seconds=seconds)
    assert bare_result.errors == 0 and balance_result.errors == 0, (bare_result, balance_result)
    ratio = balance_result.rps / bare_result.rps
    return [
        Row("bare DRF endpoint", bare_result.rps, "req/s"),
        Row(
            "POST /api/v1/account/balance",
            balance_result.rps,
            "req/s",
            baseline_name="bare DRF endpoint",
            baseline=bare_result.rps,
            target=f">= {TARGET:.0%} of bare",
            passed=ratio >= TARGET,
        ),
    ]

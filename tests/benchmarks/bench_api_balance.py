"""Requests/s of the authenticated balance endpoint vs a bare DRF endpoint, same server, same run.
Target: balance >= 60% of bare."""

import json

from tests.benchmarks.support import (
    Row,
    Server,
    against_bare,
    bench_env,
    demo_company,
    http_request,
    request,
    rows_against_bare,
)

TARGET = 0.60


def run(seconds: float = 15.0) -> list[Row]:
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
        bare_result, balance_result = against_bare(
            server.port, "POST", "/api/v1/account/balance", token, seconds
        )
    return rows_against_bare("POST /api/v1/account/balance", bare_result, balance_result, TARGET)

"""Requests/s of the authenticated balance endpoint with API logging on vs off for its company,
same server, same run: ROUNDS rounds of (off, on), each phase a few seconds, so load from
anything else on the machine falls on both sides alike. Target: with logging on, >= 90% of the
requests/s with it off (median of the per-round ratios, which a burst of outside load in one phase
cannot swing); every logged call reaches the database."""

import time

from tests.benchmarks.support import (
    Row,
    Server,
    TakingTurns,
    bench_env,
    demo_company,
    http_request,
    load,
    login,
    manage,
    postgres_url,
    vacuum,
)

TARGET = 0.90
ROUNDS = 12
BALANCE = "/api/v1/account/balance"

_SWITCH = """
from datetime import timedelta
from accounts import services
from accounts.models import Company, User
staff = User.objects.filter(email="bench-staff@postroom.example").first()
if staff is None:
    staff = User.objects.create_superuser("bench-staff@postroom.example", None)
company = Company.objects.get(pk="{company_id}")
if {on}:
    services.api_logging_enable(company=company, by=staff, duration=timedelta(hours=1))
else:
    services.api_logging_disable(company=company, by=staff)
"""

_COUNT = """
from accounts.models import ApiLogEntry
print(ApiLogEntry.unscoped.filter(company_id="{company_id}").count())
"""

# The run's entries are its own: left behind, every later run would write into a bigger table.
_DELETE = """
from accounts.models import ApiLogEntry
ApiLogEntry.unscoped.filter(company_id="{company_id}").delete()
"""


def switch_logging(env: dict, company_id: str, *, on: bool) -> None:
    manage(env, "shell", "-c", _SWITCH.format(company_id=company_id, on=on))
    # every worker re-reads the windows within API_LOG_WINDOW_CACHE_SECONDS
    time.sleep(float(env["API_LOG_WINDOW_CACHE_SECONDS"]) + 0.5)


def logged(env: dict, company_id: str) -> int:
    return int(manage(env, "shell", "-c", _COUNT.format(company_id=company_id)).strip().splitlines()[-1])


def run(seconds: float = 3.0) -> list[Row]:
    env = bench_env(API_LOG_WINDOW_CACHE_SECONDS="0.5")
    demo = demo_company(env)
    company_id = demo["company_id"]
    results = {False: [], True: []}
    with Server(env) as server:
        token = login(server.port, demo["api_key"])
        balance = http_request("POST", BALANCE, {"Authorization": f"Bearer {token}"})
        load(server.port, balance, seconds=1)  # warm-up: imports, connections, caches
        for _ in range(ROUNDS):
            for on in (False, True):
                switch_logging(env, company_id, on=on)
                results[on].append(load(server.port, balance, seconds=seconds))
        switch_logging(env, company_id, on=False)
        time.sleep(1.5)  # the last flush interval
        written = logged(env, company_id)
    manage(env, "shell", "-c", _DELETE.format(company_id=company_id))
    if url := postgres_url():
        vacuum(url, "accounts_apilogentry")
    calls_on = sum(r.requests for r in results[True])
    turns = TakingTurns(results[False], results[True])
    return [
        *turns.rows("balance, API logging off", "balance, API logging on", "on as % of off", TARGET),
        Row(
            "entries written / calls logged",
            written,
            "",
            baseline=calls_on,
            target="all (>= calls while on)",
            passed=written >= calls_on,
        ),
    ]

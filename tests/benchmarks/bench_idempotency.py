"""Requests/s of a state-changing endpoint, recipient create (POST /api/v1/recipients), with a
fresh `Idempotency-Key` on every request vs without one, same server, same run: ROUNDS rounds of
(without, with), each phase a few seconds, so load from anything else on the machine falls on both
sides alike. Target: with keys, >= 85% of the requests/s without (median of the per-round ratios,
which a burst of outside load in one phase cannot swing). With a key, a request pays for its claim
(one INSERT ... ON CONFLICT DO NOTHING) and for storing its answer (one UPDATE).

The recipients go into a group of the run's own and, with the run's keys, are deleted at the end.
"""

import json
import uuid

from tests.benchmarks import support
from tests.benchmarks.support import Row

TARGET = 0.85
ROUNDS = 8
RECIPIENTS = "/api/v1/recipients"
MARK = "Bench-Idempotency"

_GROUP = """
from accounts.models import Company
from recipients.services import group_create
company = Company.objects.get(pk="{company_id}")
print(group_create(company=company, name="{mark} {run}").pk)
"""

# The run's rows are its own: left behind, every later run would write into bigger tables.
_CLEAN = """
from django.db.models import F
from accounts.models import IdempotencyKey
from config.db import delete_in_batches
from recipients.models import Recipient, RecipientCounter, RecipientGroup
made = Recipient.unscoped.filter(company_id="{company_id}", last_name="{mark}")
count = made.count()
delete_in_batches(made, 5000)
RecipientGroup.unscoped.filter(pk="{group_id}").delete()
RecipientCounter.objects.filter(company_id="{company_id}").update(count=F("count") - count)
delete_in_batches(IdempotencyKey.unscoped.filter(company_id="{company_id}"), 5000)
"""


def run(seconds: float = 3.0) -> list[Row]:
    env = support.bench_env()
    demo = support.demo_company(env)
    company_id = demo["company_id"]
    group_id = support.manage(
        env, "shell", "-c", _GROUP.format(company_id=company_id, mark=MARK, run=uuid.uuid4().hex[:8])
    )
    group_id = group_id.strip().splitlines()[-1]
    body = json.dumps(
        {"address1": "1 Bench Street", "postcode": "SW1A 1AA", "lastName": MARK, "groupId": group_id}
    )
    results = {False: [], True: []}
    try:
        with support.Server(env) as server:
            token = support.login(server.port, demo["api_key"])
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            without_key = support.http_request("POST", RECIPIENTS, headers, body.encode())

            def with_key() -> bytes:
                key = {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
                return support.http_request("POST", RECIPIENTS, {**headers, **key}, body.encode())

            requests = {False: without_key, True: with_key}
            for keyed in (False, True):  # warm-up: imports, connections, caches
                support.load(server.port, requests[keyed], seconds=1)
            for _ in range(ROUNDS):
                for keyed in (False, True):
                    results[keyed].append(support.load(server.port, requests[keyed], seconds=seconds))
    finally:
        support.manage(env, "shell", "-c", _CLEAN.format(company_id=company_id, group_id=group_id, mark=MARK))
        if url := support.postgres_url():
            support.vacuum(
                url, "recipients_recipient", "recipients_groupmembership", "accounts_idempotencykey"
            )
        support.drop_var_dir(env)
    return support.TakingTurns(results[False], results[True]).rows(
        "recipient create, no Idempotency-Key",
        "recipient create, a fresh Idempotency-Key",
        "with key as % of without",
        TARGET,
    )

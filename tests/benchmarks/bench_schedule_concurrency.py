"""200 approved campaigns scheduled (paid by balance) concurrently by 16 clients, every campaign
asked for twice by different clients: zero errors (every answer a documented 200), exactly one
payment per campaign, the balance down by exactly the sum of the payments and equal to its
ledger's total. Reports requests/s.

    createdb -h 127.0.0.1 -U postgres postroom_schedule_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_schedule_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=schedule_concurrency
"""

import json
import queue
import random
import threading
import time

from tests.benchmarks.support import Row, Server, bench_env, call, demo_company, drop_var_dir, login, manage

CAMPAIGNS = 200
CLIENTS = 16
PAID = "Congratulations! Your payment was successful. Campaign scheduled successfully!"
READ_ONLY = "Can not schedule campaign. Campaign is currently in a read-only state."

# `manage.py shell -c`: CAMPAIGNS approved campaigns of the demo company (on its demo group plus
# one recipient), and a balance that covers them all.
SETUP = """
import json
from accounts.models import Company
from billing import services as billing
from campaigns import services
from campaigns.models import Campaign
from recipients import services as recipient_services

company = Company.objects.get(pk={company!r})
demo = Campaign.objects.for_company(company).select_related("print_options").get(pk={campaign!r})
recipient_services.recipient_create(
    company=company,
    values={{"first_name": "Ada", "last_name": "Lovelace", "address1": "1 High Street", "city": "Leeds",
             "postcode": "LS1 4AB"}},
    group_id=demo.recipient_group_id,
)
ids = []
for i in range({count}):
    spec = services.PrintCampaignInput(
        name=f"Bench {{i}}", page_size="A4 Letter", orientation="Portrait", envelope="C5WIN",
        stock_weight="100UNCOAT", mail_class="First", recipients_type="group",
        recipients_id=str(demo.recipient_group_id),
    )
    created = services.campaign_create(company=company, spec=spec, template_id=demo.print_options.template_id)
    services.campaign_approve(company=company, campaign_id=created.campaign.pk)
    ids.append(str(created.campaign.pk))
billing.balance_top_up(company=company, amount="1000000.00", reason="Benchmark")
print(json.dumps({{"campaign_ids": ids}}))
"""

# After the run: what was charged, read from the database.
CHECK = """
import json
from decimal import Decimal
from django.db.models import Count, Sum
from accounts.models import Company
from billing.models import Balance, LedgerEntry, Payment
from campaigns.models import Campaign, Status

company = Company.objects.get(pk={company!r})
ids = {ids!r}
payments = Payment.objects.for_company(company).filter(reference__in=ids)
per_reference = payments.values("reference").annotate(n=Count("id"))
ledger = LedgerEntry.objects.for_company(company).aggregate(total=Sum("amount"))["total"] or Decimal("0")
print(json.dumps({{
    "payments": payments.count(),
    "double_charged": sum(1 for row in per_reference if row["n"] > 1),
    "paid_total": str(payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")),
    "balance": str(Balance.objects.get(company=company).amount),
    "ledger_total": str(ledger),
    "scheduled": Campaign.objects.for_company(company).filter(pk__in=ids, status=Status.SCHEDULED).count(),
}}))
"""


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def run() -> list[Row]:
    env = bench_env()
    try:
        demo = demo_company(env)
        ids = _last_json(
            manage(
                env,
                "shell",
                "-c",
                SETUP.format(company=demo["company_id"], campaign=demo["campaign_id"], count=CAMPAIGNS),
            )
        )["campaign_ids"]
        work: queue.Queue = queue.Queue()
        requests = [f"/api/v1/campaigns/schedule?campaignId={i}&next_available_date=true" for i in ids * 2]
        random.Random(7).shuffle(requests)
        for path in requests:
            work.put(path)
        answers: list = []
        lock = threading.Lock()

        with Server(env) as server:
            token = login(server.port, demo["api_key"])

            def client():
                while True:
                    try:
                        path = work.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        status, reply = call(server.port, "POST", path, token=token, timeout=60)
                        answer = (status, reply.get("message"))
                    except OSError as exc:
                        answer = (0, repr(exc))
                    with lock:
                        answers.append(answer)

            threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        check = _last_json(manage(env, "shell", "-c", CHECK.format(company=demo["company_id"], ids=ids)))
    finally:
        drop_var_dir(env)

    unexpected = sorted({a for a in answers if a not in ((200, PAID), (200, READ_ONLY))})
    if unexpected:
        print(f"  unexpected answers: {unexpected[:5]}", flush=True)
    paid = sum(1 for a in answers if a == (200, PAID))
    read_only = sum(1 for a in answers if a == (200, READ_ONLY))
    errors = len(answers) - paid - read_only
    consistent = (
        check["payments"] == paid == check["scheduled"] == CAMPAIGNS
        and check["double_charged"] == 0
        and check["balance"] == check["ledger_total"]
    )
    return [
        Row(
            f"schedule: {CAMPAIGNS} campaigns x2, {CLIENTS} clients",
            len(answers) / elapsed,
            "req/s",
            target="zero errors, zero double charges",
            passed=errors == 0 and consistent,
        ),
        Row(f"  errors (of {len(answers)} requests)", errors, ""),
        Row("  campaigns paid (once each)", check["payments"], ""),
        Row("  campaigns charged twice", check["double_charged"], ""),
        Row(
            f"  balance {demo['balance']} + 1000000.00 -> {check['balance']} (1: = ledger)",
            float(check["balance"] == check["ledger_total"]),
            "",
        ),
    ]

"""Requests/s of POST /api/v1/campaigns/cost for an approved campaign of 1,000,000 recipients vs
a bare DRF endpoint, same server, same run. Target: cost >= 50% of bare.

The recipient count is frozen at approval, so cost never scans recipients. A campaign is
created and approved through the services (its snapshot holds the demo group's real rows), then
given 1,000,000 frozen recipients: on PostgreSQL the rest as snapshot rows by one INSERT ...
SELECT generate_series (so the table really is that big), elsewhere the frozen count only.

    createdb -h 127.0.0.1 -U postgres postroom_schedule_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_schedule_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=campaign_cost
"""

import json

from tests.benchmarks.support import (
    Row,
    Server,
    against_bare,
    bench_env,
    call,
    demo_company,
    drop_var_dir,
    login,
    manage,
    rows_against_bare,
)

TARGET = 0.50
RECIPIENTS = 1_000_000

# Run in `manage.py shell -c` against the bench database: approve the demo campaign with one
# recipient, then freeze 1,000,000. Prints one JSON line.
SETUP = """
import json
from django.db import connection
from accounts.models import Company
from campaigns import services
from campaigns.models import Campaign, CampaignRecipient, SNAPSHOT_FIELDS
from recipients import services as recipient_services

company = Company.objects.get(pk={company!r})
demo = Campaign.objects.for_company(company).select_related("print_options").get(pk={campaign!r})
recipient_services.recipient_create(
    company=company,
    values={{"first_name": "Ada", "last_name": "Lovelace", "address1": "1 High Street", "city": "Leeds",
             "postcode": "LS1 4AB"}},
    group_id=demo.recipient_group_id,
)
spec = services.PrintCampaignInput(
    name="Bench cost", page_size="A4 Letter", orientation="Portrait", envelope="C5WIN",
    stock_weight="100UNCOAT", mail_class="First", recipients_type="group",
    recipients_id=str(demo.recipient_group_id),
)
campaign = services.campaign_create(company=company, spec=spec, template_id=demo.print_options.template_id).campaign
snapshot_rows = services.campaign_approve(company=company, campaign_id=campaign.pk).recipient_count
if connection.vendor == "postgresql":
    columns = ", ".join(SNAPSHOT_FIELDS)
    values = ", ".join(
        "'LS1 4AB'" if f == "postcode" else "i || ' High Street'" if f == "address1" else "''"
        for f in SNAPSHOT_FIELDS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {{CampaignRecipient._meta.db_table}} (campaign_id, sequence, recipient_id, {{columns}}) "
            f"SELECT %s, i, gen_random_uuid(), {{values}} FROM generate_series(%s, %s) AS i",
            [campaign.pk, snapshot_rows + 1, {count}],
        )
        snapshot_rows += cursor.rowcount
        cursor.execute(f"ANALYZE {{CampaignRecipient._meta.db_table}}")
Campaign.unscoped.filter(pk=campaign.pk).update(recipient_count={count})
print(json.dumps({{"campaign_id": str(campaign.pk), "snapshot_rows": snapshot_rows}}))
"""


def run(seconds: float = 15.0) -> list[Row]:
    env = bench_env()
    try:
        demo = demo_company(env)
        setup = json.loads(
            manage(
                env,
                "shell",
                "-c",
                SETUP.format(company=demo["company_id"], campaign=demo["campaign_id"], count=RECIPIENTS),
            )
            .strip()
            .splitlines()[-1]
        )
        with Server(env) as server:
            token = login(server.port, demo["api_key"])
            path = f"/api/v1/campaigns/cost?campaignId={setup['campaign_id']}&isAdMail=false"
            status, reply = call(server.port, "POST", path, token=token)
            assert status == 200 and reply["data"]["totalRecipients"] == RECIPIENTS, reply
            bare_result, cost_result = against_bare(server.port, "POST", path, token, seconds)
    finally:
        drop_var_dir(env)
    name = f"campaigns/cost, 1M recip. ({setup['snapshot_rows']:,} snapshot rows)"
    return rows_against_bare(name, bare_result, cost_result, TARGET)

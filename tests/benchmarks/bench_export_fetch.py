"""Requests/s of POST /v1/messages/fetch as json (one page of 1000 messages, with the export
API's headers: bearer token, x-auth-context, x-ip) vs the bare DRF endpoint (no headers, no
throttle, no audit: the same stored page read and turned into plain dicts), same server, same
run. Target: >= 40% of bare.

    createdb -h 127.0.0.1 -U postgres postroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=export_fetch
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

TARGET = 0.40
ROWS = 1000

# Run in `manage.py shell -c`: a finished SMS campaign of the demo company whose current export
# is one stored page of ROWS messages (written here as the export task writes it: the page is
# what fetch reads), and the company's messages api_code. Prints one JSON line.
SETUP = """
import csv, io, json, uuid
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from accounts.models import Company
from accounts.selectors import default_workspace
from accounts.services import messages_api_code_rotate
from campaigns.models import Campaign, MessageSettings
from messaging.models import MessageExport

company = Company.objects.get(pk={company!r})
campaign = Campaign.unscoped.create(
    company=company, workspace=default_workspace(company=company), channel="sms", name="Bench export",
    status="finished",
)
MessageSettings.objects.create(
    campaign=campaign, schedule_type="now", template="Hi {{first_name}}", sender="Postroom",
    recipient_lists=[], total_messages={rows},
)
export = MessageExport.unscoped.create(
    company=company, campaign=campaign, status="done", is_current=True, page_rows={rows}, pages=1,
    rows={rows},
)
out = io.StringIO()
writer = csv.writer(out)
writer.writerow(["customer_id", "message"])
for n in range({rows}):
    writer.writerow([str(uuid.uuid4()), f"Hi Customer {{n}}, your order ORD-{{n:06d}} ships today. Track it, or reply STOP to opt out."])
default_storage.save(export.page_key(0), ContentFile(out.getvalue().encode("utf-8")))
code = messages_api_code_rotate(company=company)
print(json.dumps({{"campaign_id": str(campaign.pk), "export_id": str(export.pk), "api_code": code}}))
"""

CLEAN = """
from django.core.files.storage import default_storage
from campaigns.models import Campaign
from messaging.models import MessageExport, MessagesApiCall
export = MessageExport.unscoped.get(pk={export!r})
default_storage.delete(export.page_key(0))
MessagesApiCall.objects.filter(campaign_id={campaign!r}).delete()
Campaign.unscoped.filter(pk={campaign!r}).delete()
"""


def run(seconds: float = 15.0) -> list[Row]:
    env = bench_env()
    demo = demo_company(env)
    made = None
    try:
        code = SETUP.format(company=demo["company_id"], rows=ROWS)
        made = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
        bare_result, fetch_result = measure(env, demo["api_key"], made, seconds)
    finally:  # the campaign and its page were this run's alone: leave the database as it was
        if made is not None:
            manage(env, "shell", "-c", CLEAN.format(export=made["export_id"], campaign=made["campaign_id"]))
        drop_var_dir(env)
    return rows_against_bare(f"POST /v1/messages/fetch json ({ROWS} rows)", bare_result, fetch_result, TARGET)


def measure(env: dict, api_key: str, made: dict, seconds: float):
    path = "/v1/messages/fetch"
    bare_path = f"/bench/bare-export-page/{made['export_id']}/0"
    body = json.dumps({"campaign_id": made["campaign_id"], "file_num": 0, "export_type": "json"}).encode()
    headers = {
        "Content-Type": "application/json",
        "x-auth-context": json.dumps({"api_access": True, "api_code": made["api_code"]}),
        "x-ip": "203.0.113.7",
    }
    with Server(env) as server:
        token = login(server.port, api_key)
        status, reply = call(server.port, "POST", path, token=token, body=body, headers=headers)
        assert status == 200 and len(reply["data"]) == ROWS and reply["truncated"] is False, (status, reply)
        status, bare = call(server.port, "POST", bare_path)
        assert status == 200 and bare["data"] == reply["data"], status
        return against_bare(
            server.port, "POST", path, token, seconds, bare_path=bare_path, headers=headers, body=body
        )

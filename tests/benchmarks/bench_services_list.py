"""Requests/s of the first page of a workspace's message campaigns (GET /services/{uuid}/campaigns,
the default page of 10, with an OAuth2 client credentials token) for a workspace of 10,000 message
campaigns vs the bare DRF endpoint (no auth, no throttle: the same 10 campaigns read and turned
into plain dicts), same server, same run. Target: >= 40% of bare.

    createdb -h 127.0.0.1 -U postgres postroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=services_list
"""

import base64
import json

from tests.benchmarks.support import (
    Row,
    Server,
    against_bare,
    bench_env,
    call,
    demo_company,
    drop_var_dir,
    http_request,
    manage,
    postgres_url,
    request,
    rows_against_bare,
    vacuum,
)

TARGET = 0.40
CAMPAIGNS = 10_000

# Run in `manage.py shell -c`: CAMPAIGNS message campaigns (channels and statuses mixed) in the
# demo company's default workspace, in bulk, and an OAuth application of the company. Prints one
# JSON line.
SETUP = """
import json
from accounts.models import Company, Workspace
from accounts.services import oauth_application_create
from campaigns.models import Campaign, MessageSettings

company = Company.objects.get(pk={company!r})
workspace = Workspace.objects.for_company(company).get(pk={workspace!r})
channels = ("sms", "email", "whatsapp", "viber")
statuses = ("active", "draft", "stopped", "finished")
campaigns = Campaign.unscoped.bulk_create(
    [
        Campaign(company=company, workspace=workspace, channel=channels[i % 4], name=f"Campaign {{i}}",
                 status=statuses[i % 4])
        for i in range({count})
    ],
    batch_size=2000,
)
MessageSettings.objects.bulk_create(
    [
        MessageSettings(campaign=campaign, schedule_type="now", template="Hi {{first_name}}",
                        sender="Postroom", recipient_lists=[{group!r}])
        for campaign in campaigns
    ],
    batch_size=2000,
)
made = oauth_application_create(company=company, name="Bench")
print(json.dumps({{"client_id": made.application.client_id, "client_secret": made.client_secret}}))
"""

CLEAN = """
from campaigns.models import Campaign, MessageSettings
MessageSettings.objects.filter(campaign__workspace_id={workspace!r}).delete()
Campaign.unscoped.filter(workspace_id={workspace!r}).delete()
"""


def run(seconds: float = 15.0) -> list[Row]:
    env = bench_env()
    demo = demo_company(env)
    workspace = demo["service_uuid"]
    try:
        code = SETUP.format(
            company=demo["company_id"], workspace=workspace, group=demo["default_group_id"], count=CAMPAIGNS
        )
        application = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
        settle(env)
        bare_result, list_result = measure(env, workspace, application, seconds)
    finally:  # the campaigns were this run's alone: leave the database as it was
        manage(env, "shell", "-c", CLEAN.format(workspace=workspace))
        settle(env)
        drop_var_dir(env)
    path = f"/services/{{uuid}}/campaigns ({CAMPAIGNS // 1000}k campaigns)"
    return rows_against_bare(f"GET {path}", bare_result, list_result, TARGET)


def settle(env: dict) -> None:
    """Fresh statistics, and on PostgreSQL no dead rows of earlier runs (VACUUM, as autovacuum
    keeps a live database)."""
    url = postgres_url()
    if url is None:
        manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")
    else:
        vacuum(url, "campaigns_campaign", "campaigns_messagesettings")


def measure(env: dict, workspace: str, application: dict, seconds: float):
    path = f"/services/{workspace}/campaigns"
    bare_path = f"/bench/bare-campaigns/{workspace}"
    with Server(env) as server:
        token = oauth_token(server.port, application["client_id"], application["client_secret"])
        status, reply = call(server.port, "GET", path, token=token)
        assert status == 200 and reply["meta"]["pagination"]["total"] == CAMPAIGNS, (status, reply)
        status, bare = call(server.port, "GET", bare_path)
        assert status == 200, (status, bare)
        assert [c["uuid"] for c in reply["data"]] == [c["uuid"] for c in bare["data"]], (reply, bare)
        assert len(reply["data"]) == 10, reply
        return against_bare(server.port, "GET", path, token, seconds, bare_path=bare_path)


def oauth_token(port: int, client_id: str, client_secret: str) -> str:
    """An access token from the real token endpoint (client credentials, HTTP Basic)."""
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
    raw = request(
        "127.0.0.1", port, http_request("POST", "/oauth/token/", headers, b"grant_type=client_credentials")
    )
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), raw[:500]
    return json.loads(body)["access_token"]

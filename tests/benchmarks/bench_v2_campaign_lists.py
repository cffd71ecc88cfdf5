"""Requests/s of campaign API v2's two lists (X-API-Key), each vs a bare DRF endpoint (no auth, no
throttle: the same rows read and turned into plain dicts), same server, same run:

    GET /v2/campaign/getAll?resultSize=100       a company of 10,000 client campaigns
    GET /v2/campaign/getCampMsgs?resultSize=100  its newest campaign, of 1,000,000 messages

Target: each >= 40% of its bare endpoint. The campaigns (scheduled, completed and stopped, with
their settings, counters and firings) and the messages go in set-based (INSERT ... SELECT), so
PostgreSQL only; skipped otherwise. The clients themselves are not written: neither list reads them.

    createdb -h 127.0.0.1 -U postgres postroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=v2_campaign_lists
"""

import uuid

import psycopg

from tests.benchmarks.bench_v2_campaign_create import JSON_MESSAGE, MESSAGE_TEXT
from tests.benchmarks.support import (
    Row,
    Server,
    against_bare,
    bench_env,
    call,
    demo_company,
    drop_var_dir,
    postgres_url,
    rows_against_bare,
    skipped,
    vacuum,
)

TARGET = 0.40
CAMPAIGNS = 10_000
MESSAGES = 1_000_000
RESULT_SIZE = 100
TABLES = (
    "campaigns_campaign",
    "campaigns_messagesettings",
    "messaging_clientcampaign",
    "messaging_occurrence",
    "messaging_message",
)
# What create keeps as the campaign's template: the JSON message with a body component of the params.
SETTINGS_TEMPLATE = (
    '{"to": "<accountID>", "type": "template", "template": {"namespace": "<namespace>", "language": '
    '{"policy": "deterministic", "code": "en_US"}, "name": "order_confirmation", "components": '
    '[{"type": "body", "parameters": [{"type": "text", "text": "{{1}}"}, {"type": "text", "text": "{{2}}"}]}]}}'
)

# The campaigns, one millisecond apart; the last (the newest) is the one with the messages. Every
# fourth is still scheduled (its send time a year ahead, so no beat fires it), every fourth after
# that stopped, the rest completed; each fired one has its firing.
CAMPAIGN_ROWS = """
CREATE TEMP TABLE bench_v2_campaigns ON COMMIT DROP AS
SELECT i, gen_random_uuid() AS id, %(start)s + i * interval '1 millisecond' AS made,
    CASE WHEN i = %(count)s THEN 'completed' WHEN i %% 4 = 0 THEN 'scheduled'
         WHEN i %% 4 = 3 THEN 'stopped' ELSE 'completed' END AS kind,
    CASE WHEN i = %(count)s THEN %(messages)s ELSE 2 END AS clients
FROM generate_series(1, %(count)s) AS i
"""
CAMPAIGNS_SQL = """
INSERT INTO campaigns_campaign (id, channel, name, status, selection, recipient_count, total_cost,
    dispatch_date, preview_file, preview_generated_at, preview_error, approved_at, created_at, updated_at,
    company_id, created_by_id, recipient_id, recipient_group_id, held_at, voucher_id, workspace_id)
SELECT id, 'whatsapp', 'Order confirmations ' || i,
    CASE kind WHEN 'scheduled' THEN 'active' WHEN 'stopped' THEN 'stopped' ELSE 'finished' END,
    'clients', clients, 0, NULL, '', NULL, '', NULL, made, made, %(company)s,
    (SELECT id FROM accounts_user WHERE company_id = %(company)s ORDER BY id LIMIT 1), NULL, NULL, NULL, NULL,
    %(workspace)s
FROM bench_v2_campaigns
"""
SETTINGS_SQL = """
INSERT INTO campaigns_messagesettings (campaign_id, schedule_type, schedule_rrule, template, sender,
    webpush_title, webpush_body, webpush_target_url, webpush_icon, webpush_image, recipient_lists,
    query_type, query, activated_at, next_at, last_at, delivered_count, failed_count, last_error,
    sent_count, total_messages)
SELECT id, 'once', to_char((made + CASE WHEN kind = 'scheduled' THEN interval '1 year' ELSE interval '0' END)
        AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
    %(template)s, '', '', '', '', '', '', '[]'::jsonb, 'all', NULL, made,
    CASE WHEN kind = 'scheduled' THEN made + interval '1 year' END,
    CASE WHEN kind = 'scheduled' THEN NULL ELSE made END,
    CASE kind WHEN 'completed' THEN 1 ELSE 0 END, CASE kind WHEN 'stopped' THEN 1 ELSE 0 END,
    CASE kind WHEN 'stopped' THEN 'gateway refused' ELSE '' END,
    CASE kind WHEN 'completed' THEN 2 WHEN 'stopped' THEN 1 ELSE 0 END,
    CASE kind WHEN 'scheduled' THEN 0 ELSE 2 END
FROM bench_v2_campaigns
"""
CLIENT_CAMPAIGNS_SQL = """
INSERT INTO messaging_clientcampaign (template_id, template_name, language, message, json, send_at,
    client_count, campaign_id, company_id)
SELECT NULL, '', '', %(message)s, %(json)s,
    made + CASE WHEN kind = 'scheduled' THEN interval '1 year' ELSE interval '0' END, clients, id, %(company)s
FROM bench_v2_campaigns ORDER BY i
"""
OCCURRENCES_SQL = """
INSERT INTO messaging_occurrence (scheduled_at, status, content, targeting, targeted, generated,
    without_address, attempts, failure_reason, heartbeat_at, created_at, started_at, finished_at,
    campaign_id, company_id, checkpoint_recipient_id, checkpoint_client)
SELECT made, 'generated', jsonb_build_object('channel', 'whatsapp', 'sender', '', 'template', %(template)s::text,
        'message', %(message)s::text, 'webpush_title', '', 'webpush_body', '', 'webpush_target_url', '',
        'webpush_icon', '', 'webpush_image', ''),
    '{"clients": true}'::jsonb, clients, clients, 0, 1, '', made, made, made, made, id, %(company)s, NULL, clients
FROM bench_v2_campaigns WHERE kind <> 'scheduled'
"""
NEWEST = """
SELECT c.id, cc.id, o.id FROM bench_v2_campaigns c
JOIN messaging_clientcampaign cc ON cc.campaign_id = c.id JOIN messaging_occurrence o ON o.campaign_id = c.id
WHERE c.i = %(count)s
"""
# The newest campaign's messages, as generation and delivery leave them: 1 in 50 failed, the others
# sent, two in three of those delivered too; its counters to match.
MESSAGES_SQL = """
INSERT INTO messaging_message (company_id, campaign_id, occurrence_id, recipient_id, client, channel,
    address, body, payload, status, attempts, last_error, message_key, next_attempt_at, provider_id,
    created_at, sent_at, delivered_at)
SELECT %(company)s, %(campaign)s, %(occurrence)s, NULL, i, 'whatsapp', '+4477' || lpad(i::text, 8, '0'),
    'Thank you for your order, Client ' || i || '! Your order number is ORD-' || i || '.',
    jsonb_build_object('to', '+4477' || lpad(i::text, 8, '0'), 'type', 'template', 'template',
        jsonb_build_object('namespace', '<namespace>', 'name', 'order_confirmation',
            'language', jsonb_build_object('policy', 'deterministic', 'code', 'en_US'),
            'components', jsonb_build_array(jsonb_build_object('type', 'body', 'parameters', jsonb_build_array(
                jsonb_build_object('type', 'text', 'text', 'Client ' || i),
                jsonb_build_object('type', 'text', 'text', 'ORD-' || i)))))),
    CASE WHEN i %% 50 = 0 THEN 'failed' WHEN i %% 3 = 0 THEN 'sent' ELSE 'delivered' END, 1,
    CASE WHEN i %% 50 = 0 THEN 'gateway refused' ELSE '' END, upper(substr(md5(%(salt)s || ':' || i), 1, 30)),
    NULL, CASE WHEN i %% 50 = 0 THEN '' ELSE 'wamid.' || i END, %(start)s,
    CASE WHEN i %% 50 <> 0 THEN %(start)s END, CASE WHEN i %% 50 <> 0 AND i %% 3 <> 0 THEN %(start)s END
FROM generate_series(1, %(messages)s) AS i
"""
COUNTERS_SQL = """
UPDATE campaigns_messagesettings SET total_messages = %(messages)s, failed_count = %(failed)s,
    sent_count = %(sent)s, delivered_count = %(delivered)s, last_error = 'gateway refused'
WHERE campaign_id = %(campaign)s
"""
CLEAN = (
    "DELETE FROM messaging_message WHERE company_id = %(company)s",
    "DELETE FROM messaging_occurrence WHERE company_id = %(company)s",
    "DELETE FROM messaging_clientcampaign WHERE company_id = %(company)s",
    "DELETE FROM campaigns_messagesettings WHERE campaign_id IN "
    "(SELECT id FROM campaigns_campaign WHERE company_id = %(company)s AND selection = 'clients')",
    "DELETE FROM campaigns_campaign WHERE company_id = %(company)s AND selection = 'clients'",
)


def run(seconds: float = 15.0) -> list[Row]:
    url = postgres_url()
    if url is None:
        return [skipped("campaign API v2 lists", "needs PostgreSQL DATABASE_URL")]
    env = bench_env()
    demo = demo_company(env)
    company = demo["company_id"]
    with psycopg.connect(url, autocommit=True) as db:
        try:
            newest = make_campaigns(db, company, demo["service_uuid"])
            vacuum(url, *TABLES)
            results = measure(env, demo, newest, seconds)
        finally:  # the rows were this run's alone: leave the database as it was
            with db.transaction():
                for statement in CLEAN:
                    db.execute(statement, {"company": company})
            vacuum(url, *TABLES)
            drop_var_dir(env)
    (bare_all, get_all), (bare_messages, messages) = results
    return [
        *rows_against_bare(
            f"GET v2 getAll?resultSize={RESULT_SIZE}, 10k campaigns", bare_all, get_all, TARGET,
            bare_name="bare DRF: 100 client campaigns",
        ),
        *rows_against_bare(
            f"GET v2 getCampMsgs?resultSize={RESULT_SIZE}, 1M msgs", bare_messages, messages, TARGET,
            bare_name="bare DRF: 100 messages of a campaign",
        ),
    ]  # fmt: skip


def make_campaigns(db, company: str, workspace: str) -> dict:
    """CAMPAIGNS client campaigns of the company, the newest with MESSAGES messages; its ids."""
    start = db.execute("SELECT clock_timestamp()").fetchone()[0]
    params = {
        "company": company,
        "workspace": workspace,
        "start": start,
        "count": CAMPAIGNS,
        "messages": MESSAGES,
        "template": SETTINGS_TEMPLATE,
        "message": MESSAGE_TEXT,
        "json": JSON_MESSAGE,
    }
    with db.transaction():
        db.execute(CAMPAIGN_ROWS, params)
        for statement in (CAMPAIGNS_SQL, SETTINGS_SQL, CLIENT_CAMPAIGNS_SQL, OCCURRENCES_SQL):
            db.execute(statement, params)
        campaign, number, occurrence = db.execute(NEWEST, params).fetchone()
    ids = {"campaign": campaign, "number": number, "occurrence": occurrence}
    with db.transaction():
        db.execute(MESSAGES_SQL, {**params, **ids, "salt": uuid.uuid4().hex})
        failed = len(range(50, MESSAGES + 1, 50))
        delivered = sum(1 for i in range(1, MESSAGES + 1) if i % 50 and i % 3)
        counters = {"failed": failed, "sent": MESSAGES - failed, "delivered": delivered}
        db.execute(COUNTERS_SQL, {**ids, **counters, "messages": MESSAGES})
    return ids


def measure(env: dict, demo: dict, newest: dict, seconds: float):
    key = {"X-API-Key": demo["api_key"]}
    all_path = f"/v2/campaign/getAll?resultSize={RESULT_SIZE}"
    all_bare = f"/bench/bare-client-campaigns/{demo['company_id']}"
    messages_path = f"/v2/campaign/getCampMsgs?campaignID={newest['number']}&resultSize={RESULT_SIZE}"
    messages_bare = f"/bench/bare-client-messages/{newest['campaign']}"
    with Server(env) as server:
        status, reply = call(server.port, "GET", all_path, headers=key)
        assert status == 200 and reply["Total"] == CAMPAIGNS, (status, reply)
        status, bare = call(server.port, "GET", all_bare)
        assert status == 200, (status, bare)
        assert [c["ID"] for c in reply["Campaigns"]] == [c["ID"] for c in bare["Campaigns"]], (reply, bare)
        assert len(reply["Campaigns"]) == RESULT_SIZE and reply["Campaigns"][0]["ID"] == newest["number"], (
            reply
        )
        status, reply = call(server.port, "GET", messages_path, headers=key)
        assert status == 200 and reply["Total"] == MESSAGES, (status, reply)
        status, bare = call(server.port, "GET", messages_bare)
        assert status == 200, (status, bare)
        keys = [m["MessageKey"] for m in reply["Messages"]]
        assert keys == [m["message_key"] for m in bare["Messages"]] and len(keys) == RESULT_SIZE, (
            reply,
            bare,
        )
        return (
            against_bare(server.port, "GET", all_path, "", seconds, bare_path=all_bare, headers=key),
            against_bare(
                server.port, "GET", messages_path, "", seconds, bare_path=messages_bare, headers=key
            ),
        )

"""Approving a campaign whose group has 1,000,000 recipients (the set-based snapshot of every
address, through POST /api/v1/campaigns/approve) vs a plain INSERT ... SELECT of the same rows
into a bare copy of the snapshot table (no keys, no indexes), same database, same run.
Target: approve <= 3x the plain INSERT ... SELECT. PostgreSQL only; skipped otherwise.

    createdb -h 127.0.0.1 -U postgres postroom_campaigns_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_campaigns_bench make bench BENCH=campaign_approve
"""

import json
import time

import psycopg

from tests.benchmarks.support import (
    Row,
    Server,
    bench_env,
    call,
    demo_company,
    drop_var_dir,
    login,
    postgres_url,
    skipped,
)

TARGET = 3.0
RECIPIENTS = 1_000_000

GROUP = """
INSERT INTO recipients_recipientgroup (id, company_id, name, is_default, status, file_name, recipient_count,
    total_records, failed_records, processed_records, failure_reason, created_at, updated_at)
VALUES (gen_random_uuid(), %(company)s, %(name)s, false, 'ready', '', %(count)s, NULL, 0, 0, '', now(), now())
RETURNING id
"""
RECIPIENTS_SQL = """
INSERT INTO recipients_recipient (
    id, company_id, title, first_name, last_name, company_name, address1, address2, address3,
    address4, address5, city, county, postcode, country, email, mobile, custom_fields,
    import_job_id, source_row, created_at, updated_at)
SELECT gen_random_uuid(), %(company)s, 'Mx', 'First' || i, 'Last' || i, '', i || ' High Street',
    'Flat ' || (i %% 40), '', '', '', 'Leeds', 'West Yorkshire', 'LS' || (i %% 30) || ' ' || (i %% 9) || 'AB',
    'United Kingdom', '', '', '{}'::jsonb, NULL, NULL, %(start)s + i * interval '1 microsecond',
    %(start)s + i * interval '1 microsecond'
FROM generate_series(1, %(count)s) AS i
"""
MEMBERSHIPS = """
INSERT INTO recipients_groupmembership (group_id, recipient_id)
SELECT %(group)s, id FROM recipients_recipient
WHERE company_id = %(company)s AND created_at > %(start)s ORDER BY created_at
"""
COUNT = "UPDATE recipients_recipientcounter SET count = count + %s WHERE company_id = %s"
FIELDS = "title, first_name, last_name, company_name, address1, address2, address3, address4, address5, city, county, postcode, country"
# The same SELECT the approval runs, into a bare copy of the snapshot table.
PLAIN = f"""
INSERT INTO bench_plain_snapshot (campaign_id, sequence, recipient_id, {FIELDS})
SELECT %(campaign)s, ROW_NUMBER() OVER (ORDER BY m.id), r.id, {", ".join("r." + f for f in FIELDS.split(", "))}
FROM recipients_groupmembership m JOIN recipients_recipient r ON r.id = m.recipient_id
WHERE m.group_id = %(group)s AND r.company_id = %(company)s
"""  # noqa: S608 (constant column names)


def run() -> list[Row]:
    url = postgres_url()
    if url is None:
        return [skipped("campaign approve", "needs PostgreSQL DATABASE_URL")]
    env = bench_env(GUNICORN_CMD_ARGS="--timeout 900")
    demo = demo_company(env)
    company = demo["company_id"]
    with psycopg.connect(url, autocommit=True) as db:
        start = db.execute("SELECT clock_timestamp()").fetchone()[0]
        with db.transaction():
            group = db.execute(
                GROUP, {"company": company, "name": f"bench {start}", "count": RECIPIENTS}
            ).fetchone()[0]
            db.execute(RECIPIENTS_SQL, {"company": company, "start": start, "count": RECIPIENTS})
            db.execute(MEMBERSHIPS, {"group": group, "company": company, "start": start})
            db.execute(COUNT, (RECIPIENTS, company))
        db.execute("VACUUM ANALYZE recipients_recipient")
        db.execute("VACUUM ANALYZE recipients_groupmembership")
        try:
            plain_seconds, approve_seconds, frozen = measure(db, env, demo, group)
        finally:  # leave the database as it was
            db.execute("DROP TABLE IF EXISTS bench_plain_snapshot")
            with db.transaction():
                db.execute("DELETE FROM recipients_groupmembership WHERE group_id = %s", (group,))
                db.execute(
                    "DELETE FROM recipients_recipient WHERE company_id = %s AND created_at > %s",
                    (company, start),
                )
                db.execute("DELETE FROM recipients_recipientgroup WHERE id = %s", (group,))
                db.execute(COUNT, (-RECIPIENTS, company))
            drop_var_dir(env)
    assert frozen == RECIPIENTS, frozen
    ratio = approve_seconds / plain_seconds
    return [
        Row("plain INSERT ... SELECT of 1M rows", plain_seconds, "s"),
        Row(
            "approve 1M-recipient campaign (snapshot)",
            approve_seconds,
            "s",
            baseline_name="plain INSERT ... SELECT of 1M rows",
            baseline=plain_seconds,
            target=f"<= {TARGET:g}x plain",
            passed=ratio <= TARGET,
        ),
    ]


def plain_insert(db, campaign: str, group, company: str) -> float:
    db.execute("DROP TABLE IF EXISTS bench_plain_snapshot")
    db.execute("CREATE TABLE bench_plain_snapshot (LIKE campaigns_campaignrecipient)")
    started = time.perf_counter()
    with db.transaction():
        db.execute(PLAIN, {"campaign": campaign, "group": group, "company": company})
    elapsed = time.perf_counter() - started
    db.execute("DROP TABLE bench_plain_snapshot")
    return elapsed


def measure(db, env: dict, demo: dict, group) -> tuple[float, float, int]:
    with Server(env, workers=1) as server:
        token = login(server.port, demo["api_key"])
        template_id = _c5_template(server.port, token)
        body = {
            "campaign": {
                "name": "Bench million", "pageSize": "A4 Letter", "pageOrientation": "Portrait",
                "windowGummedCode": "C5WIN", "stockWeightCode": "100UNCOAT", "mailClassCode": "First",
                "recipients": {"type": "group", "id": str(group)},
            },
            "templateId": template_id,
        }  # fmt: skip
        status, reply = call(
            server.port, "POST", "/api/v1/campaigns", token=token, body=json.dumps(body).encode(), timeout=120
        )
        assert status == 200 and reply["data"]["status"] == "Preview", reply
        campaign = reply["data"]["campaignId"]
        before = plain_insert(db, campaign, group, demo["company_id"])
        started = time.perf_counter()
        status, reply = call(
            server.port, "POST", f"/api/v1/campaigns/approve?campaignId={campaign}", token=token, timeout=900
        )
        approve_seconds = time.perf_counter() - started
        assert status == 200 and reply["message"] == "Campaign approved successfully.", reply
        after = plain_insert(db, campaign, group, demo["company_id"])
        frozen = db.execute(
            "SELECT count(*) FROM campaigns_campaignrecipient WHERE campaign_id = %s", (campaign,)
        ).fetchone()[0]
        print(
            f"  plain INSERT ... SELECT: {before:.2f} s before, {after:.2f} s after; approve {approve_seconds:.2f} s",
            flush=True,
        )
        status, reply = call(
            server.port, "POST", f"/api/v1/campaigns/delete?campaignId={campaign}", token=token, timeout=900
        )
        assert status == 200, reply
        return min(before, after), approve_seconds, frozen


def _c5_template(port: int, token: str) -> int:
    status, reply = call(
        port, "GET", "/api/v1/template?pageSize=A4%20Letter&windowGummedCode=C5WIN", token=token
    )
    assert status == 200 and reply["data"]["items"], reply
    return reply["data"]["items"][0]["id"]

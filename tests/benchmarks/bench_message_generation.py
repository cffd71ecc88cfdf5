"""Generating the messages of an SMS occurrence whose group has 1,000,000 recipients (template with
two variables), through a real Celery worker (messaging.tasks.occurrence_generate: keyset batches
of INSERT ... SELECT), vs one plain INSERT ... SELECT of the same rows into a table of the
messages' shape (same columns and indexes), same database, same run.
Targets: generation <= 2.5x the plain INSERT ... SELECT; worker peak RSS < 300 MB.
Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL, for the real worker): skipped otherwise.

    createdb -h 127.0.0.1 -U postgres postroom_generation_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_generation_bench REDIS_URL=redis://127.0.0.1:6379/15 \\
        make bench BENCH=message_generation
"""

import json
import os
import time
import uuid

import psycopg
from celery import Celery

from tests.benchmarks.support import (
    Row,
    Worker,
    bench_env,
    cpu_seconds,
    demo_company,
    drop_var_dir,
    manage,
    postgres_url,
    quiet_disk,
    rss_mb,
    skipped,
    vacuum,
)

TARGET, RSS_TARGET_MB = 2.5, 300
RECIPIENTS = 1_000_000
NO_MOBILE_EVERY = 100  # their messages are written failed ('no address'), as in real lists
TEMPLATE = "Hello {first_name} {last_name}, your code is ready"
GENERATION_TIMEOUT = 15 * 60
POLL_SECONDS = 0.05
TABLES = ("recipients_recipient", "recipients_groupmembership", "messaging_message")

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
    '', '', '', '', 'Leeds', 'West Yorkshire', 'LS' || (i %% 30) || ' ' || (i %% 9) || 'AB', 'United Kingdom',
    '', CASE WHEN i %% %(every)s = 0 THEN '' ELSE '07' || (700000000 + i) END, '{}'::jsonb, NULL, NULL,
    %(start)s + i * interval '1 microsecond', %(start)s + i * interval '1 microsecond'
FROM generate_series(1, %(count)s) AS i
"""
MEMBERSHIPS = """
INSERT INTO recipients_groupmembership (group_id, recipient_id)
SELECT %(group)s, id FROM recipients_recipient
WHERE company_id = %(company)s AND created_at > %(start)s ORDER BY created_at
"""
COUNT = "UPDATE recipients_recipientcounter SET count = count + %s WHERE company_id = %s"
# The campaign and its occurrence, made by the ORM (their columns are the models' business).
MAKE_OCCURRENCE = """
import json
from django.utils import timezone
from campaigns.models import Campaign
from messaging.models import Occurrence
campaign = Campaign.unscoped.create(company_id={company!r}, channel="sms", name="bench generation", status="active")
occurrence = Occurrence.unscoped.create(
    company_id={company!r}, campaign=campaign, scheduled_at=timezone.now(),
    content={{"channel": "sms", "sender": "Postroom", "template": {template!r}}},
    targeting={{"recipient_lists": [{group!r}], "query": None}},
)
print(json.dumps({{"campaign": str(campaign.pk), "occurrence": occurrence.pk}}))
"""
# The same rows the generation writes (messaging.generation: the same body, address, status and
# message key expressions), in one plain INSERT ... SELECT into a copy of the messages' table.
_FORTY_BITS = "substr(to_hex((random() * 1099511627776)::int8 | 1099511627776), 2)"
PLAIN = f"""
INSERT INTO bench_plain_message (company_id, campaign_id, occurrence_id, recipient_id, channel, address,
    body, payload, status, attempts, last_error, message_key, next_attempt_at, provider_id, created_at)
SELECT r.company_id, %(campaign)s, %(occurrence)s, r.id, 'sms', r.mobile,
    'Hello ' || r.first_name || ' ' || r.last_name || ', your code is ready', NULL,
    CASE WHEN r.mobile = '' THEN 'failed' ELSE 'queued' END, 0,
    CASE WHEN r.mobile = '' THEN 'no address' ELSE '' END,
    upper({_FORTY_BITS} || {_FORTY_BITS} || {_FORTY_BITS}),
    CASE WHEN r.mobile <> '' THEN now() END, '', now()
FROM recipients_groupmembership m JOIN recipients_recipient r ON r.id = m.recipient_id
WHERE m.group_id = %(group)s AND r.company_id = %(company)s
"""  # noqa: S608 (constant SQL)


def run() -> list[Row]:
    url = postgres_url()
    if url is None or not os.environ.get("REDIS_URL"):
        return [skipped("message generation", "needs PostgreSQL DATABASE_URL and REDIS_URL")]
    # Queues of this run's own: tasks other runs left on the shared ones would run in the
    # measured worker (which serves all of this run's queues).
    prefix = f"bench-generation-{uuid.uuid4().hex[:8]}-"
    queue = f"{prefix}messages"  # occurrence_generate's (settings.TASK_ROUTES)
    env = bench_env(CELERY_TASK_ALWAYS_EAGER="0", CELERY_QUEUE_PREFIX=prefix)
    demo = demo_company(env)  # migrates a new database first
    company = demo["company_id"]
    with psycopg.connect(url, autocommit=True) as db:
        start = db.execute("SELECT clock_timestamp()").fetchone()[0]
        params = {"company": company, "start": start, "count": RECIPIENTS, "every": NO_MOBILE_EVERY}
        with db.transaction():
            group = db.execute(GROUP, {**params, "name": f"bench generation {start}"}).fetchone()[0]
            db.execute(RECIPIENTS_SQL, params)
            db.execute(MEMBERSHIPS, {**params, "group": group})
            db.execute(COUNT, (RECIPIENTS, company))
        made = json.loads(
            manage(
                env,
                "shell",
                "-c",
                MAKE_OCCURRENCE.format(company=company, group=str(group), template=TEMPLATE),
            )
            .strip()
            .splitlines()[-1]
        )
        vacuum(url, *TABLES)
        try:
            result = measure(db, env, queue, {**made, "group": group, "company": company})
        finally:  # leave the database as it was
            db.execute("DROP TABLE IF EXISTS bench_plain_message")
            with db.transaction():
                db.execute("DELETE FROM messaging_message WHERE campaign_id = %s", (made["campaign"],))
                db.execute("DELETE FROM messaging_occurrence WHERE campaign_id = %s", (made["campaign"],))
                db.execute("DELETE FROM campaigns_campaign WHERE id = %s", (made["campaign"],))
                db.execute("DELETE FROM recipients_groupmembership WHERE group_id = %s", (group,))
                db.execute(
                    "DELETE FROM recipients_recipient WHERE company_id = %s AND created_at > %s",
                    (company, start),
                )
                db.execute("DELETE FROM recipients_recipientgroup WHERE id = %s", (group,))
                db.execute(COUNT, (-RECIPIENTS, company))
            vacuum(url, *TABLES)
            drop_var_dir(env)
    assert result["counts"] == (RECIPIENTS, RECIPIENTS, RECIPIENTS // NO_MOBILE_EVERY), result
    assert result["messages"] == RECIPIENTS, result
    ratio = result["seconds"] / result["plain"]
    return [
        Row("plain INSERT ... SELECT of 1M messages", result["plain"], "s"),
        Row(
            "generate 1M SMS messages (real worker)",
            result["seconds"],
            "s",
            baseline_name="plain INSERT ... SELECT of 1M messages",
            baseline=result["plain"],
            target=f"<= {TARGET:g}x plain",
            passed=ratio <= TARGET,
        ),
        Row("  of which inside the task (started -> finished)", result["task_seconds"], "s"),
        Row("  worker CPU", result["worker_cpu"], "s"),
        Row(
            "worker peak RSS (VmHWM)",
            result["peak_rss_mb"],
            "MB",
            target=f"< {RSS_TARGET_MB} MB",
            passed=result["peak_rss_mb"] < RSS_TARGET_MB,
        ),
    ]


def plain_insert(db, ids: dict) -> float:
    db.execute("DROP TABLE IF EXISTS bench_plain_message")
    db.execute("CREATE TABLE bench_plain_message (LIKE messaging_message INCLUDING ALL)")
    quiet_disk(db)
    started = time.perf_counter()
    with db.transaction():
        db.execute(PLAIN, ids)
    elapsed = time.perf_counter() - started
    db.execute("DROP TABLE bench_plain_message")
    return elapsed


def measure(db, env: dict, queue: str, ids: dict) -> dict:
    before = plain_insert(db, ids)
    client = Celery(broker=env["REDIS_URL"])
    with Worker(env) as worker:
        quiet_disk(db)
        worker.reset_peak_rss()
        cpu = cpu_seconds(worker.process.pid)
        started = time.perf_counter()
        client.send_task("messaging.tasks.occurrence_generate", args=[ids["occurrence"]], queue=queue)
        while (status := _status(db, ids["occurrence"])) not in ("generated", "failed"):
            if time.perf_counter() - started > GENERATION_TIMEOUT:
                raise TimeoutError(f"generation not finished after {GENERATION_TIMEOUT} s")
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
        peak_rss = rss_mb(worker.pids(), "VmHWM")
        worker_cpu = cpu_seconds(worker.process.pid) - cpu
    assert status == "generated", status
    row = db.execute(
        "SELECT targeted, generated, without_address, extract(epoch FROM finished_at - started_at) "
        "FROM messaging_occurrence WHERE id = %s",
        (ids["occurrence"],),
    ).fetchone()
    messages = db.execute(
        "SELECT count(*) FROM messaging_message WHERE campaign_id = %s", (ids["campaign"],)
    ).fetchone()[0]
    after = plain_insert(db, ids)
    print(
        f"  plain INSERT ... SELECT: {before:.2f} s before, {after:.2f} s after; generation {seconds:.2f} s",
        flush=True,
    )
    return {
        "plain": min(before, after),
        "seconds": seconds,
        "task_seconds": float(row[3]),
        "counts": tuple(row[:3]),
        "messages": messages,
        "peak_rss_mb": peak_rss,
        "worker_cpu": worker_cpu,
    }


def _status(db, occurrence_id: int) -> str:
    return db.execute("SELECT status FROM messaging_occurrence WHERE id = %s", (occurrence_id,)).fetchone()[0]

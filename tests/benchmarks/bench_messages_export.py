"""Exporting the 1,000,000 generated messages of an SMS campaign as CSV pages (MESSAGES_EXPORT_PAGE_ROWS
rows each, the default 1000) through the messages export API and a real Celery worker
(messaging.tasks.message_export_run), from POST /v1/messages/publish to the job row's status
`done`, vs psql's `\\copy (SELECT ...) TO` of the same rows into one file, same database, same run:
on local storage, and on S3 through moto's standalone server (moto_server), reported beside it.
The pages, without their headers, are checked to hold exactly the rows psql wrote.
Targets: export <= 1.5x psql's \\copy; worker peak RSS < 300 MB.
Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL, for the real worker): skipped otherwise.

    createdb -h 127.0.0.1 -U postgres postroom_export_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_export_bench REDIS_URL=redis://127.0.0.1:6379/15 \\
        make bench BENCH=messages_export
"""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import psycopg

from tests.benchmarks.support import (
    PYTHON,
    Row,
    Server,
    Worker,
    bench_env,
    call,
    cpu_seconds,
    demo_company,
    drop_var_dir,
    free_port,
    login,
    manage,
    postgres_url,
    quiet_disk,
    rss_mb,
    skipped,
    stop,
    vacuum,
)

TARGET, RSS_TARGET_MB = 1.5, 300
MESSAGES = 1_000_000
PAGE_ROWS = 1000
EXPORT_TIMEOUT = 10 * 60
POLL_SECONDS = 0.02
S3_BUCKET = "bench-exports"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
S3_REGION = "us-east-1"

# Run in `manage.py shell -c`: a fired SMS campaign of the demo company (its one firing
# generated, its settings counting the messages the bench writes next) and the company's
# messages api_code. Prints one JSON line.
SETUP = """
import json
from django.utils import timezone
from accounts.models import Company
from accounts.selectors import default_workspace
from accounts.services import messages_api_code_rotate
from campaigns.models import Campaign, MessageSettings
from messaging.models import Occurrence

company = Company.objects.get(pk={company!r})
campaign = Campaign.unscoped.create(
    company=company, workspace=default_workspace(company=company), channel="sms", name="Bench export",
    status="finished",
)
MessageSettings.objects.create(
    campaign=campaign, schedule_type="now", template="Hello {{first_name}} {{last_name}}, your code is ready",
    sender="Postroom", recipient_lists=[], total_messages={messages},
)
occurrence = Occurrence.unscoped.create(
    company=company, campaign=campaign, scheduled_at=timezone.now(), status="generated",
    content={{"channel": "sms", "sender": "Postroom", "template": "Hello {{first_name}} {{last_name}}"}},
    targeting={{"recipient_lists": [], "query": None}}, targeted={messages}, generated={messages},
)
code = messages_api_code_rotate(company=company)
print(json.dumps({{"campaign": str(campaign.pk), "occurrence": occurrence.pk, "api_code": code}}))
"""
# The rows generation writes for a template with two variables (messaging.generation: the body,
# the address, a random 30-hex-digit key), written set-based: generating them through the app
# would take minutes and is bench_message_generation's business.
_FORTY_BITS = "substr(to_hex((random() * 1099511627776)::int8 | 1099511627776), 2)"
MESSAGES_SQL = f"""
INSERT INTO messaging_message (company_id, campaign_id, occurrence_id, recipient_id, client, channel,
    address, body, payload, status, attempts, last_error, message_key, next_attempt_at, provider_id,
    created_at)
SELECT %(company)s, %(campaign)s, %(occurrence)s, gen_random_uuid(), NULL, 'sms', '07' || (700000000 + i),
    'Hello First' || i || ' Last' || i || ', your code is ready', NULL, 'queued', 0, '',
    upper({_FORTY_BITS} || {_FORTY_BITS} || {_FORTY_BITS}), now(), '', now()
FROM generate_series(1, %(count)s) AS i
"""
# The export's rows (messaging.exporting: customer_id and message), in message order.
SELECT = """
SELECT CASE WHEN m.client IS NOT NULL THEN m.address ELSE m.recipient_id::text END,
    CASE WHEN m.body <> '' OR m.payload IS NULL THEN m.body ELSE m.payload::text END
FROM messaging_message m WHERE m.campaign_id = '{campaign}' AND m.company_id = '{company}' ORDER BY m.id
"""
CLEAN = """
from campaigns.models import Campaign
from messaging.models import MessagesApiCall, MessagesUsage
MessagesApiCall.objects.filter(campaign_id={campaign!r}).delete()
MessagesUsage.objects.filter(company_id={company!r}).delete()
Campaign.unscoped.filter(pk={campaign!r}).delete()
"""
HEADER = b"customer_id,message\n"


def run() -> list[Row]:
    url = postgres_url()
    if url is None or not os.environ.get("REDIS_URL"):
        return [skipped("messages export", "needs PostgreSQL DATABASE_URL and REDIS_URL")]
    # A queue of this run's own: tasks other runs left on the shared one would run in the
    # measured worker.
    queue = f"bench-export-{uuid.uuid4().hex[:8]}"
    env = bench_env(
        CELERY_TASK_ALWAYS_EAGER="0",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        MESSAGES_EXPORT_PAGE_ROWS=str(PAGE_ROWS),
    )
    demo = demo_company(env)  # migrates a new database first
    company = demo["company_id"]
    made = json.loads(
        manage(env, "shell", "-c", SETUP.format(company=company, messages=MESSAGES)).strip().splitlines()[-1]
    )
    made["company"] = company
    workdir = Path(tempfile.mkdtemp(prefix="postroom-bench-export-"))
    results = {}
    try:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(MESSAGES_SQL, {**made, "count": MESSAGES})
            vacuum(url, "messaging_message")
            results["local"] = measure(db, url, env, demo, made, workdir, _local_pages(env))
            with MotoServer() as s3:
                s3_env = {**env, **s3.settings()}
                results["s3"] = measure(db, url, s3_env, demo, made, workdir, s3.pages)
    finally:  # leave the database as it was
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("DELETE FROM messaging_message WHERE campaign_id = %s", (made["campaign"],))
        manage(env, "shell", "-c", CLEAN.format(campaign=made["campaign"], company=company))
        vacuum(url, "messaging_message")
        shutil.rmtree(workdir, ignore_errors=True)
        drop_var_dir(env)
    return [row for storage, result in results.items() for row in _rows(storage, result)]


def _rows(storage: str, result: dict) -> list[Row]:
    baseline_name = f"psql \\copy of 1M messages ({storage} run)"
    ratio = result["seconds"] / result["psql"]
    return [
        Row(baseline_name, result["psql"], "s"),
        Row(
            f"export 1M messages to {storage} (real worker)",
            result["seconds"],
            "s",
            baseline_name=baseline_name,
            baseline=result["psql"],
            target=f"<= {TARGET:g}x psql",
            passed=ratio <= TARGET,
            note=f"({MESSAGES / result['seconds']:,.0f} rows/s, {result['pages']} pages)",
        ),
        Row("  of which inside the task (started -> finished)", result["task_seconds"], "s"),
        Row("  worker CPU", result["worker_cpu"], "s"),
        Row(
            f"worker peak RSS, {storage} (VmHWM)",
            result["peak_rss_mb"],
            "MB",
            target=f"< {RSS_TARGET_MB} MB",
            passed=result["peak_rss_mb"] < RSS_TARGET_MB,
        ),
    ]


def measure(db, url: str, env: dict, demo: dict, made: dict, workdir: Path, pages) -> dict:
    """psql's \\copy, the export through the API and the worker (its pages must hold the rows
    psql wrote), psql's \\copy again."""
    before, reference = _psql_copy(url, made, workdir / "before.csv")
    headers = {
        "x-auth-context": json.dumps({"api_access": True, "api_code": made["api_code"]}),
        "x-ip": "203.0.113.7",
    }
    body = json.dumps({"campaign_id": made["campaign"]}).encode()
    with Server(env, workers=1) as server, Worker(env) as worker:
        token = login(server.port, demo["api_key"])
        quiet_disk(db)
        worker.reset_peak_rss()
        cpu = cpu_seconds(worker.process.pid)
        started = time.perf_counter()
        status, reply = call(
            server.port, "POST", "/v1/messages/publish", token=token, body=body, headers=headers
        )
        assert status == 202, (status, reply)
        job = reply["data"]["job_id"]
        while (state := _status(db, job)) not in ("done", "failed"):
            if time.perf_counter() - started > EXPORT_TIMEOUT:
                raise TimeoutError(f"export not finished after {EXPORT_TIMEOUT} s")
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
        peak_rss = rss_mb(worker.pids(), "VmHWM")
        worker_cpu = cpu_seconds(worker.process.pid) - cpu
    assert state == "done", state
    rows, page_count, task_seconds = db.execute(
        "SELECT rows, pages, extract(epoch FROM finished_at - started_at) FROM messaging_messageexport "
        "WHERE id = %s",
        (job,),
    ).fetchone()
    assert (rows, page_count) == (MESSAGES, -(-MESSAGES // PAGE_ROWS)), (rows, page_count)
    assert _pages_digest(pages(made, job, page_count)) == reference, "the pages differ from psql's rows"
    after = _psql_copy(url, made, workdir / "after.csv")[0]
    print(f"  psql \\copy: {before:.2f} s before, {after:.2f} s after; export {seconds:.2f} s", flush=True)
    return {
        "psql": min(before, after),
        "seconds": seconds,
        "task_seconds": float(task_seconds),
        "pages": page_count,
        "peak_rss_mb": peak_rss,
        "worker_cpu": worker_cpu,
    }


def _status(db, job: str) -> str:
    return db.execute("SELECT status FROM messaging_messageexport WHERE id = %s", (job,)).fetchone()[0]


def _psql_copy(url: str, made: dict, path: Path) -> tuple[float, str]:
    """Seconds psql's \\copy of the export's rows into `path` took, and the file's digest."""
    select = " ".join(SELECT.format(campaign=made["campaign"], company=made["company"]).split())
    started = time.perf_counter()
    subprocess.run(
        [
            "psql",
            url,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f"\\copy ({select}) TO '{path}' (FORMAT csv)",
        ],
        check=True,
    )
    seconds = time.perf_counter() - started
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    path.unlink()
    return seconds, digest


def _pages_digest(pages) -> str:
    """The digest of the pages' rows, in page order, without each page's header."""
    digest = hashlib.sha256()
    for content in pages:
        assert content.startswith(HEADER), content[:100]
        digest.update(content[len(HEADER) :])
    return digest.hexdigest()


def _page_key(made: dict, job: str, number: int) -> str:
    return f"companies/{made['company']}/messages/{made['campaign']}/{job}/page-{number:05d}.csv"


def _local_pages(env: dict):
    media = Path(env.get("MEDIA_ROOT") or Path(env["POSTROOM_VAR_DIR"]) / "media")

    def pages(made: dict, job: str, count: int):
        for number in range(count):
            yield (media / _page_key(made, job, number)).read_bytes()
        shutil.rmtree(media / _page_key(made, job, 0).rsplit("/", 1)[0])

    return pages


class MotoServer:
    """moto's standalone S3 server (moto_server) on 127.0.0.1 with one bucket, for a with-block."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "MotoServer":
        command = [str(Path(PYTHON).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=S3_REGION,
            aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.client.create_bucket(Bucket=S3_BUCKET)
                return self
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    stop(self.process)
                    raise
                time.sleep(0.2)

    def __exit__(self, *exc):
        stop(self.process)

    def settings(self) -> dict:
        """The environment that puts the project's storage in the bucket."""
        return {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": S3_BUCKET,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": S3_REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
            **S3_CREDENTIALS,
        }

    def pages(self, made: dict, job: str, count: int):
        for number in range(count):
            yield self.client.get_object(Bucket=S3_BUCKET, Key=_page_key(made, job, number))["Body"].read()

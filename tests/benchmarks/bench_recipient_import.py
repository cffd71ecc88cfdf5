"""Recipient import through the real path (API upload -> Celery worker -> COPY) vs loading the
same file with `psql \\copy` into a plain table of the same shape, same database, same run.

    1,000,000-row CSV:  import <= 3x the \\copy time; worker peak RSS < 300 MB (and with its
                        reader child, by proportional set size).
    100,000-row XLSX:   import <= 2x (calamine reading the sheet + \\copy of the same rows).

Times are "lower is better": the ratio column is import time / baseline time.
Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL, for the real worker): skipped otherwise.
"""

import base64
import csv
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from tests.benchmarks.support import (
    Row,
    Server,
    Worker,
    bench_env,
    call,
    cpu_seconds,
    demo_company,
    drop_var_dir,
    login,
    postgres_url,
    pss_mb,
    rss_mb,
    skipped,
    vacuum,
)

RECIPIENT_TABLES = ("recipients_recipient", "recipients_groupmembership", "recipients_importrowerror")
CSV_ROWS = 1_000_000
XLSX_ROWS = 100_000
CSV_TARGET, XLSX_TARGET, RSS_TARGET_MB = 3.0, 2.0, 300
POLL_SECONDS = 0.1  # the measurement's resolution: a poll is one cheap GET
IMPORT_TIMEOUT = 15 * 60

# The file's columns, and where each goes: (header, mappingType, destinationField, \copy column).
COLUMNS = [
    ("First Name", "standard", "FirstName", "first_name"),
    ("Last Name", "standard", "LastName", "last_name"),
    ("Company", "standard", "CompanyName", "company_name"),
    ("Street", "standard", "Address1", "address1"),
    ("Town", "standard", "City", "city"),
    ("County", "standard", "CountyName", "county"),
    ("Post Code", "standard", "Postcode", "postcode"),
    ("Country", "standard", "CountryName", "country"),
    ("E-mail", "standard", "Email", "email"),
    ("Mobile", "standard", "Mobile", "mobile"),
    ("MemberId", "custom", "MemberId", "member_id"),
]
HEADERS = [c[0] for c in COLUMNS]
MAPPINGS = [{"sourceHeader": h, "mappingType": k, "destinationField": d} for h, k, d, _ in COLUMNS]
# The plain table \copy loads: recipients_recipient's text columns, a uuid key, the custom column.
COPY_TABLE_COLUMNS = """id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title varchar(50) NOT NULL DEFAULT '', first_name varchar(100) NOT NULL DEFAULT '',
    last_name varchar(100) NOT NULL DEFAULT '', company_name varchar(100) NOT NULL DEFAULT '',
    address1 varchar(255) NOT NULL DEFAULT '', address2 varchar(255) NOT NULL DEFAULT '',
    address3 varchar(150) NOT NULL DEFAULT '', address4 varchar(150) NOT NULL DEFAULT '',
    address5 varchar(150) NOT NULL DEFAULT '', city varchar(255) NOT NULL DEFAULT '',
    county varchar(100) NOT NULL DEFAULT '', postcode varchar(255) NOT NULL DEFAULT '',
    country varchar(100) NOT NULL DEFAULT '', email varchar(254) NOT NULL DEFAULT '',
    mobile varchar(32) NOT NULL DEFAULT '', member_id text NOT NULL DEFAULT ''"""

FIRST = [
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Noah", "Ivy", "Leo", "Freya",
    "Arthur", "Grace", "Oscar", "Lily", "Alfie", "Ella", "Charlie", "Sophie", "Thomas", "Emily",
]  # fmt: skip
LAST = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
    "Evans", "Walker", "Roberts", "Green", "Hall", "Wood", "Thompson", "Clarke", "Hughes", "Khan",
]  # fmt: skip
STREETS = [
    "High St", "Station Rd", "Church Ln", "Park Ave", "Victoria Rd", "Mill Ln", "Queens Rd", "New St",
    "Kings Rd", "The Green", "London Rd", "Manor Way",
]  # fmt: skip
TOWNS = [  # (town, county, postcode area)
    ("Leeds", "West Yorkshire", "LS"), ("Bristol", "", "BS"), ("Norwich", "Norfolk", "NR"),
    ("Exeter", "Devon", "EX"), ("Manchester", "", "M"), ("York", "North Yorkshire", "YO"),
    ("Bath", "Somerset", "BA"), ("Reading", "Berkshire", "RG"), ("Cardiff", "", "CF"),
    ("Leicester", "Leicestershire", "LE"), ("Truro", "Cornwall", "TR"), ("Durham", "", "DH"),
]  # fmt: skip
COMPANIES = ["Acme Ltd", "Smith & Sons", "Northwind plc", "Hall Builders", "Green Grocers"]
DOMAINS = ["gmail.com", "aol.com", "bt.com", "hotmail.co.uk", "sky.com"]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def recipients(count: int, seed: int = 20240601):
    """`count` deterministic UK-style rows of HEADERS (about 90 bytes each as CSV)."""
    rng = random.Random(seed)
    for i in range(1, count + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        town, county, area = rng.choice(TOWNS)
        postcode = f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
        yield [
            first,
            last,
            rng.choice(COMPANIES) if rng.random() < 0.2 else "",
            f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
            town,
            county,
            postcode,
            "United Kingdom" if rng.random() < 0.1 else "UK",
            f"{first[0]}{last}{rng.randint(1, 99) if i % 2 else ''}@{rng.choice(DOMAINS)}".lower(),
            f"07{rng.randint(100000000, 999999999)}",
            str(100000 + i),
        ]


def write_csv(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(recipients(count))


def write_xlsx(path: Path, count: int) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for row in recipients(count):
        sheet.append(row)
    book.save(path)


def psql(url: str, command: str) -> None:
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", command], capture_output=True
    )
    if result.returncode:
        raise RuntimeError(f"psql failed: {result.stderr.decode(errors='replace')[-2000:]}")


def quiet_disk(url: str) -> None:
    """Write out what earlier steps left dirty (PostgreSQL's buffers, the page cache), so that no
    measurement pays for the writeback of the one before it."""
    psql(url, "CHECKPOINT")
    os.sync()


def copy_seconds(url: str, path: Path) -> float:
    """Time of `psql \\copy` of the CSV into a fresh plain table (dropped afterwards)."""
    table = f"bench_copy_{uuid.uuid4().hex[:12]}"
    psql(url, f"CREATE TABLE {table} ({COPY_TABLE_COLUMNS})")
    quiet_disk(url)
    try:
        columns = ", ".join(c[3] for c in COLUMNS)
        started = time.perf_counter()
        options = f"FORMAT csv, HEADER true, FORCE_NOT_NULL ({columns})"  # empty cells are '', as imported
        psql(url, f"\\copy {table} ({columns}) FROM '{path}' WITH ({options})")
        return time.perf_counter() - started
    finally:
        psql(url, f"DROP TABLE {table}")


# What a run imported (its demo company's import jobs, their groups and rows), deleted afterwards
# so that the database does not grow, and later runs slow down, run after run.
DELETE_IMPORTED = """
DELETE FROM recipients_groupmembership m USING recipients_importjob j
    WHERE m.group_id = j.group_id AND j.company_id = %(company)s;
DELETE FROM recipients_recipient WHERE company_id = %(company)s AND import_job_id IS NOT NULL;
UPDATE recipients_recipientcounter SET count = (
    SELECT count(*) FROM recipients_recipient WHERE company_id = %(company)s) WHERE company_id = %(company)s;
DELETE FROM recipients_importrowerror e USING recipients_importjob j
    WHERE e.job_id = j.id AND j.company_id = %(company)s;
WITH jobs AS (DELETE FROM recipients_importjob WHERE company_id = %(company)s RETURNING group_id)
    DELETE FROM recipients_recipientgroup WHERE id IN (SELECT group_id FROM jobs);
"""


def delete_imported(url: str, company_id: str) -> None:
    with psycopg.connect(url) as db:  # one transaction
        for statement in DELETE_IMPORTED.split(";")[:-1]:
            db.execute(statement, {"company": company_id})


def import_through_api(port: int, token: str, worker: Worker, path: Path) -> dict:
    """Upload the file, wait for its group to be ready; returns the timings and the group."""
    name = f"bench {path.name} {uuid.uuid4().hex[:8]}"
    head = json.dumps({"groupName": name, "fileName": path.name, "mappings": MAPPINGS})
    body = head[:-1].encode() + b', "fileData": "' + base64.b64encode(path.read_bytes()) + b'"}'
    worker.reset_peak_rss()
    cpu = cpu_seconds(worker.process.pid)
    started = time.perf_counter()
    status, reply = call(port, "POST", "/api/v1/recipients/import", token=token, body=body, timeout=300)
    posted = time.perf_counter()
    assert status == 202, (status, reply)
    del body
    peak_pss = 0.0
    while True:
        # The worker and its reader child share most pages (a fork): their proportional set
        # sizes add up to what they hold together, where RSS would count shared pages twice.
        peak_pss = max(peak_pss, pss_mb(worker.pids()))
        status, reply = call(port, "GET", f"/api/v1/groups/by-name?name={quote(name)}", token=token)
        assert status == 200, (status, reply)
        group = reply["data"]
        if group["status"] in ("ready", "failed"):
            break
        if time.perf_counter() - started > IMPORT_TIMEOUT:
            raise TimeoutError(f"import of {path.name} not finished after {IMPORT_TIMEOUT} s: {group}")
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - started
    assert group["status"] == "ready" and group["failedRecords"] == 0, group
    return {
        "seconds": seconds,
        "post_seconds": posted - started,
        "worker_cpu": cpu_seconds(worker.process.pid) - cpu,
        "peak_rss_mb": rss_mb([worker.process.pid], "VmHWM"),
        "peak_pss_mb": max(peak_pss, pss_mb(worker.pids())),
        "rows": group["recipientCount"],
    }


def run() -> list[Row]:
    url = postgres_url()
    if url is None or not os.environ.get("REDIS_URL"):
        return [skipped("recipient import", "needs PostgreSQL DATABASE_URL and REDIS_URL")]
    env = bench_env(CELERY_TASK_ALWAYS_EAGER="0", JWT_ACCESS_MINUTES="120")
    work = Path(tempfile.mkdtemp(prefix="postroom-bench-import-"))
    try:
        big_csv = work / "recipients.csv"
        small_csv = work / "recipients-100k.csv"  # the XLSX's rows, for its \copy baseline
        xlsx = work / "recipients.xlsx"
        write_csv(big_csv, CSV_ROWS)
        write_csv(small_csv, XLSX_ROWS)
        write_xlsx(xlsx, XLSX_ROWS)

        demo = demo_company(env)  # migrates a new database first
        # The server and worker use queues of this run's own: tasks other runs and processes
        # left on the shared ones (a demo campaign's preview, say) would run during the
        # measurement, in the measured worker.
        env = {**env, "CELERY_QUEUE_PREFIX": f"bench-import-{uuid.uuid4().hex[:8]}-"}
        vacuum(url, *RECIPIENT_TABLES)
        csv_copy = copy_seconds(url, big_csv)
        started = time.perf_counter()
        CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
        xlsx_baseline = time.perf_counter() - started + copy_seconds(url, small_csv)

        try:
            with Server(env, workers=2) as server, Worker(env) as worker:
                token = login(server.port, demo["api_key"])
                quiet_disk(url)
                big = import_through_api(server.port, token, worker, big_csv)
                quiet_disk(url)
                small = import_through_api(server.port, token, worker, xlsx)
        finally:
            delete_imported(url, demo["company_id"])
            vacuum(url, *RECIPIENT_TABLES)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        drop_var_dir(env)
    assert big["rows"] == CSV_ROWS, big
    assert small["rows"] == XLSX_ROWS, small

    return [
        Row("psql \\copy, 1M-row CSV", csv_copy, "s"),
        Row(
            "import 1M-row CSV (POST -> ready)",
            big["seconds"],
            "s",
            baseline_name="psql \\copy, 1M-row CSV",
            baseline=csv_copy,
            target=f"time <= {CSV_TARGET:g}x \\copy (lower is better)",
            passed=big["seconds"] <= CSV_TARGET * csv_copy,
        ),
        Row("  of which the upload POST", big["post_seconds"], "s"),
        Row("  worker + reader child CPU", big["worker_cpu"], "s"),
        Row(
            "worker peak RSS, 1M-row CSV",
            big["peak_rss_mb"],
            "MB",
            target=f"< {RSS_TARGET_MB} MB",
            passed=big["peak_rss_mb"] < RSS_TARGET_MB,
        ),
        Row(
            "  worker + reader child, peak PSS (sampled)",
            big["peak_pss_mb"],
            "MB",
            target=f"< {RSS_TARGET_MB} MB",
            passed=big["peak_pss_mb"] < RSS_TARGET_MB,
        ),
        Row("rows imported, 1M-row CSV", big["rows"], "", target="= 1,000,000", passed=True),
        Row("calamine read + \\copy, 100k-row XLSX", xlsx_baseline, "s"),
        Row(
            "import 100k-row XLSX (POST -> ready)",
            small["seconds"],
            "s",
            baseline_name="calamine read + \\copy",
            baseline=xlsx_baseline,
            target=f"time <= {XLSX_TARGET:g}x baseline (lower is better)",
            passed=small["seconds"] <= XLSX_TARGET * xlsx_baseline,
        ),
        Row("  worker + reader child CPU", small["worker_cpu"], "s"),
        Row("worker peak RSS, 100k-row XLSX", small["peak_rss_mb"], "MB"),
        Row("  worker + children, peak PSS (sampled)", small["peak_pss_mb"], "MB"),
    ]

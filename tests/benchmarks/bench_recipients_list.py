"""Requests/s of the first page of recipients (GET /api/v1/recipients?limit=100) for a company with
1,000,000 recipients vs a bare DRF endpoint, same server, same run. Target: >= 40% of bare.
PostgreSQL only (the million rows go in with one INSERT ... SELECT); skipped otherwise."""

import psycopg

from tests.benchmarks.support import (
    Row,
    Server,
    against_bare,
    bench_env,
    call,
    demo_company,
    drop_var_dir,
    login,
    postgres_url,
    rows_against_bare,
    skipped,
    vacuum,
)

TARGET = 0.40
RECIPIENTS = 1_000_000
PATH = "/api/v1/recipients?limit=100"

# One company's recipients, created after `start` one microsecond apart (the list's order).
INSERT = """
INSERT INTO recipients_recipient (
    id, company_id, title, first_name, last_name, company_name, address1, address2, address3,
    address4, address5, city, county, postcode, country, email, mobile, custom_fields,
    import_job_id, source_row, created_at, updated_at)
SELECT gen_random_uuid(), %(company)s, '', 'First' || i, 'Last' || i, '', i || ' High Street',
    '', '', '', '', 'Leeds', 'West Yorkshire', 'LS' || (i %% 30) || ' ' || (i %% 9) || 'AB',
    'United Kingdom', 'r' || i || '@example.com', '07700' || lpad((i %% 1000000)::text, 6, '0'),
    '{}'::jsonb, NULL, NULL, %(start)s + i * interval '1 microsecond',
    %(start)s + i * interval '1 microsecond'
FROM generate_series(1, %(count)s) AS i
"""
COUNT = "UPDATE recipients_recipientcounter SET count = count + %s WHERE company_id = %s"


def run(seconds: float = 15.0) -> list[Row]:
    url = postgres_url()
    if url is None:
        return [skipped("recipients list", "needs PostgreSQL DATABASE_URL")]
    env = bench_env()
    demo = demo_company(env)
    company = demo["company_id"]
    with psycopg.connect(url, autocommit=True) as db:
        start = db.execute("SELECT clock_timestamp()").fetchone()[0]
        with db.transaction():
            db.execute(INSERT, {"company": company, "start": start, "count": RECIPIENTS})
            db.execute(COUNT, (RECIPIENTS, company))
        db.execute("ANALYZE recipients_recipient")
        try:
            bare_result, list_result = measure(env, demo["api_key"], seconds)
        finally:  # the million rows were this run's alone: leave the database as it was
            with db.transaction():
                db.execute(
                    "DELETE FROM recipients_recipient WHERE company_id = %s AND created_at >= %s",
                    (company, start),
                )
                db.execute(COUNT, (-RECIPIENTS, company))
            vacuum(url, "recipients_recipient")
            drop_var_dir(env)
    return rows_against_bare(f"GET {PATH} (1M recipients)", bare_result, list_result, TARGET)


def measure(env: dict, api_key: str, seconds: float):
    with Server(env) as server:
        token = login(server.port, api_key)
        status, reply = call(server.port, "GET", PATH, token=token)
        assert status == 200 and len(reply["data"]["data"]) == 100, (status, reply)
        assert reply["data"]["total"] >= RECIPIENTS, reply["data"]["total"]
        return against_bare(server.port, "GET", PATH, token, seconds)

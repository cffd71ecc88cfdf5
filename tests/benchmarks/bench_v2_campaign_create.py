"""Campaign API v2's create of a campaign of 100,000 clients, and the generation of its messages.

    POST /v2/campaign/create (X-API-Key; a JSON message and a Message with two params each, sent
    now): the 200 within 3x a plain COPY of the same 100,000 clients (rows made beforehand) into
    messaging_campaignclient, same database, same run. The create is timed from the first byte
    sent to the last byte of its answer (which lists the clients back).
    Generation of the fired campaign's 100,000 messages (messaging.generation.occurrence_generate,
    in a Django process: the code a worker's task runs) <= 2.5x one plain INSERT ... SELECT of the
    same rows (the same body, payload, address and key expressions) into a table of the messages'
    shape (same columns and indexes), as the messaging core's generation benchmark measures.

Each takes turns with its baseline over ROUNDS rounds (one campaign made, and generated, per
round), so a slow spell of the machine falls on both; the ratio is of the sums. No worker runs:
the firing the create asks for waits on a queue of this run's own, emptied at the end, and the
benchmark fires the campaigns itself. PostgreSQL only (COPY); skipped otherwise.

    createdb -h 127.0.0.1 -U postgres postroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=v2_campaign_create
"""

import json
import os
import time
import uuid

import psycopg

from tests.benchmarks.support import (
    Row,
    Server,
    bench_env,
    call,
    demo_company,
    drop_var_dir,
    http_request,
    manage,
    postgres_url,
    quiet_disk,
    request,
    skipped,
    vacuum,
)

CREATE_TARGET, GENERATION_TARGET = 3.0, 2.5
CLIENTS = 100_000
ROUNDS = 3
CREATE_TIMEOUT = 120
TABLES = (
    "campaigns_campaign",
    "campaigns_messagesettings",
    "campaigns_statuschange",
    "messaging_clientcampaign",
    "messaging_campaignclient",
    "messaging_occurrence",
    "messaging_message",
)
MESSAGE_TEXT = "Thank you for your order, {{1}}! Your order number is {{2}}."
JSON_MESSAGE = (
    '{"to": "<accountID>", "type": "template", "template": {"namespace": "<namespace>", "language": '
    '{"policy": "deterministic", "code": "en_US"}, "name": "order_confirmation", "components": []}}'
)

COPY = "COPY messaging_campaignclient (campaign_id, position, account_id, params) FROM STDIN"
# The same messages the generation writes (messaging.generation and messaging.rendering: the
# params read with ->> and NULL as '', the JSON message with its number and params JSON-quoted,
# the same random key), in one plain INSERT ... SELECT.
_FORTY_BITS = "substr(to_hex((random() * 1099511627776)::int8 | 1099511627776), 2)"
_PARAM_1 = "to_json(coalesce(c.params ->> 0, '')::text)::text"
_PARAM_2 = "to_json(coalesce(c.params ->> 1, '')::text)::text"
PLAIN = (
    """
INSERT INTO bench_plain_message (company_id, campaign_id, occurrence_id, recipient_id, client, channel,
    address, body, payload, status, attempts, last_error, message_key, next_attempt_at, provider_id, created_at)
SELECT %(company)s, c.campaign_id, %(occurrence)s, NULL, c.position, 'whatsapp', c.account_id,
    'Thank you for your order, ' || coalesce(c.params ->> 0, '') || '! Your order number is '
        || coalesce(c.params ->> 1, '') || '.',
    ('{"to": ' || to_json(c.account_id::text)::text || ', "type": "template", "template": {"namespace": '
        || '"<namespace>", "language": {"policy": "deterministic", "code": "en_US"}, "name": '
        || '"order_confirmation", "components": [{"type": "body", "parameters": [{"type": "text", "text": '
        || """
    + _PARAM_1
    + """ || '}, {"type": "text", "text": ' || """
    + _PARAM_2
    + """ || '}]}]}}')::jsonb,
    'queued', 0, '', upper("""
    + " || ".join([_FORTY_BITS] * 3)
    + """), now(), '', now()
FROM messaging_campaignclient c WHERE c.campaign_id = %(campaign)s
"""
)
CLEAN = (
    "DELETE FROM messaging_message WHERE company_id = %(company)s",
    "DELETE FROM messaging_campaignclient WHERE campaign_id IN (SELECT campaign_id FROM {made})",
    "DELETE FROM messaging_occurrence WHERE company_id = %(company)s",
    "DELETE FROM campaigns_statuschange WHERE campaign_id IN (SELECT campaign_id FROM {made})",
    "DELETE FROM campaigns_messagesettings WHERE campaign_id IN (SELECT campaign_id FROM {made})",
    "DELETE FROM messaging_clientcampaign WHERE company_id = %(company)s",
    "DELETE FROM campaigns_campaign WHERE company_id = %(company)s AND selection = 'clients'",
)
MADE = "messaging_clientcampaign WHERE company_id = %(company)s"


def run() -> list[Row]:
    url = postgres_url()
    if url is None:
        return [skipped("campaign API v2 create", "needs PostgreSQL DATABASE_URL")]
    # Queues of this run's own, which no worker reads: the create's firing waits there.
    prefix = f"bench-v2-create-{uuid.uuid4().hex[:8]}-"
    env = bench_env(CELERY_TASK_ALWAYS_EAGER="0", CELERY_QUEUE_PREFIX=prefix)
    demo = demo_company(env)
    company = demo["company_id"]
    clients = [
        {"accountID": f"+4477{i:08d}", "params": [f"Client {i}", f"ORD-{i}"]} for i in range(1, CLIENTS + 1)
    ]
    body = json.dumps(
        {"name": "Order confirmations", "message": MESSAGE_TEXT, "JSON": JSON_MESSAGE, "clients": clients}
    )
    with psycopg.connect(url, autocommit=True) as db:
        try:
            vacuum(url, *TABLES)
            creates = measure_create(db, env, demo["api_key"], body.encode(), copy_rows(clients))
            vacuum(url, *TABLES)
            generation = _child(env, f"generate({company!r}, {creates['made']!r})")
            print(
                f"  INSERT ... SELECT {_listed(generation['plain'])} s; generation {_listed(generation['generate'])} s"
            )
        finally:  # the rows were this run's alone: leave the database as it was
            with db.transaction():
                for statement in CLEAN:
                    db.execute(statement.format(made=MADE), {"company": company})
            vacuum(url, *TABLES)
            purge(prefix)
            drop_var_dir(env)
    return _rows(creates, generation)


def copy_rows(clients: list[dict]) -> list[str]:
    """The clients as COPY text rows without their campaign id (tab first), as create stores them."""
    return [
        f"\t{position}\t{client['accountID']}\t{json.dumps(client['params'], ensure_ascii=False)}\n"
        for position, client in enumerate(clients, 1)
    ]


def measure_create(db, env: dict, api_key: str, body: bytes, rows: list[str]) -> dict:
    raw = http_request(
        "POST", "/v2/campaign/create", {"Content-Type": "application/json", "X-API-Key": api_key}, body
    )
    result = {"copy": [], "create": [], "made": []}
    # One worker, warmed up by a first call, so that no create is a worker's first request.
    with Server(env, workers=1) as server:
        status, _ = call(
            server.port, "GET", "/v2/campaign/getAll?resultSize=1", headers={"X-API-Key": api_key}
        )
        assert status == 200, status
        for _ in range(ROUNDS):
            result["copy"].append(plain_copy(db, rows))
            quiet_disk(db)
            started = time.perf_counter()
            answer = request("127.0.0.1", server.port, raw, timeout=CREATE_TIMEOUT)
            result["create"].append(time.perf_counter() - started)
            head, _, payload = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), answer[:1000]
            reply = json.loads(payload)
            assert (
                len(reply["Clients"]) == CLIENTS and reply["Clients"][-1]["Params"][1] == f"ORD-{CLIENTS}"
            ), reply
            result["made"].append(reply["ID"])
    print(f"  COPY {_listed(result['copy'])} s; create {_listed(result['create'])} s", flush=True)
    return result


def plain_copy(db, rows: list[str]) -> float:
    """Seconds of COPYing the rows (prepared text) for a new campaign id, committed; then gone."""
    campaign = str(uuid.uuid4())
    data = "".join(campaign + row for row in rows).encode()
    quiet_disk(db)
    started = time.perf_counter()
    with db.transaction(), db.cursor() as cursor, cursor.copy(COPY) as copy:
        copy.write(data)
    elapsed = time.perf_counter() - started
    db.execute("DELETE FROM messaging_campaignclient WHERE campaign_id = %s", (campaign,))
    return elapsed


def purge(prefix: str) -> None:
    """Delete the run's queues with the tasks they collected, and their bindings (Redis only:
    elsewhere they live in the throwaway directory)."""
    if not os.environ.get("REDIS_URL"):
        return
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        for pattern in (f"{prefix}*", f"_kombu.binding.{prefix}*"):
            for key in client.scan_iter(match=pattern):
                client.delete(key)
    finally:
        client.close()


def _listed(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def _child(env: dict, call: str) -> dict:
    """Run `call` (a function of this module) in a Django process; its JSON answer."""
    code = f"from tests.benchmarks import bench_v2_campaign_create as b; b.{call}"
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def _rows(creates: dict, generation: dict) -> list[Row]:
    return [
        *_timed_rows(
            "POST v2 create, 100k clients", creates["create"],
            "plain COPY of 100k clients", creates["copy"], CREATE_TARGET,
        ),
        *_timed_rows(
            "generate 100k messages of its clients", generation["generate"],
            "plain INSERT ... SELECT of 100k messages", generation["plain"], GENERATION_TARGET,
        ),
    ]  # fmt: skip


def _timed_rows(name: str, seconds: list[float], baseline_name: str, baseline: list[float], target: float):
    """The baseline's row and the measured one's: mean seconds a round, the ratio of the sums
    against `target` (at most that many times the baseline), and the range of the rounds' ratios."""
    ratios = sorted(value / base for value, base in zip(seconds, baseline, strict=True))
    return [
        Row(baseline_name, sum(baseline) / len(baseline), "s"),
        Row(
            name,
            sum(seconds) / len(seconds),
            "s",
            baseline_name=baseline_name,
            baseline=sum(baseline) / len(baseline),
            target=f"<= {target:g}x baseline",
            passed=sum(seconds) / sum(baseline) <= target,
            note=f"(rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x)",
        ),
    ]


# ---- in the Django process -----------------------------------------------------------------------


def generate(company_id: str, numbers: list[int]) -> None:
    """Fire the created campaigns (the beat's own call), then per campaign in turn: the plain
    INSERT ... SELECT of its messages, and their generation; prints the seconds of each."""
    from django.db import connection

    from messaging.generation import occurrence_generate
    from messaging.models import ClientCampaign, Message, Occurrence
    from messaging.services.firing import campaigns_fire_due

    fired = campaigns_fire_due()
    campaigns = dict(ClientCampaign.unscoped.filter(pk__in=numbers).values_list("pk", "campaign_id"))
    result = {"plain": [], "generate": []}
    with connection.cursor() as cursor:
        for number in numbers:
            campaign = campaigns[number]
            occurrence = Occurrence.unscoped.get(campaign_id=campaign)
            assert occurrence.pk in fired.occurrences, (occurrence.pk, fired)
            ids = {"company": company_id, "campaign": campaign, "occurrence": occurrence.pk}
            cursor.execute("DROP TABLE IF EXISTS bench_plain_message")
            cursor.execute("CREATE TABLE bench_plain_message (LIKE messaging_message INCLUDING ALL)")
            quiet_disk(cursor)
            started = time.perf_counter()
            cursor.execute(PLAIN, ids)
            result["plain"].append(time.perf_counter() - started)
            cursor.execute("DROP TABLE bench_plain_message")
            quiet_disk(cursor)
            started = time.perf_counter()
            occurrence_generate(occurrence_id=occurrence.pk)
            result["generate"].append(time.perf_counter() - started)
            occurrence.refresh_from_db()
            assert (occurrence.status, occurrence.generated) == ("generated", CLIENTS), occurrence.__dict__
            written = Message.unscoped.filter(campaign_id=campaign, status="queued").count()
            assert written == CLIENTS, written
    print(json.dumps(result))

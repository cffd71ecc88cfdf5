"""messaging.delivery.http against a real gateway on 127.0.0.1 (tests/messaging/gateway.py)."""

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from messaging.delivery import Outgoing, Result, backend_for, reset_backends
from messaging.delivery.http import HttpGatewayBackend, retry_after_seconds
from tests.messaging.gateway import Answer

TOKEN = "gw-secret-token"


def outgoing(n: int = 1, *, channel: str = "sms") -> list[Outgoing]:
    return [
        Outgoing(
            message_key=f"{i:030X}",
            channel=channel,
            sender="Postroom",
            address=f"+4477009000{i:02d}",
            body=f"Hello {i}",
            payload={"template": "greeting", "n": i} if channel == "whatsapp" else None,
        )
        for i in range(1, n + 1)
    ]


def backend(url: str, **options) -> HttpGatewayBackend:
    return HttpGatewayBackend(url=url, token=TOKEN, **{"timeout": 5.0, "connect_timeout": 2.0, **options})


def test_a_2xx_is_sent_with_the_message_its_idempotency_key_and_the_token(gateway):
    gateway.answer = lambda request: Answer(202, {"provider_id": "prov-1"})
    [message] = outgoing(channel="whatsapp")

    [outcome] = backend(gateway.url).send([message])

    assert (outcome.message_key, outcome.result, outcome.error) == (message.message_key, Result.SENT, "")
    assert outcome.provider_id == "prov-1"
    [request] = gateway.received
    assert request.headers["idempotency-key"] == message.message_key
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "id": message.message_key,
        "channel": "whatsapp",
        "from": "Postroom",
        "to": message.address,
        "text": "Hello 1",
        "payload": {"template": "greeting", "n": 1},
    }


def test_any_2xx_is_sent_whatever_its_body(gateway):
    gateway.answer = lambda request: Answer(200, raw=b"OK")

    [outcome] = backend(gateway.url).send(outgoing())

    assert (outcome.result, outcome.provider_id) == (Result.SENT, "")


def test_without_a_token_no_authorization_is_sent(gateway):
    HttpGatewayBackend(url=gateway.url, token="").send(outgoing())

    assert "authorization" not in gateway.received[0].headers


def test_a_4xx_fails_the_message(gateway):
    gateway.answer = lambda request: Answer(400, {"error": "bad number"})

    [outcome] = backend(gateway.url).send(outgoing())

    assert (outcome.result, outcome.error, outcome.retry_after) == (
        Result.FAILED,
        "gateway answered 400",
        None,
    )


def test_a_429_retries_after_the_gateways_retry_after(gateway):
    gateway.answer = lambda request: Answer(429, headers={"Retry-After": "7"})

    [outcome] = backend(gateway.url).send(outgoing())

    assert (outcome.result, outcome.error, outcome.retry_after) == (Result.RETRY, "gateway answered 429", 7.0)


def test_a_429_without_retry_after_retries_with_no_wait_given(gateway):
    gateway.answer = lambda request: Answer(429)

    [outcome] = backend(gateway.url).send(outgoing())

    assert (outcome.result, outcome.retry_after) == (Result.RETRY, None)


def test_a_5xx_retries(gateway):
    gateway.answer = lambda request: Answer(500)

    [outcome] = backend(gateway.url).send(outgoing())

    assert (outcome.result, outcome.error) == (Result.RETRY, "gateway answered 500")


def test_a_gateway_slower_than_the_timeout_retries(gateway):
    gateway.answer = lambda request: Answer(200, delay=5)
    started = time.monotonic()

    [outcome] = backend(gateway.url, timeout=0.3).send(outgoing())

    assert (outcome.result, outcome.error) == (Result.RETRY, "gateway timed out")
    assert time.monotonic() - started < 2


def test_a_refused_connection_retries(closed_port):
    [outcome] = backend(f"http://127.0.0.1:{closed_port}/send").send(outgoing())

    assert (outcome.result, outcome.error) == (Result.RETRY, "gateway unreachable")


def test_no_outcome_carries_the_token_or_the_url(gateway, closed_port):
    gateway.answer = lambda request: Answer(401)
    outcomes = [
        *backend(gateway.url).send(outgoing()),
        *backend(f"http://127.0.0.1:{closed_port}/send").send(outgoing()),
    ]

    for outcome in outcomes:
        assert TOKEN not in outcome.error and "127.0.0.1" not in outcome.error


def test_one_by_one_each_message_is_a_request_sent_over_the_pool_at_once(gateway):
    gateway.answer = lambda request: Answer(400 if request.body["text"] == "Hello 2" else 200, delay=0.4)
    messages = outgoing(4)
    started = time.monotonic()

    outcomes = backend(gateway.url, pool_size=4).send(messages)

    assert time.monotonic() - started < 1.2  # four requests of 0.4 s side by side
    assert [o.message_key for o in outcomes] == [m.message_key for m in messages]
    assert [o.result for o in outcomes] == [Result.SENT, Result.FAILED, Result.SENT, Result.SENT]
    assert sorted(r.headers["idempotency-key"] for r in gateway.received) == [m.message_key for m in messages]


def test_connections_are_kept_open_between_sends(gateway):
    gateway_backend = backend(gateway.url)

    gateway_backend.send(outgoing())
    gateway_backend.send(outgoing())

    first, second = gateway.received
    assert first.client_port == second.client_port


def test_one_by_one_the_posting_threads_are_kept_between_sends(gateway):
    gateway_backend = backend(gateway.url, pool_size=3)
    before = set(threading.enumerate())

    def posting_threads() -> set:
        return {t for t in set(threading.enumerate()) - before if t.name.startswith("gateway")}

    gateway_backend.send(outgoing(3))
    first = posting_threads()
    gateway_backend.send(outgoing(3))
    second = posting_threads()

    # The pool starts a thread only when none is idle, so a quick send may need fewer than 3.
    assert first and first <= second and len(second) <= 3
    gateway_backend.close()
    assert not posting_threads()


def test_a_forked_process_builds_its_own_backend(settings, gateway):
    settings.MESSAGING_BACKENDS = {}
    settings.MESSAGING_DEFAULT_BACKEND = ""
    settings.MESSAGING_GATEWAY_URL = gateway.url
    reset_backends()
    parent = backend_for("sms")
    parent.send(outgoing(2))  # its connections and threads are up
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()

    child = context.Process(target=lambda: theirs.send(backend_for("sms") is parent))
    child.start()
    child.join(10)

    assert ours.recv() is False
    reset_backends()


def test_one_by_one_a_send_takes_one_message_per_pooled_connection():
    assert backend("http://127.0.0.1:9/", pool_size=7, batch_size=1).max_batch == 7


def test_a_batch_is_one_request_whose_results_give_each_message_its_outcome(gateway):
    messages = outgoing(4)
    keys = [m.message_key for m in messages]
    gateway.answer = lambda request: Answer(
        200,
        {
            "results": [
                {"id": keys[2], "status": "rejected", "error": "number not in service"},
                {"id": keys[0], "status": "accepted", "provider_id": "p-0"},
                {"id": keys[3], "status": "queued"},  # not a status of the protocol
            ]
        },
    )

    outcomes = backend(gateway.url, batch_size=10).send(messages)

    assert [o.message_key for o in outcomes] == keys
    assert [(o.result, o.error, o.provider_id) for o in outcomes] == [
        (Result.SENT, "", "p-0"),
        (Result.RETRY, "gateway gave no result", ""),
        (Result.FAILED, "number not in service", ""),
        (Result.RETRY, "gateway gave an unknown status", ""),
    ]
    [request] = gateway.received
    assert [m["id"] for m in request.body["messages"]] == keys
    assert request.body["messages"][0] == {
        "id": keys[0], "channel": "sms", "from": "Postroom", "to": messages[0].address, "text": "Hello 1",
        "payload": None,
    }  # fmt: skip
    assert "idempotency-key" not in request.headers  # the ids in the body are the keys
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_a_batch_larger_than_the_batch_size_goes_in_several_requests(gateway):
    gateway.answer = lambda request: Answer(
        200, {"results": [{"id": m["id"], "status": "accepted"} for m in request.body["messages"]]}
    )
    gateway_backend = backend(gateway.url, batch_size=2)

    outcomes = gateway_backend.send(outgoing(5))

    assert gateway_backend.max_batch == 2
    assert [len(r.body["messages"]) for r in gateway.received] == [2, 2, 1]
    assert {o.result for o in outcomes} == {Result.SENT}


@pytest.mark.parametrize(
    ("answer", "result", "error"),
    [
        (Answer(503, headers={"Retry-After": "30"}), Result.RETRY, "gateway answered 503"),
        (Answer(422), Result.FAILED, "gateway answered 422"),
        (Answer(200, raw=b"<html>"), Result.RETRY, "gateway gave no result"),
    ],
)
def test_a_batch_answered_as_a_whole_gives_every_message_that_outcome(gateway, answer, result, error):
    gateway.answer = lambda request: answer

    outcomes = backend(gateway.url, batch_size=3).send(outgoing(3))

    assert [(o.result, o.error) for o in outcomes] == [(result, error)] * 3


def test_a_gateway_needs_a_url(settings):
    settings.MESSAGING_GATEWAY_URL = ""

    with pytest.raises(ImproperlyConfigured):
        HttpGatewayBackend()


def test_settings_configure_the_gateway(settings, gateway):
    settings.MESSAGING_GATEWAY_URL = gateway.url
    settings.MESSAGING_GATEWAY_TOKEN = "from-settings"
    settings.MESSAGING_GATEWAY_BATCH_SIZE = 5

    gateway_backend = HttpGatewayBackend()
    gateway_backend.send(outgoing())

    assert gateway_backend.max_batch == 5
    assert gateway.received[0].headers["authorization"] == "Bearer from-settings"


def test_retry_after_is_read_as_seconds_or_an_http_date():
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)

    assert retry_after_seconds("120") == 120.0
    assert 55 <= retry_after_seconds(in_a_minute) <= 60
    assert retry_after_seconds("Thu, 01 Jan 1970 00:00:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None

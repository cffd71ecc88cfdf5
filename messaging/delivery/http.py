"""SMS, WhatsApp and the other non-email channels through one HTTP gateway (MESSAGING_GATEWAY_*).

The protocol (docs/OPERATIONS.md, "Message delivery"). Every request is a POST of JSON to
MESSAGING_GATEWAY_URL with `Authorization: Bearer <MESSAGING_GATEWAY_TOKEN>` (when a token is
set). A message is

    {"id": "<message key>", "channel": "sms", "from": "...", "to": "...", "text": "...",
     "payload": {...} | null}

where `id` is the message's idempotency key: a message may be posted again after a timeout or a
lost answer, and the gateway must not deliver an `id` twice.

- MESSAGING_GATEWAY_BATCH_SIZE = 1: the body is one message, with the header `Idempotency-Key:
  <id>`. Any 2xx means sent (a JSON answer's "provider_id", if any, is kept).
- MESSAGING_GATEWAY_BATCH_SIZE > 1: the body is {"messages": [message, ...]} and a 2xx answer is
  {"results": [{"id", "status": "accepted" | "rejected", "error", "provider_id"}]}; accepted is
  sent, rejected is failed (with the gateway's error), a message without a result is retried.
  There is no Idempotency-Key header: a retried batch need not hold the same messages, so the ids
  in the body are the keys.

For the whole request: 429 and 5xx, a timeout or a connection error retry (honouring Retry-After);
any other 4xx fails with "gateway answered 4NN".

The gateway's URL is set by staff and may well be a private host, so it is called directly, not
through config.outbound's guard, which exists for URLs users and companies give us."""

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import Backend, Outcome, Outgoing

logger = logging.getLogger("postroom.messaging")

# The most of an answer that is read: a batch's results fit many times over.
MAX_ANSWER_BYTES = 4 * 1024 * 1024


class HttpGatewayBackend(Backend):
    """One pool of keep-alive connections per process (this backend is built once per process),
    shared by its threads: at most `pool_size` requests at once; a thread that finds them all in
    use waits for one (up to the timeout). urllib3 never retries: the caller does, with backoff.
    One by one, a send() posts its messages through the backend's `pool_size` threads."""

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        pool_size: int | None = None,
        batch_size: int | None = None,
    ):
        self.url = url if url is not None else settings.MESSAGING_GATEWAY_URL
        if not self.url:
            raise ImproperlyConfigured("MESSAGING_GATEWAY_URL is not set: messages have no gateway.")
        token = token if token is not None else settings.MESSAGING_GATEWAY_TOKEN
        self.timeout = timeout if timeout is not None else settings.MESSAGING_GATEWAY_TIMEOUT_SECONDS
        connect_timeout = (
            connect_timeout
            if connect_timeout is not None
            else settings.MESSAGING_GATEWAY_CONNECT_TIMEOUT_SECONDS
        )
        self.pool_size = pool_size or settings.MESSAGING_GATEWAY_POOL_SIZE
        self.batch_size = batch_size or settings.MESSAGING_GATEWAY_BATCH_SIZE
        # Batch mode: one request per send(). One by one: a send() posts up to one message per
        # pooled connection, all at once.
        self.max_batch = self.batch_size if self.batch_size > 1 else self.pool_size
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._pool = urllib3.PoolManager(
            maxsize=self.pool_size,
            block=True,
            retries=False,
            timeout=urllib3.Timeout(total=self.timeout, connect=min(connect_timeout, self.timeout)),
        )
        # One by one, the threads that post at once live as long as the connections: starting
        # pool_size threads for every send() would cost more than the requests they make.
        self._threads = (
            ThreadPoolExecutor(max_workers=self.pool_size, thread_name_prefix="gateway")
            if self.batch_size == 1
            else None
        )

    def send(self, batch: list[Outgoing]) -> list[Outcome]:
        if self.batch_size > 1:
            outcomes = []
            for start in range(0, len(batch), self.batch_size):
                outcomes += self._send_batch(batch[start : start + self.batch_size])
            return outcomes
        if len(batch) <= 1:
            return [self._send_one(message) for message in batch]
        return list(self._threads.map(self._send_one, batch))

    def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True)
        self._pool.clear()

    def send_now(self, message: Outgoing, *, timeout: float) -> Outcome:
        return self._send_one(message, timeout=min(timeout, self.timeout))

    def _send_one(self, message: Outgoing, *, timeout: float | None = None) -> Outcome:
        key = message.message_key
        failure, answer = self._post(_message_json(message), {"Idempotency-Key": key}, timeout=timeout)
        if failure:
            return failure.outcome(key)
        provider_id = answer.get("provider_id") if isinstance(answer, dict) else None
        return Outcome.sent(key, provider_id=str(provider_id or ""))

    def _send_batch(self, batch: list[Outgoing]) -> list[Outcome]:
        failure, answer = self._post({"messages": [_message_json(m) for m in batch]}, {})
        if failure:
            return [failure.outcome(m.message_key) for m in batch]
        results = answer.get("results") if isinstance(answer, dict) else None
        by_id = {r.get("id"): r for r in results if isinstance(r, dict)} if isinstance(results, list) else {}
        return [_batch_outcome(m.message_key, by_id.get(m.message_key)) for m in batch]

    def _post(
        self, body: dict, headers: dict, *, timeout: float | None = None
    ) -> "tuple[_Failure | None, object]":
        """(None, the answer's JSON or None if it is not JSON) for a 2xx; else (why, None).
        `timeout`: a shorter bound than the backend's for this request."""
        extra = {} if timeout is None else {"timeout": urllib3.Timeout(total=timeout, connect=timeout)}
        try:
            response = self._pool.request(
                "POST",
                self.url,
                body=json.dumps(body).encode(),
                headers={**self._headers, **headers},
                preload_content=False,
                pool_timeout=timeout or self.timeout,
                redirect=False,
                **extra,
            )
            try:
                content = response.read(MAX_ANSWER_BYTES)
                if response.read(1):  # not an answer of ours: drop the connection, unread
                    response.close()
            finally:
                response.release_conn()
        except urllib3.exceptions.NewConnectionError:
            return _Failure(retry=True, error="gateway unreachable"), None
        except urllib3.exceptions.EmptyPoolError:
            return _Failure(retry=True, error="no gateway connection free"), None
        except urllib3.exceptions.TimeoutError:
            return _Failure(retry=True, error="gateway timed out"), None
        except (urllib3.exceptions.HTTPError, OSError):
            logger.warning("gateway request failed", exc_info=True)
            return _Failure(retry=True, error="gateway connection failed"), None
        if not 200 <= response.status < 300:
            return _status_failure(response.status, response.headers.get("Retry-After")), None
        try:
            return None, json.loads(content)
        except ValueError:
            return None, None


@dataclass(frozen=True)
class _Failure:
    """Why a whole request failed: the same outcome for each of its messages."""

    retry: bool
    error: str
    retry_after: float | None = None

    def outcome(self, key: str) -> Outcome:
        if self.retry:
            return Outcome.retry(key, self.error, retry_after=self.retry_after)
        return Outcome.failed(key, self.error)


def _status_failure(status: int, retry_after: str | None) -> _Failure:
    if status == 429 or status >= 500:
        return _Failure(
            retry=True, error=f"gateway answered {status}", retry_after=retry_after_seconds(retry_after)
        )
    return _Failure(retry=False, error=f"gateway answered {status}")


def _message_json(message: Outgoing) -> dict:
    return {
        "id": message.message_key,
        "channel": message.channel,
        "from": message.sender,
        "to": message.address,
        "text": message.body,
        "payload": message.payload,
    }


def _batch_outcome(key: str, result: dict | None) -> Outcome:
    if result is None:
        # The gateway took the request but said nothing of this message: posting it again is safe
        # (same id), losing it is not.
        return Outcome.retry(key, "gateway gave no result")
    provider_id = str(result.get("provider_id") or "")
    if result.get("status") == "accepted":
        return Outcome.sent(key, provider_id=provider_id)
    if result.get("status") == "rejected":
        return Outcome.failed(key, str(result.get("error") or "gateway rejected the message"))
    return Outcome.retry(key, "gateway gave an unknown status")


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())

"""What every channel backend takes and gives back: plain data, no models, so delivery can be
tested (and swapped) apart from the messages' rows.

A backend sends a batch of Outgoing messages and answers one Outcome per message, in the same
order. `sent`: the provider took it. `failed`: it never will (a refused address, a 4xx), do not
try again. `retry`: it may go later (timeouts, 5xx, 429, a dropped connection); the caller
retries with the same message_key, which the provider uses to drop a duplicate of a message it
did take before the answer was lost."""

import abc
from dataclasses import dataclass
from enum import StrEnum

CHANNELS = ("sms", "webpush", "email", "telegram", "rbm", "viber", "whatsapp")
# Outcome errors are stored on the message: short, and never a secret (no token, no URL).
MAX_ERROR_CHARS = 200
MAX_PROVIDER_ID_CHARS = 100


class Result(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"


@dataclass(frozen=True)
class Outgoing:
    message_key: str  # 30 upper-case hex digits: the idempotency key the provider sees
    channel: str
    sender: str
    address: str
    body: str
    # JSON channels: the rendered JSON message. Email: {"subject", "text", "html"}, or None when
    # the body is plain text.
    payload: dict | None = None


@dataclass(frozen=True)
class Outcome:
    message_key: str
    result: Result
    error: str = ""  # '' when sent; a short reason otherwise
    retry_after: float | None = None  # seconds the provider asked us to wait (Retry-After)
    provider_id: str = ""

    @classmethod
    def sent(cls, message_key: str, *, provider_id: str = "") -> "Outcome":
        return cls(message_key, Result.SENT, provider_id=provider_id[:MAX_PROVIDER_ID_CHARS])

    @classmethod
    def failed(cls, message_key: str, error: str) -> "Outcome":
        return cls(message_key, Result.FAILED, error=error[:MAX_ERROR_CHARS])

    @classmethod
    def retry(cls, message_key: str, error: str, *, retry_after: float | None = None) -> "Outcome":
        return cls(message_key, Result.RETRY, error=error[:MAX_ERROR_CHARS], retry_after=retry_after)


class Backend(abc.ABC):
    """A channel's way out. Built once per process (messaging.delivery.backend_for) and shared by
    the process's threads, so send() must be thread-safe."""

    # The most messages one send() takes.
    max_batch: int = 100

    @abc.abstractmethod
    def send(self, batch: list[Outgoing]) -> list[Outcome]:
        """One Outcome per message of `batch`, in its order. Never raises for a message's fate:
        an error reaching the provider is that message's `retry` or `failed`."""

    def send_now(self, message: Outgoing, *, timeout: float) -> Outcome:
        """One message while someone waits for the answer (a resend through an API): a backend
        that can bound its wait by `timeout` seconds does."""
        return self.send([message])[0]

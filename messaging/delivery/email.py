"""Email through Django's email backend (EMAIL_URL): one connection per batch, one message at a
time on it, so each message gets its own outcome.

A message's payload {"subject", "text", "html"} becomes a text email with an HTML alternative
(when `html` is given; `text` falls back to the body). Without a payload the body is the text and
the subject is MESSAGING_EMAIL_SUBJECT. The sender is the From address (DEFAULT_FROM_EMAIL when
empty).

SMTP says itself whether a refusal is final: a 5xx reply fails the message, a 4xx one (mailbox
busy, greylisting, too many messages) retries it. A connection that cannot be opened, drops or
times out (MESSAGING_EMAIL_TIMEOUT_SECONDS) retries the message and every one after it in the
batch."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .base import Backend, Outcome, Outgoing

logger = logging.getLogger("postroom.messaging")


class EmailBackend(Backend):
    max_batch = 100

    def send(self, batch: list[Outgoing]) -> list[Outcome]:
        connection = get_connection(timeout=settings.MESSAGING_EMAIL_TIMEOUT_SECONDS)
        try:
            connection.open()
        except OSError:  # smtplib's errors are OSErrors too
            logger.warning("mail server unreachable", exc_info=True)
            return [Outcome.retry(m.message_key, "mail server unreachable") for m in batch]
        try:
            return [_send_one(connection, message) for message in batch]
        finally:
            _close_quietly(connection)


def _send_one(connection, message: Outgoing) -> Outcome:
    if not message.address:
        return Outcome.failed(message.message_key, "no email address")
    try:
        sent = connection.send_messages([_email(message, connection)])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            return Outcome.retry(message.message_key, f"recipient refused for now ({codes[0]})")
        return Outcome.failed(message.message_key, f"recipient refused ({codes[0] if codes else '?'})")
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            return Outcome.retry(message.message_key, f"mail server answered {exc.smtp_code}")
        return Outcome.failed(message.message_key, f"mail server answered {exc.smtp_code}")
    except OSError as exc:
        # Disconnected, timed out, reset. smtplib then closes the connection, so the rest of the
        # batch is retried at once too, without waiting again.
        logger.warning("connection to the mail server lost: %s", type(exc).__name__)
        return Outcome.retry(message.message_key, "connection to the mail server lost")
    except ValueError:  # an address or header Django refuses (line breaks, unparseable address)
        return Outcome.failed(message.message_key, "invalid email message")
    if not sent:
        return Outcome.failed(message.message_key, "not sent")
    return Outcome.sent(message.message_key)


def _email(message: Outgoing, connection) -> EmailMultiAlternatives:
    payload = message.payload or {}
    subject = payload.get("subject") or settings.MESSAGING_EMAIL_SUBJECT
    email = EmailMultiAlternatives(
        # A rendered subject may end in a line break; a header cannot hold one.
        subject=" ".join(subject.splitlines()).strip(),
        body=payload.get("text") or message.body,
        from_email=message.sender or settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        connection=connection,
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    return email


def _close_quietly(connection) -> None:
    # The outcomes are known by now: a failing QUIT must not lose them.
    try:
        connection.close()
    except Exception:
        logger.warning("closing the mail connection failed", exc_info=True)

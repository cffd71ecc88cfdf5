"""messaging.delivery.email: Django's locmem backend (mail.outbox) for what a message becomes, a
real SMTP server on 127.0.0.1 (tests/messaging/smtp.py) for how each message's fate is told."""

import time

from django.core import mail

from messaging.delivery import Outgoing, Result
from messaging.delivery.email import EmailBackend


def email(i: int = 1, **fields) -> Outgoing:
    values = {
        "message_key": f"{i:030X}",
        "channel": "email",
        "sender": "Shop <news@shop.example>",
        "address": f"person{i}@example.com",
        "body": f"Hello {i}",
        "payload": None,
    }
    return Outgoing(**{**values, **fields})


def test_a_payload_becomes_a_text_email_with_an_html_alternative():
    message = email(payload={"subject": "Spring sale\n", "text": "Hi Ann", "html": "<p>Hi Ann</p>"})

    [outcome] = EmailBackend().send([message])

    assert (outcome.message_key, outcome.result, outcome.error) == (message.message_key, Result.SENT, "")
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.from_email, sent.to) == (
        "Spring sale",
        "Hi Ann",
        "Shop <news@shop.example>",
        ["person1@example.com"],
    )
    assert sent.alternatives == [("<p>Hi Ann</p>", "text/html")]


def test_a_plain_body_is_the_text_under_the_default_subject_and_sender(settings):
    settings.MESSAGING_EMAIL_SUBJECT = "News from Shop"
    settings.DEFAULT_FROM_EMAIL = "Postroom <noreply@postroom.example>"

    EmailBackend().send([email(sender="")])

    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.from_email) == (
        "News from Shop",
        "Hello 1",
        "Postroom <noreply@postroom.example>",
    )
    assert sent.alternatives == []


def test_a_payload_without_text_falls_back_to_the_body():
    EmailBackend().send([email(payload={"subject": "S", "html": "<b>x</b>"})])

    assert mail.outbox[0].body == "Hello 1"


def test_a_message_django_refuses_fails_and_the_others_go():
    batch = [email(1), email(2, address="bad\nheader@example.com"), email(3, address="")]

    outcomes = EmailBackend().send(batch)

    assert [(o.result, o.error) for o in outcomes] == [
        (Result.SENT, ""),
        (Result.FAILED, "invalid email message"),
        (Result.FAILED, "no email address"),
    ]
    assert [m.to for m in mail.outbox] == [["person1@example.com"]]


def test_a_batch_goes_over_one_smtp_connection(mail_server):
    outcomes = EmailBackend().send([email(i) for i in range(1, 4)])

    assert [o.result for o in outcomes] == [Result.SENT] * 3
    assert mail_server.connections == 1
    assert [to for _, to, _ in mail_server.received] == [[f"person{i}@example.com"] for i in range(1, 4)]
    assert mail_server.received[0][0] == "news@shop.example"


def test_a_recipient_refused_for_good_fails_and_for_now_retries(mail_server):
    mail_server.refuse = {"person1@example.com": 550, "person2@example.com": 450}

    outcomes = EmailBackend().send([email(1), email(2), email(3)])

    assert [(o.result, o.error) for o in outcomes] == [
        (Result.FAILED, "recipient refused (550)"),
        (Result.RETRY, "recipient refused for now (450)"),
        (Result.SENT, ""),
    ]
    assert mail_server.connections == 1


def test_a_refused_message_fails_by_the_servers_code(mail_server):
    mail_server.data_code = 554

    [outcome] = EmailBackend().send([email()])

    assert (outcome.result, outcome.error) == (Result.FAILED, "mail server answered 554")


def test_a_dropped_connection_retries_the_rest_of_the_batch(mail_server):
    mail_server.hang_up_after = 1

    outcomes = EmailBackend().send([email(1), email(2), email(3)])

    assert [(o.result, o.error) for o in outcomes] == [
        (Result.SENT, ""),
        (Result.RETRY, "connection to the mail server lost"),
        (Result.RETRY, "connection to the mail server lost"),
    ]
    assert [o.message_key for o in outcomes] == [email(i).message_key for i in (1, 2, 3)]


def test_a_stalled_server_times_out_once_and_the_rest_of_the_batch_retries(mail_server, settings):
    settings.MESSAGING_EMAIL_TIMEOUT_SECONDS = 0.4
    mail_server.stall_after = 1
    started = time.monotonic()

    outcomes = EmailBackend().send([email(i) for i in range(1, 5)])

    assert [o.result for o in outcomes] == [Result.SENT] + [Result.RETRY] * 3
    assert time.monotonic() - started < 1.3  # the second message's wait, and QUIT's


def test_an_unreachable_mail_server_retries_every_message(settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port

    outcomes = EmailBackend().send([email(1), email(2)])

    assert [(o.result, o.error) for o in outcomes] == [(Result.RETRY, "mail server unreachable")] * 2

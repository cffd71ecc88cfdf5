"""messaging.delivery: the registry of channel backends, the console backend, outcomes."""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from messaging.delivery import CHANNELS, Outcome, Outgoing, Result, backend_for, backend_path, reset_backends
from messaging.delivery.base import MAX_ERROR_CHARS
from messaging.delivery.console import ConsoleBackend
from messaging.delivery.email import EmailBackend
from messaging.delivery.http import HttpGatewayBackend

CONSOLE = "messaging.delivery.console.ConsoleBackend"


@pytest.fixture
def production_defaults(settings):
    settings.MESSAGING_BACKENDS = {}
    settings.MESSAGING_DEFAULT_BACKEND = ""
    settings.MESSAGING_GATEWAY_URL = "http://gateway.internal/send"


def test_email_goes_through_django_and_every_other_channel_through_the_gateway(production_defaults):
    assert isinstance(backend_for("email"), EmailBackend)
    for channel in set(CHANNELS) - {"email"}:
        assert isinstance(backend_for(channel), HttpGatewayBackend)


def test_one_backend_per_process_and_path_until_reset(production_defaults):
    gateway = backend_for("sms")

    assert backend_for("whatsapp") is gateway  # one connection pool for every gateway channel
    reset_backends()
    assert backend_for("sms") is not gateway


def test_a_channel_named_in_the_setting_gets_its_backend(production_defaults, settings):
    settings.MESSAGING_BACKENDS = {"viber": CONSOLE}

    assert isinstance(backend_for("viber"), ConsoleBackend)
    assert isinstance(backend_for("sms"), HttpGatewayBackend)


def test_the_default_backend_serves_every_channel_not_named(settings):
    settings.MESSAGING_BACKENDS = {"email": "messaging.delivery.email.EmailBackend"}
    settings.MESSAGING_DEFAULT_BACKEND = CONSOLE
    settings.MESSAGING_GATEWAY_URL = ""

    assert isinstance(backend_for("email"), EmailBackend)
    assert {backend_path(c) for c in set(CHANNELS) - {"email"}} == {CONSOLE}


def test_an_unknown_channel_has_no_backend():
    with pytest.raises(LookupError):
        backend_for("pigeon")


def test_the_gateway_without_a_url_is_a_configuration_error(production_defaults, settings):
    settings.MESSAGING_GATEWAY_URL = ""

    with pytest.raises(ImproperlyConfigured):
        backend_for("sms")


def test_the_console_logs_each_message_and_calls_it_sent(caplog):
    batch = [
        Outgoing("A" * 30, "sms", "Shop", "+447700900001", "Hello", None),
        Outgoing("B" * 30, "whatsapp", "Shop", "+447700900002", "Hi", {"template": "x"}),
    ]

    with caplog.at_level(logging.INFO, logger="postroom.messaging"):
        outcomes = ConsoleBackend().send(batch)

    assert outcomes == [Outcome("A" * 30, Result.SENT), Outcome("B" * 30, Result.SENT)]
    logged = [r for r in caplog.records if r.name == "postroom.messaging"]
    assert [(r.message_key, r.channel, r.address, r.body) for r in logged] == [
        ("A" * 30, "sms", "+447700900001", "Hello"),
        ("B" * 30, "whatsapp", "+447700900002", "Hi"),
    ]
    assert logged[1].payload == {"template": "x"}
    assert [r.getMessage() for r in logged] == [
        f"message sent to the console: {'A' * 30} sms from Shop to +447700900001: Hello",
        f'message sent to the console: {"B" * 30} whatsapp from Shop to +447700900002: {{"template": "x"}}',
    ]


def test_outcomes_keep_errors_short():
    outcome = Outcome.failed("A" * 30, "x" * 1000)

    assert (outcome.result, len(outcome.error)) == ("failed", MAX_ERROR_CHARS)
    assert Outcome.retry("A" * 30, "later", retry_after=3).retry_after == 3

"""Channel delivery backends: plain data in (Outgoing), plain data out (Outcome); no models.

backend_for(channel) gives the channel's backend, named by a dotted path: MESSAGING_BACKENDS
(channel -> path) first, else MESSAGING_DEFAULT_BACKEND when set, else email through Django's
email backend and every other channel through the HTTP gateway. A backend is built once per
process and path (the gateway's connection pool and threads live in it); reset_backends() forgets
them (for tests that change these settings), and a forked process (a Celery prefork worker)
forgets its parent's at once: connections and threads do not survive a fork."""

import functools
import os

from django.conf import settings
from django.utils.module_loading import import_string

from .base import CHANNELS, MAX_ERROR_CHARS, MAX_PROVIDER_ID_CHARS, Backend, Outcome, Outgoing, Result

__all__ = [
    "CHANNELS",
    "MAX_ERROR_CHARS",
    "MAX_PROVIDER_ID_CHARS",
    "Backend",
    "Outcome",
    "Outgoing",
    "Result",
    "backend_for",
    "backend_path",
    "reset_backends",
]

EMAIL_BACKEND = "messaging.delivery.email.EmailBackend"
GATEWAY_BACKEND = "messaging.delivery.http.HttpGatewayBackend"
CONSOLE_BACKEND = "messaging.delivery.console.ConsoleBackend"


def backend_path(channel: str) -> str:
    if channel not in CHANNELS:
        raise LookupError(f"no such channel: {channel!r}")
    return (
        settings.MESSAGING_BACKENDS.get(channel)
        or settings.MESSAGING_DEFAULT_BACKEND
        or (EMAIL_BACKEND if channel == "email" else GATEWAY_BACKEND)
    )


def backend_for(channel: str) -> Backend:
    return _backend(backend_path(channel))


@functools.cache
def _backend(path: str) -> Backend:
    return import_string(path)()


def reset_backends() -> None:
    _backend.cache_clear()


os.register_at_fork(after_in_child=reset_backends)

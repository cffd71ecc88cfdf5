"""Helpers for tests of the messages export API (/v1/): its headers and a JSON POST."""

import json

from django.test import TestCase
from rest_framework.test import APIClient

BASE = "/v1/"
CLIENT_IP = "203.0.113.7"


def auth_context(api_code: str, **extra) -> str:
    return json.dumps({"api_access": True, "api_code": api_code, **extra})


def export_client(token: str, api_code: str, *, ip: str = CLIENT_IP, **headers) -> APIClient:
    """A client sending the export API's headers: the bearer token, x-auth-context, x-ip (and
    any other header given as a WSGI name, e.g. HTTP_X_API_KEY)."""
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_AUTH_CONTEXT=auth_context(api_code),
        HTTP_X_IP=ip,
        **headers,
    )
    return client


def call(client, path: str, body=None, **extra):
    """POST /v1/<path> with a JSON body (a str or bytes is sent as is), running what it leaves
    for after its commit (the export task runs in-process in tests)."""
    data = json.dumps(body) if body is not None and not isinstance(body, str | bytes) else body
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(BASE + path, data, content_type="application/json", **extra)


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()

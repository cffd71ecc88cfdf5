"""Helpers for tests of the platform API (/api/v1/)."""

_UNCHECKED = object()


def assert_envelope(
    response, status: int, message=_UNCHECKED, *, success: bool | None = None, errors=_UNCHECKED
) -> dict:
    """The response has the status and the envelope {success, message, data, errors}; returns the
    body. `message` and `errors` are compared exactly when given (None means JSON null)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"success", "message", "data", "errors"}, body
    expected_success = (status < 400) if success is None else success
    assert body["success"] is expected_success, body
    if message is not _UNCHECKED:
        assert body["message"] == message, body
    if errors is not _UNCHECKED:
        assert body["errors"] == errors, body
    elif not expected_success:
        assert body["errors"] is None or (isinstance(body["errors"], list) and body["errors"]), body
    if not expected_success:
        assert body["data"] is None, body
    return body


def login(client, api_key: str) -> dict:
    response = client.post("/api/v1/account/login", {"ApiKey": api_key}, format="json")
    return assert_envelope(response, 200, "Login successful")["data"]


def bearer(client, token: str):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client

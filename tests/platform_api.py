"""Helpers for tests of the platform API (/api/v1/)."""


def assert_envelope(
    response, status: int, message: str | None = None, *, success: bool | None = None
) -> dict:
    """The response has the status and the envelope {success, message, data, errors}; returns the body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"success", "message", "data", "errors"}, body
    expected_success = (status < 400) if success is None else success
    assert body["success"] is expected_success, body
    if message is not None:
        assert body["message"] == message, body
    if not expected_success:
        assert isinstance(body["errors"], list) and body["errors"], body
    return body


def login(client, api_key: str) -> dict:
    response = client.post("/api/v1/account/login", {"ApiKey": api_key}, format="json")
    return assert_envelope(response, 200, "Login successful")["data"]


def bearer(client, token: str):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client

"""Health, readiness and the OpenAPI documents."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_openapi_schema_documents_every_platform_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in ("/api/v1/account/login", "/api/v1/account/refresh", "/api/v1/account/balance"):
        operation = paths[path]["post"]
        assert "200" in operation["responses"] and "401" in operation["responses"], path
    balance = paths["/api/v1/account/balance"]["post"]
    assert "403" in balance["responses"]
    assert balance["security"] == [{"BearerJWT": []}]
    login = paths["/api/v1/account/login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "LoginRequestRequest"
    )


def test_swagger_ui_is_served_offline(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in response.text
    assert "cdn" not in response.text.lower()

"""Health, readiness and the OpenAPI documents."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_cache_storage_and_redis_when_configured(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    expected = {"database": "ok", "cache": "ok", "storage": "ok"}
    if settings.REDIS_URL:
        expected["redis"] = "ok"
    assert response.json() == {"status": "ok", "checks": expected}


def test_readyz_leaves_no_probe_behind(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    assert client.get("/readyz").status_code == 200
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_readyz_names_unreachable_storage(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["storage"] == "failed"
    assert body["checks"]["database"] == "ok"


def test_readyz_names_unreachable_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "failed"


def test_readyz_names_unreachable_cache(client, settings):
    settings.CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failed"


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

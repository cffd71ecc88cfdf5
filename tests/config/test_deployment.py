"""Deployment hardening: HTTPS settings from the environment, their headers, and the
Content-Security-Policy of the admin and the Swagger UI."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DATABASE_URL": "postgres://postroom:postroom@127.0.0.1:1/postroom",  # never connected to
    "SECRET_KEY": "production-like-" + "k" * 50,
    "ALLOWED_HOSTS": "app.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://app.example.com",
    "TRUSTED_PROXY_COUNT": "1",
}
HTTPS_SETTINGS = [
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
]


def _run(tmp_path, env: dict, *args: str) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "POSTROOM_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def _settings_in(tmp_path, env: dict) -> dict:
    names = json.dumps(HTTPS_SETTINGS)
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names}}}))"
    )
    done = _run(tmp_path, {"DJANGO_SETTINGS_MODULE": "config.settings", **env}, "-c", code)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_behind_a_trusted_proxy_production_serves_https_only(tmp_path):
    assert _settings_in(tmp_path, PRODUCTION) == {
        "HTTPS": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_the_embedded_default_serves_plain_http_and_trusts_no_forwarded_header(tmp_path):
    assert _settings_in(tmp_path, {}) == {
        "HTTPS": False,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_debug_keeps_https_off_and_https_can_be_forced(tmp_path):
    assert _settings_in(tmp_path, {**PRODUCTION, "DJANGO_DEBUG": "true"})["SECURE_SSL_REDIRECT"] is False
    forced = _settings_in(tmp_path, {**PRODUCTION, "TRUSTED_PROXY_COUNT": "0", "HTTPS": "true"})
    assert forced["SECURE_SSL_REDIRECT"] is True and forced["SECURE_PROXY_SSL_HEADER"] is None


def test_check_deploy_passes_at_warning_level_with_the_production_environment(tmp_path):
    done = _run(tmp_path, PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        ({"TRUSTED_PROXY_COUNT": "0"}, "(security.W008)"),  # no HTTPS: SECURE_SSL_REDIRECT off
        ({"SECRET_KEY": "short-and-guessable"}, "(security.W009)"),
        ({"HSTS_PRELOAD": "false"}, "(security.W021)"),
    ],
)
def test_check_deploy_fails_at_warning_level_for_a_weaker_environment(tmp_path, change, warning):
    done = _run(
        tmp_path, {**PRODUCTION, **change}, "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert done.returncode == 1
    assert warning in done.stderr


@pytest.fixture
def production(settings):
    """The settings test_behind_a_trusted_proxy_production_serves_https_only shows production gets
    (read when a client's first request loads the middleware)."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return Client(REMOTE_ADDR="10.0.0.2")


def test_https_through_the_proxy_gets_hsts_and_secure_cookies(production):
    response = production.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies["csrftoken"]["secure"] is True


def test_plain_http_through_the_proxy_is_redirected_to_https(production):
    response = production.get("/admin/login/", HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/admin/login/"


def test_health_probes_answer_over_plain_http(production):
    assert production.get("/healthz").status_code == 200


# ---- Content-Security-Policy ------------------------------------------------------------------


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/"])
def test_browser_pages_carry_a_policy_without_inline_scripts(client, path):
    response = client.get(path)
    assert response.status_code == 200
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_the_lockout_page_carries_the_policy(client):
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "nobody@postroom.example", "password": "x"})
    assert response.status_code == 429
    assert _directives(response)["script-src"] == ["'self'"]


def test_the_api_carries_no_policy(api_client):
    response = api_client.post("/api/v1/account/login", {"ApiKey": "sk_live_x"}, format="json")
    assert response.status_code == 401
    assert "Content-Security-Policy" not in response


def test_swagger_ui_loads_only_same_origin_assets_that_exist(settings):
    # given: static files served from the apps, as collectstatic serves them in production
    settings.WHITENOISE_USE_FINDERS = True
    client = Client()

    # when
    page = client.get("/api/docs/")

    # then: no inline script, every reference a path on this site, and every one answers
    html = page.content.decode()
    assert page.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(references) >= 5  # favicon, stylesheet, two bundles, the start-up script
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        response = client.get(reference)
        assert response.status_code == 200, reference
        if reference.startswith("/api/docs/"):
            script = response.content.decode()
            assert response["Content-Type"].startswith("application/javascript")
            assert '"validatorUrl": null' in script  # no badge fetched from validator.swagger.io
            assert not re.search(r"https?://", script)

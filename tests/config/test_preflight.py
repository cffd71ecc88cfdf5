"""The production start (config.preflight, run by docker/entrypoint.sh): a wrong environment is
refused at once with one line naming the setting; the database is waited for; web replicas
migrate one at a time. And the web role's statement timeout on PostgreSQL."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from config.preflight import MIGRATION_LOCK, PRODUCTION_REQUIRED
from tests.integration.conftest import _database_url

ROOT = Path(__file__).resolve().parents[2]
needs_postgresql = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="needs DATABASE_URL on PostgreSQL",
)
UNREACHABLE = "postgres://postroom:postroom@127.0.0.1:1/postroom"
PRODUCTION = {
    "DATABASE_URL": UNREACHABLE,
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "SECRET_KEY": "production-like-" + "k1" * 30,
    "ALLOWED_HOSTS": "app.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://app.example.com",
    "TRUSTED_PROXY_COUNT": "1",
    "STORAGE_BACKEND": "local",
    "EMAIL_URL": "smtp://127.0.0.1:1",
    "DB_WAIT_SECONDS": "1",
}


def _start(tmp_path, env: dict, *args: str, wait: bool = True):
    base = {"PATH": os.environ["PATH"], "POSTROOM_VAR_DIR": str(tmp_path / "var")}
    command = [sys.executable, "-m", "config.preflight", *args]
    if not wait:
        return subprocess.Popen(
            command, cwd=ROOT, env={**base, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(command, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60)


def _refused_with(done, line: str) -> None:
    assert done.returncode == 1
    assert done.stderr == f"postroom: {line}\n"  # that line only: no stack trace


def test_the_production_environment_lists_exactly_the_required_settings():
    assert set(PRODUCTION) - {"DB_WAIT_SECONDS"} == set(PRODUCTION_REQUIRED)


def test_a_missing_secret_key_is_refused_in_one_line(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    _refused_with(_start(tmp_path, env), "SECRET_KEY must be set (docker/.env.example lists every setting).")


@pytest.mark.parametrize(
    "key",
    [
        "short-key",
        "change-me-in-production-please-" + "0123456789" * 3,
        "django-insecure-" + "x1y2z" * 10,
        "ab" * 40,
    ],
)
def test_a_weak_secret_key_is_refused_in_one_line(tmp_path, key):
    done = _start(tmp_path, {**PRODUCTION, "SECRET_KEY": key})
    _refused_with(
        done,
        'SECRET_KEY is too weak: use 50 or more random characters (python -c "import secrets; '
        'print(secrets.token_urlsafe(50))").',
    )


def test_manage_py_names_a_wrong_setting_in_one_line_too(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "POSTROOM_VAR_DIR": str(tmp_path),
        **PRODUCTION,
        "STORAGE_BACKEND": "disk",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr == "postroom: STORAGE_BACKEND must be 'local' or 's3'.\n"


def test_every_missing_production_setting_is_named(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k not in ("ALLOWED_HOSTS", "EMAIL_URL")}
    _refused_with(
        _start(tmp_path, env),
        "ALLOWED_HOSTS, EMAIL_URL must be set (docker/.env.example lists every setting).",
    )


def test_s3_storage_without_credentials_is_refused_in_one_line(tmp_path):
    env = {**PRODUCTION, "STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": "postroom"}
    _refused_with(
        _start(tmp_path, env), "STORAGE_BACKEND=s3 needs AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY to be set."
    )


def test_an_unreachable_database_is_waited_for_then_refused_in_one_line(tmp_path):
    started = time.monotonic()
    done = _start(tmp_path, PRODUCTION)
    assert done.returncode == 1
    assert done.stderr.startswith(
        "postroom: DATABASE_URL: no database answered at 127.0.0.1:1/postroom within 1 s ("
    )
    assert done.stderr.count("\n") == 1
    assert time.monotonic() - started < 30


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_web_replicas_migrate_one_at_a_time(tmp_path):
    # given: another web replica migrating (it holds the migration lock)
    env = {**PRODUCTION, "DATABASE_URL": _database_url(), "DB_WAIT_SECONDS": "10"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        # when: this one starts
        replica = _start(tmp_path, env, "--migrate", wait=False)
        time.sleep(3)
        # then: it waits for the lock ...
        assert replica.poll() is None, replica.communicate()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
    # ... and, once it is released, finds nothing left to apply
    out, err = replica.communicate(timeout=120)
    assert replica.returncode == 0, err
    assert "No migrations to apply." in out


def _sleep_in(tmp_path, role_import: str, milliseconds: int) -> subprocess.CompletedProcess:
    code = (
        f"{role_import}import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('SELECT pg_sleep(1.5)'); print('slept')"
    )
    env = {
        "PATH": os.environ["PATH"], "POSTROOM_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(), "SECRET_KEY": PRODUCTION["SECRET_KEY"],
        "DB_WEB_STATEMENT_TIMEOUT_MS": str(milliseconds),
    }  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@needs_postgresql
@pytest.mark.django_db
def test_a_web_process_statement_is_cancelled_after_the_timeout(tmp_path):
    done = _sleep_in(tmp_path, "import config.wsgi; ", 300)  # gunicorn's entry point: the web role
    assert done.returncode == 1
    assert "canceling statement due to statement timeout" in done.stderr


@needs_postgresql
@pytest.mark.django_db
def test_worker_statements_have_no_timeout(tmp_path):
    done = _sleep_in(tmp_path, "", 300)  # a worker, beat or command: not the web role
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "slept"


@pytest.mark.parametrize(
    ("role_import", "options"), [("import config.wsgi; ", "-c statement_timeout=25000"), ("", None)]
)
def test_connections_are_persistent_and_checked_and_only_the_web_role_has_a_timeout(
    tmp_path, role_import, options
):
    code = (
        f"{role_import}import json, django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'], db['OPTIONS'].get('options')]))"
    )
    env = {
        "PATH": os.environ["PATH"],
        "POSTROOM_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **PRODUCTION,
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == json.dumps([60, True, options])

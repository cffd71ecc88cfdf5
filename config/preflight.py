"""The production start's first step (docker/entrypoint.sh runs it before every process): check
the settings, wait for the database and, before a web process, apply the migrations, one web
replica at a time. Each refusal is one line naming what to fix, not a stack trace.

    python -m config.preflight [--migrate]
"""

import argparse
import os
import sys
import time

# Settings a production start needs from its environment: their defaults suit only the embedded
# mode (a SQLite file, local disk, mail printed to the console, plain HTTP on localhost).
PRODUCTION_REQUIRED = (
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXY_COUNT", "STORAGE_BACKEND", "EMAIL_URL",
)  # fmt: skip
# pg_advisory_lock key held while migrating: the web replicas starting together migrate in turn
# (the first applies them, the others find nothing left to do).
MIGRATION_LOCK = 0x706F7374726F6F6D


class StartRefused(Exception):
    """Why this process must not start, in one line."""


def load_settings() -> None:
    missing = [name for name in PRODUCTION_REQUIRED if not os.environ.get(name)]
    if missing:
        raise StartRefused(f"{', '.join(missing)} must be set (docker/.env.example lists every setting).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise StartRefused(str(exc)) from exc


def refuse_a_weak_secret_key() -> None:
    """Django's measure of a guessable key (check --deploy's security.W009), plus the
    placeholders of examples."""
    from django.conf import settings

    key = settings.SECRET_KEY
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-") or "change-me" in key:
        raise StartRefused(
            "SECRET_KEY is too weak: use 50 or more random characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )


def wait_for_database() -> None:
    from django.conf import settings
    from django.db import connection
    from django.db.utils import OperationalError

    deadline = time.monotonic() + settings.DB_WAIT_SECONDS
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                db = connection.settings_dict
                reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
                raise StartRefused(
                    f"DATABASE_URL: no database answered at {db['HOST']}:{db['PORT']}/{db['NAME']} "
                    f"within {settings.DB_WAIT_SECONDS:g} s ({reason})"
                ) from exc
            time.sleep(1)


def migrate() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        call_command("migrate", "--noinput")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
    try:
        call_command("migrate", "--noinput")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.preflight", description=__doc__)
    parser.add_argument("--migrate", action="store_true", help="apply migrations (the web role)")
    args = parser.parse_args(argv)
    try:
        load_settings()
        refuse_a_weak_secret_key()
        wait_for_database()
        if args.migrate:
            migrate()
    except StartRefused as exc:
        print(f"postroom: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

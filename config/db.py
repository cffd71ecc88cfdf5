"""Written-out reads for the API's hottest endpoints (balance, cost, recipient list, file search).

Each runs on Django's public cursor (`connection.cursor()`), so it is what any other query is:
recorded in connection.queries (DEBUG) and by CaptureQueriesContext, wrapped by
connection.execute_wrapper, Django's errors, part of the current transaction. Placeholders are
%s / %(name)s, as in Django.

`binary=True` asks PostgreSQL for its binary result format: a bytea column then arrives as the
bytes themselves rather than as hex text to decode. That is psycopg's documented `Cursor.format`,
set on the psycopg cursor the Django cursor wraps (its `cursor` attribute: the one thing here
beyond Django's documented API, pinned by tests/config/test_db.py). Elsewhere it changes nothing.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from psycopg.pq import Format


def fetch_one(sql: str, params, *, binary: bool = False) -> tuple | None:
    return _fetch(sql, params, "fetchone", binary)


def fetch_all(sql: str, params, *, binary: bool = False) -> list[tuple]:
    return _fetch(sql, params, "fetchall", binary)


def _fetch(sql: str, params, fetch: str, binary: bool):
    # The connection itself, looked up once: every attribute read through django.db.connection
    # (a proxy) looks it up again in the thread's connections.
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        if binary and db.vendor == "postgresql":
            cursor.cursor.format = Format.BINARY
        cursor.execute(sql, params)
        return getattr(cursor, fetch)()

"""Written-out reads for the API's hottest endpoints (balance, cost, recipient list, file search).

On PostgreSQL the query runs on the connection's psycopg connection itself, not through a Django
cursor: making the cursor object, its wrappers and its error translation per call costs about a
third of one of these queries, measured as 4-8% of such a request under load. What that gives
up: these queries are not recorded in connection.queries (DEBUG) or seen by CaptureQueriesContext,
and execute_wrappers do not wrap them. Errors are still Django's (wrap_database_errors), the
query is still part of the current transaction, and prepared statements still apply. Elsewhere
(SQLite) the Django cursor runs it as usual. Placeholders are %s / %(name)s, as in Django.
`binary=True` asks PostgreSQL for its binary result format: a bytea column then arrives as the
bytes themselves rather than as hex text to decode.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def fetch_one(sql: str, params, *, binary: bool = False) -> tuple | None:
    return _fetch(sql, params, "fetchone", binary)


def fetch_all(sql: str, params, *, binary: bool = False) -> list[tuple]:
    return _fetch(sql, params, "fetchall", binary)


def _fetch(sql: str, params, fetch: str, binary: bool):
    # The connection itself, looked up once: every attribute read through django.db.connection
    # (a proxy) looks it up again in the thread's connections.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return getattr(cursor, fetch)()
    db.ensure_connection()
    with db.wrap_database_errors:
        return getattr(db.connection.execute(sql, params, binary=binary), fetch)()

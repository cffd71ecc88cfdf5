"""Written-out reads for the API's hottest endpoints (balance, cost, recipient list, file search,
the services API's credential and campaign list).

Whenever anything watches queries, a read runs on Django's public cursor (`connection.cursor()`)
like any other query: recorded in connection.queries (DEBUG) and by CaptureQueriesContext, wrapped
by connection.execute_wrapper. When nothing does (production, benchmarks), on PostgreSQL it runs on
the connection's psycopg connection itself: making Django's cursor, its wrappers and its error
translation per call costs 20-60 us CPU, measured as balance 0.55-0.58x -> 0.48x of bare and cost
0.45-0.48x -> 0.39-0.43x (targets 0.60x and 0.50x). Either way errors are Django's
(wrap_database_errors), the query is part of the current transaction, and prepared statements
apply. Tools that patch Django's CursorWrapper class rather than use execute_wrapper do not see the
fast path. Placeholders are %s / %(name)s, as in Django.

What the fast path relies on beyond Django's documented API (all pinned by
tests/config/test_db.py, which fails if an upgrade changes them): `queries_logged` is true while
CaptureQueriesContext or DEBUG logs queries, `execute_wrappers` lists the wrappers
connection.execute_wrapper installs, and `connection.connection` is the psycopg connection.

`binary=True` asks PostgreSQL for its binary result format: a bytea column then arrives as the
bytes themselves rather than as hex text to decode (on Django's cursor: psycopg's documented
`Cursor.format`, set on the psycopg cursor it wraps, its `cursor` attribute). Elsewhere it changes
nothing.
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import DEFERRED
from django_prometheus.db import execute_total
from psycopg.pq import Format


def fetch_one(sql: str, params, *, binary: bool = False) -> tuple | None:
    return _fetch(sql, params, "fetchone", binary)


def fetch_all(sql: str, params, *, binary: bool = False) -> list[tuple]:
    return _fetch(sql, params, "fetchall", binary)


def _fetch(sql: str, params, fetch: str, binary: bool):
    # The connection itself, looked up once: every attribute read through django.db.connection
    # (a proxy) looks it up again in the thread's connections.
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql" and not (db.queries_logged or db.execute_wrappers):
        db.ensure_connection()
        execute_total.labels(db.alias, db.vendor).inc()  # as the backend counts its own (/metrics)
        with db.wrap_database_errors:
            return getattr(db.connection.execute(sql, params, binary=binary), fetch)()
    with db.cursor() as cursor:
        if binary and db.vendor == "postgresql":
            cursor.cursor.format = Format.BINARY
        cursor.execute(sql, params)
        return getattr(cursor, fetch)()


def for_reading(model, values: dict):
    """An instance of `model` holding the given column values (by attname), made by `from_db` as a
    queryset makes one from a row; the fields not given stay deferred, as with `only()`. (The
    values go in whole, DEFERRED where not given, as Django's from_db documentation shows, so
    from_db need not match names to fields.) For reading: save nothing through it."""
    row = [values.get(name, DEFERRED) for name in _attnames(model)]
    return model.from_db(DEFAULT_DB_ALIAS, values.keys(), row)


@cache
def _attnames(model) -> tuple[str, ...]:
    # from_db takes the values in the order of the model's concrete fields.
    return tuple(field.attname for field in model._meta.concrete_fields)


def delete_in_batches(rows, batch_size: int) -> int:
    """Delete the rows of the queryset `rows` a batch of primary keys at a time, so that no single
    statement holds locks on a large part of a table (the retention purges); returns how many."""
    deleted = 0
    while pks := list(rows.order_by().values_list("pk", flat=True)[:batch_size]):
        count, _ = rows.model._base_manager.filter(pk__in=pks).delete()
        deleted += count
    return deleted

"""config.db, the written-out reads: results, errors and transactions, on whichever database the
suite runs against (the psycopg connection itself on PostgreSQL when nothing watches queries,
Django's cursor otherwise), seen like any other query by CaptureQueriesContext and execute
wrappers; and what the fast path relies on in Django and psycopg, pinned."""

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Company
from config.db import fetch_all, fetch_one
from tests.accounts.factories import CompanyFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL behaviour")


@pytest.mark.django_db
def test_rows_come_back_with_their_python_types():
    assert fetch_all("SELECT %s + 1, %s || 'b' UNION ALL SELECT 5, 'c'", [1, "a"]) == [(2, "ab"), (5, "c")]
    assert fetch_one("SELECT %(n)s * %(n)s", {"n": 7}) == (49,)
    assert fetch_one("SELECT 1 WHERE 1 = 0", []) is None
    assert fetch_all("SELECT 1 WHERE 1 = 0", []) == []


@on_postgresql
@pytest.mark.django_db
def test_binary_results_give_bytea_as_its_bytes():
    # Pins what binary=True relies on beyond Django's documented API: the Django cursor's `cursor`
    # attribute is the psycopg cursor, whose `format` selects the result format. If an upgrade
    # changes either, this fails (AttributeError, or hex text instead of the bytes).
    with CaptureQueriesContext(connection) as seen:
        assert fetch_one("SELECT convert_to(%s, 'UTF8')", ["Zoë"], binary=True) == ("Zoë".encode(),)
        # The format is the cursor's, not the connection's: the next read is text again.
        assert fetch_one("SELECT 'x'::text", []) == ("x",)
    assert len(seen) == 2


@pytest.mark.django_db
def test_capture_queries_context_sees_the_reads():
    with CaptureQueriesContext(connection) as seen:
        fetch_one("SELECT %s + 40", [2])
        fetch_all("SELECT %s || 'b'", ["a"])
        fetch_one("SELECT 1", [], binary=True)

    assert len(seen) == 3
    assert "40" in seen[0]["sql"] and "'b'" in seen[1]["sql"]


@pytest.mark.django_db
def test_execute_wrappers_wrap_the_reads():
    calls = []

    def wrapper(execute, sql, params, many, context):
        calls.append((sql, list(params), context["connection"].alias))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert fetch_one("SELECT %s * 2", [21]) == (42,)
        assert fetch_all("SELECT %s", [5]) == [(5,)]

    assert calls == [("SELECT %s * 2", [21], "default"), ("SELECT %s", [5], "default")]


@pytest.mark.django_db(transaction=True)
def test_a_failing_query_raises_djangos_error_and_leaves_the_connection_usable():
    with pytest.raises(DatabaseError):
        fetch_one("SELECT no_such_column FROM accounts_company WHERE id = %s", [1])
    assert fetch_one("SELECT %s", [3]) == (3,)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_read_that_opens_an_atomic_block_is_part_of_its_transaction():
    # In autocommit each statement is its own transaction; inside an atomic block, the first
    # statement (ours here) must begin the block's transaction, so now() stays the same.
    with transaction.atomic():
        first = fetch_one("SELECT now(), txid_current()", [])
        company = CompanyFactory()
        assert fetch_one("SELECT now(), txid_current()", []) == first
        assert fetch_one("SELECT count(*) FROM accounts_company WHERE id = %s", [company.pk]) == (1,)
        transaction.set_rollback(True)
    assert not Company.objects.filter(pk=company.pk).exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_read_in_a_failed_transaction_reports_the_failure():
    with transaction.atomic():
        with pytest.raises(DatabaseError):
            fetch_one("SELECT no_such_column FROM accounts_company", [])
        with pytest.raises(DatabaseError, match="current transaction is aborted"):
            fetch_one("SELECT 1", [])
        transaction.set_rollback(True)
    assert fetch_one("SELECT 1", []) == (1,)


@on_postgresql
@pytest.mark.django_db
def test_what_the_fast_path_relies_on_holds():
    # If an upgrade changes any of these, config/db.py would hide queries or break: it must change.
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    assert isinstance(db.connection, psycopg.Connection)
    assert db.queries_logged is False  # the suite runs with DEBUG off
    with CaptureQueriesContext(connection):
        assert db.queries_logged is True
    assert db.queries_logged is False

    def wrapper(execute, sql, params, many, context):
        return execute(sql, params, many, context)

    assert db.execute_wrappers == []
    with connection.execute_wrapper(wrapper):
        assert db.execute_wrappers == [wrapper]
    assert db.execute_wrappers == []
    # The fast path's result: the psycopg connection's execute with a result format.
    assert db.connection.execute("SELECT convert_to('a', 'UTF8')", binary=True).fetchone() == (b"a",)

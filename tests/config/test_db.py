"""config.db, the written-out reads: results, errors and transactions, on whichever database the
suite runs against (the psycopg connection itself on PostgreSQL, the Django cursor on SQLite)."""

import pytest
from django.db import DatabaseError, connection, transaction

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
    assert fetch_one("SELECT convert_to(%s, 'UTF8')", ["Zoë"], binary=True) == ("Zoë".encode(),)


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

"""Database helpers shared by the modules."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def without_statement_timeout():
    """A transaction in which PostgreSQL's statement timeout (BRIDGEWAY_DB_STATEMENT_TIMEOUT_MS,
    meant for web requests) does not apply: for background tasks whose statements may rightly
    run longer. `SET LOCAL` ends with the transaction, so the connection keeps its limit."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
        yield

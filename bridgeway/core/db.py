"""Database helpers shared by the modules."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Exists


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


class ExistsPerRow(Exists):
    """EXISTS(...) that PostgreSQL tests row by row, as a filter of the rows the outer query
    reads, instead of turning it into a join. `OFFSET 0` in the subquery is PostgreSQL's way to
    say so (a subquery with an OFFSET is never pulled up into the outer query; SQLite accepts it
    and ignores it). For a first page or a capped count of rows read in an index's order, where
    nearly every row passes: as a join, the planner multiplies selectivities of correlated
    conditions (a caseworker's tasks are in the cases assigned to them), expects almost no row
    and reads, joins and sorts every candidate instead of stopping after the first few (issue 18:
    a caseworker's tasks, 3,596 buffers for 5 rows at 1,000,000 cases). Not for a full count or
    a long list: there one probe per row costs more than one hash of the subquery's rows."""

    template = "EXISTS(%(subquery)s OFFSET 0)"

"""The web's statement timeout does not reach the worker: a large import's COPY may rightly take
longer than a request may (issue 16)."""

import pytest
from django.db import connection

from bridgeway.core.management.commands.worker import _no_statement_timeout

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_worker_connections_have_no_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "0"  # the web's limit is on
        _no_statement_timeout(None, connection)
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"

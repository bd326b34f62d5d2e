"""Two database sessions at once, for tests of row locks (PostgreSQL)."""

import threading
import time

from django.db import connection, transaction


def race(first, second):
    """Runs `first` in a transaction that stays open for a moment after it wrote, and `second`
    meanwhile; returns what each raised (None if nothing)."""
    wrote, outcome = threading.Event(), {}

    def one():
        try:
            with transaction.atomic():
                first()
                wrote.set()
                time.sleep(0.5)  # the other save is now waiting for our lock (or, unlocked, writing)
            outcome["first"] = None
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcome["first"] = exc
        finally:
            wrote.set()
            connection.close()

    def two():
        try:
            wrote.wait(5)
            second()
            outcome["second"] = None
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcome["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return outcome

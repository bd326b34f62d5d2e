"""`manage.py worker`: django-tasks-db's `db_worker` made safe to run under systemd or cron.

- No autoreloader (`db_worker` turns it on with DEBUG): the process you start is the worker, so
  stopping it (SIGTERM, Ctrl+C) stops the work; SIGTERM lets the running task finish first.
- Its worker id is this process's lease name (`core.jobs.worker_id`), so a task left running by a
  dead worker can be told apart from one still running.
- Before taking any task it recovers what dead workers left (`jobs.recover`) and sweeps their
  leftovers; then a heartbeat thread renews its lease and does the same periodically.
- PostgreSQL's statement timeout (BRIDGEWAY_DB_STATEMENT_TIMEOUT_MS) bounds web requests; a
  task may rightly run a longer statement (the COPY of a large import), so the worker's own
  connections have none. A task that never ends is the lease's and the operator's business.
"""

from django.db import connections
from django.db.backends.signals import connection_created
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from bridgeway.core import jobs


def _no_statement_timeout(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


class Command(DbWorkerCommand):
    help = ("Run the background worker: recovers jobs of dead workers, then runs tasks until "
            "stopped (SIGTERM finishes the current task first).")

    def handle(self, *args, **options):
        options["reload"] = False
        connection_created.connect(_no_statement_timeout, dispatch_uid="bridgeway-worker-timeout")
        for conn in connections.all(initialized_only=True):
            _no_statement_timeout(None, conn)
        options["worker_id"] = jobs.worker_id()
        self.configure_logging(options["verbosity"])
        report = jobs.recover()
        swept = jobs.sweep()
        if options["verbosity"]:
            self.stdout.write(f"Recovered: {report}; leftover files deleted: {swept}.")
        jobs.beat()
        heartbeat = jobs.Heartbeat()
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()

"""`manage.py worker`: django-tasks-db's `db_worker` made safe to run under systemd or cron.

- No autoreloader (`db_worker` turns it on with DEBUG): the process you start is the worker, so
  stopping it (SIGTERM, Ctrl+C) stops the work; SIGTERM lets the running task finish first.
- Its worker id is this process's lease name (`core.jobs.worker_id`), so a task left running by a
  dead worker can be told apart from one still running.
- Before taking any task it recovers what dead workers left (`jobs.recover`) and sweeps their
  leftovers; then a heartbeat thread renews its lease and does the same periodically.
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from bridgeway.core import jobs


class Command(DbWorkerCommand):
    help = ("Run the background worker: recovers jobs of dead workers, then runs tasks until "
            "stopped (SIGTERM finishes the current task first).")

    def handle(self, *args, **options):
        options["reload"] = False
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

"""Settings for a real worker process started by a test (tests/stats/test_worker_crash.py): the
test settings with the database task backend (the suite itself runs tasks at once)."""

from tests.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

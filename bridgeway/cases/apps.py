from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "bridgeway.cases"
    label = "cases"

    def ready(self) -> None:
        from bridgeway.cases import audit_codes, home, hooks, signals, words  # noqa: F401
        from bridgeway.cases.reminders import overdue_tasks
        from bridgeway.notifications.registry import register_reminder_source

        register_reminder_source("cases.overdue_tasks", overdue_tasks)
        home.register()

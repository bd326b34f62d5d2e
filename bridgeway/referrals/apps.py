from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "bridgeway.referrals"
    label = "referrals"

    def ready(self) -> None:
        from bridgeway.notifications.registry import register_reminder_source
        from bridgeway.referrals import audit_codes, home, hooks, thread, words  # noqa: F401
        from bridgeway.referrals.reminders import remind_and_escalate

        register_reminder_source("referrals.deadlines", remind_and_escalate)
        home.register()

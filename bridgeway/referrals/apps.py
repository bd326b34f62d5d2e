from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "bridgeway.referrals"
    label = "referrals"

    def ready(self) -> None:
        from bridgeway.referrals import hooks, thread  # noqa: F401

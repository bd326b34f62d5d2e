from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "bridgeway.referrals"
    label = "referrals"

    def ready(self) -> None:
        from bridgeway.referrals import hooks  # noqa: F401

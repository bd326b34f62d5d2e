from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bridgeway.accounts"
    label = "accounts"

    def ready(self) -> None:
        from bridgeway.accounts import audit_codes, hooks, signals, words  # noqa: F401

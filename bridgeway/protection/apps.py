from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "bridgeway.protection"
    label = "protection"

    def ready(self) -> None:
        from bridgeway.protection import audit_codes, home, hooks, words  # noqa: F401

        home.register()

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "bridgeway.orgs"
    label = "orgs"

    def ready(self) -> None:
        from bridgeway.orgs import audit_codes, hooks, words  # noqa: F401

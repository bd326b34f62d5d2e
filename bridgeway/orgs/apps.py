from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "bridgeway.orgs"
    label = "orgs"

    def ready(self) -> None:
        from bridgeway.orgs import hooks  # noqa: F401

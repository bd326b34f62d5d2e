from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bridgeway.core"
    label = "core"

    def ready(self) -> None:
        from bridgeway.core import hooks  # noqa: F401

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "bridgeway.cases"
    label = "cases"

    def ready(self) -> None:
        from bridgeway.cases import signals  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivicspaceConfig(AppConfig):
    name = "bridgeway.civicspace"
    verbose_name = _("Civic space")

    def ready(self) -> None:
        from bridgeway.civicspace import audit_codes, home, hooks, words  # noqa: F401

        home.register()

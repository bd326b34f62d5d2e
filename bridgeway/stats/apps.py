from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "bridgeway.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from bridgeway.stats import audit_codes, hooks, words  # noqa: F401

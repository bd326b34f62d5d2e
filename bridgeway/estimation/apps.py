from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstimationConfig(AppConfig):
    name = "bridgeway.estimation"
    label = "estimation"
    verbose_name = _("Estimation")

    def ready(self) -> None:
        from bridgeway.estimation import audit_codes, home, hooks, words  # noqa: F401

        home.register()

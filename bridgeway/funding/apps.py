from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "bridgeway.funding"
    verbose_name = _("Funding")

    def ready(self) -> None:
        from bridgeway.funding import audit_codes, home, hooks, words  # noqa: F401

        home.register()

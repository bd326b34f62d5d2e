from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "bridgeway.outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from bridgeway.outreach import audit_codes, home, hooks, summary, words  # noqa: F401

        home.register()
        summary.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelplineConfig(AppConfig):
    name = "bridgeway.helpline"
    verbose_name = _("Helpline")

    def ready(self) -> None:
        from bridgeway.helpline import audit_codes, home, hooks, words  # noqa: F401

        home.register()

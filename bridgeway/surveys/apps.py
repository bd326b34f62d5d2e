from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "bridgeway.surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from bridgeway.surveys import audit_codes, home, hooks, words  # noqa: F401

        home.register()

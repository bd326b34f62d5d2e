from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelplineConfig(AppConfig):
    name = "bridgeway.helpline"
    verbose_name = _("Helpline")

    def ready(self) -> None:
        from bridgeway.helpline import audit_codes, home, hooks, words  # noqa: F401

        home.register()
        from django.db.models.signals import post_delete, post_save

        from bridgeway.helpline.models import HelplineSettings
        from bridgeway.helpline.queries import forget_public_settings
        from bridgeway.orgs.models import Organisation

        # The public form's settings kept per process (queries.public_settings): a save here
        # (settings, or the organisation's name, country or activity) is seen at once.
        for model in (HelplineSettings, Organisation):
            post_save.connect(forget_public_settings, sender=model,
                              dispatch_uid=f"helpline.forget.{model.__name__}.save")
            post_delete.connect(forget_public_settings, sender=model,
                                dispatch_uid=f"helpline.forget.{model.__name__}.delete")

from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "bridgeway.protection"
    label = "protection"

    def ready(self) -> None:
        from bridgeway.protection import audit_codes, home, hooks, words  # noqa: F401

        home.register()
        from django.db.models.signals import post_delete, post_save

        from bridgeway.protection.models import OrganisationKey
        from bridgeway.protection.services import forget_kek_ids

        # Organisations' own key ids kept per process (services.kek_id_for): an assignment or
        # withdrawal in this process is seen at once.
        post_save.connect(forget_kek_ids, sender=OrganisationKey,
                          dispatch_uid="protection.forget_kek_ids.save")
        post_delete.connect(forget_kek_ids, sender=OrganisationKey,
                            dispatch_uid="protection.forget_kek_ids.delete")

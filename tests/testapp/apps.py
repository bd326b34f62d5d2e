from django.apps import AppConfig


class TestappConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"

    def ready(self) -> None:
        from bridgeway.protection.registry import register_audit_codes

        register_audit_codes({"tests.thing.done": "Test event"})

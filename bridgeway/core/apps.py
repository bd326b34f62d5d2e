from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bridgeway.core"
    label = "core"

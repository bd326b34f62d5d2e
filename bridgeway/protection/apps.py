from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "bridgeway.protection"
    label = "protection"

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "bridgeway.orgs"
    label = "orgs"

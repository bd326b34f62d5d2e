from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world (`manage.py demo_seed`, DEBUG only): the top of the house, it seeds every
    app through its services and, for what no service offers, the app's own `demo` module."""

    name = "bridgeway.demo"
    label = "demo"

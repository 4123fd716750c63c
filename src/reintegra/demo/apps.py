from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Only its management commands (`seed`, `demo`): no models, no pages."""

    name = "reintegra.demo"
    verbose_name = "Demo data"

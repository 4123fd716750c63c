from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "reintegra.access"
    verbose_name = _("Access and data protection")

    def ready(self) -> None:
        from reintegra.access import audit

        audit.register_models()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "reintegra.handover"
    label = "handover"
    verbose_name = _("Hand-overs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.handover import wiring

        wiring.register()

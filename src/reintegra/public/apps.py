from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "reintegra.public"
    label = "public"
    verbose_name = _("Public information and feedback")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.public import wiring

        wiring.register()

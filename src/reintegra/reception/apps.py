from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "reintegra.reception"
    label = "reception"
    verbose_name = _("Reception")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations (audit, navigation, indicators) go here.
        from reintegra.access import audit

        for label in ("ReceptionPoint", "Arrival", "Intake", "AssistanceGiven"):
            audit.register_model(f"reception.{label}", personal=label in ("Intake", "AssistanceGiven"))
        # manifest imports
        from reintegra.reception import manifest_wiring

        manifest_wiring.register()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "reintegra.reception"
    label = "reception"
    verbose_name = _("Reception")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations (audit, navigation, case panel, indicators) go here.
        from reintegra.access import audit
        from reintegra.access.roles import Capability
        from reintegra.cases import extensions
        from reintegra.reception import indicators, panels
        from reintegra.web import navigation

        for label in ("ReceptionPoint", "Arrival"):
            audit.register_model(f"reception.{label}")
        for label in ("Intake", "AssistanceGiven"):
            audit.register_model(f"reception.{label}", personal=True)
        extensions.register_panel("summary", "reception/includes/returns_panel.html", panels.returns_panel, order=60)
        navigation.register(
            navigation.NavItem(
                "reception",
                _("Reception"),
                "reception:arrivals",
                frozenset({Capability.RECORD_RECEPTION}),
                order=25,
            )
        )
        navigation.register(
            navigation.NavItem(
                "reception_dashboard",
                _("Reception dashboard"),
                "reception:dashboard",
                frozenset({Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING}),
                order=38,
            )
        )
        indicators.register_populations()
        # manifest imports
        from reintegra.reception import manifest_wiring

        manifest_wiring.register()

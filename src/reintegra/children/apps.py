from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "reintegra.children"
    label = "children"
    verbose_name = _("Children and families")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations (audit, tabs, panels, navigation, reminders, indicators, case hooks) go here.
        # tracing
        from reintegra.access import audit
        from reintegra.children import tracing_reminders, tracing_services
        from reintegra.protection import retention_hooks
        from reintegra.reminders import registry

        for model in ("TracingRequest", "TracingAction", "FamilyMemberFound", "ReunificationAssessment"):
            audit.register_model(f"children.{model}", personal=True)
        audit.register_model("children.ReunificationFollowUp", personal=True)
        registry.register("reunification_follow_up_due", tracing_reminders.reunification_follow_ups_due)
        retention_hooks.register("children.tracing", tracing_services.clear_for_retention)
        # end tracing

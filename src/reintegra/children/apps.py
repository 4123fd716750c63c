from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "reintegra.children"
    label = "children"
    verbose_name = _("Children and families")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations (audit, tabs, panels, navigation, reminders, indicators, case hooks) go here.
        # core
        from reintegra.access import audit
        from reintegra.cases import extensions
        from reintegra.cases.choices import CaseEventKind
        from reintegra.children import reminders, selectors, services, timeline
        from reintegra.protection.services import register_child_rule
        from reintegra.reminders.registry import register as register_reminder

        extensions.register_step_check(extensions.PLAN_AGREEMENT, services.check_plan_agreement)
        extensions.register_step_check(extensions.CLOSURE, services.check_closure)
        register_child_rule(selectors.has_child_case)
        extensions.register_event_describer(CaseEventKind.CHILD, timeline.describe)
        register_reminder("bia_overdue", reminders.bias_overdue)
        for label in (
            "ChildProfile",
            "BestInterestsAssessment",
            "BestInterestsDetermination",
            "PanelMember",
            "ChildParticipation",
        ):
            audit.register_model(f"children.{label}", personal=True)
        # end core

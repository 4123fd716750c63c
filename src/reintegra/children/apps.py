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
        from reintegra.access.roles import Capability
        from reintegra.cases import extensions
        from reintegra.cases.choices import CaseEventKind
        from reintegra.children import panels, reminders, selectors, services, timeline
        from reintegra.protection.services import register_child_rule
        from reintegra.reminders.registry import register as register_reminder
        from reintegra.web import navigation

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
        extensions.register_tab("children", "children:case", _("Children"), after="plan")
        extensions.register_panel("plan", "children/includes/plan_panel.html", panels.plan_panel_context)
        navigation.register(
            navigation.NavItem(
                "bia_queue",
                _("Best-interests approvals"),
                "children:queue",
                frozenset({Capability.APPROVE_BEST_INTERESTS}),
                order=36,
                badge=panels.awaiting_badge,
            )
        )
        # end core
        # child plan
        from reintegra.children import plan_wiring

        plan_wiring.register()
        # end child plan

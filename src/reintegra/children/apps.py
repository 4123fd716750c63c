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
        from reintegra.children import indicators, panels, reminders, selectors, services, timeline
        from reintegra.protection import retention_hooks
        from reintegra.protection.services import register_child_rule
        from reintegra.reminders.registry import register as register_reminder
        from reintegra.web import navigation

        extensions.register_step_check(extensions.PLAN_AGREEMENT, services.check_plan_agreement)
        extensions.register_step_check(extensions.CLOSURE, services.check_closure)
        register_child_rule(selectors.has_child_case)
        retention_hooks.register("children.core", services.anonymise_cases)
        extensions.register_event_describer(CaseEventKind.CHILD, timeline.describe)
        register_reminder("bia_overdue", reminders.bias_overdue)
        register_reminder("bia_returned", reminders.bias_returned)
        register_reminder("bia_due_soon", reminders.bias_due_soon)
        register_reminder("bid_review_due", reminders.determinations_to_review)
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
        extensions.register_case_file_section(
            "children", "children/pdf/case_file_section.html", panels.case_file_section, after="assessments"
        )
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
        indicators.register_populations()
        navigation.register(
            navigation.NavItem(
                "child_protection",
                _("Child protection"),
                "children:dashboard",
                frozenset({Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING}),
                order=37,
            )
        )
        from reintegra.access import programme_settings

        audit.register_model("children.ChildProtectionSettings")
        programme_settings.register(
            programme_settings.SettingsPage(
                "child_protection", _("Best-interests assessment deadlines"), "children:deadlines"
            )
        )
        # end core
        # tracing
        from reintegra.children import tracing_reminders, tracing_services

        for model in ("TracingRequest", "TracingAction", "FamilyMemberFound", "ReunificationAssessment"):
            audit.register_model(f"children.{model}", personal=True)
        audit.register_model("children.ReunificationFollowUp", personal=True)
        register_reminder("reunification_follow_up_due", tracing_reminders.reunification_follow_ups_due)
        retention_hooks.register("children.tracing", tracing_services.clear_for_retention)
        # end tracing
        # child plan
        from reintegra.children import plan_wiring

        plan_wiring.register()
        # end child plan

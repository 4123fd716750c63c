"""The registrations of the hand-over app (called from `AppConfig.ready()`)."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from reintegra.access import audit
    from reintegra.access.roles import Capability
    from reintegra.cases import extensions
    from reintegra.handover import indicators, panels, reminders, services
    from reintegra.protection import retention_hooks
    from reintegra.reminders.registry import register as register_reminder
    from reintegra.web import navigation

    audit.register_model("handover.HandOver", personal=True)
    audit.register_model("handover.PartnerInstallation", personal=False)
    register_reminder("handover_unanswered", reminders.unanswered)
    retention_hooks.register("handover", services.clear_for_retention)
    indicators.register_populations()
    extensions.register_panel(extensions.HEADER, "handover/includes/case_panel.html", panels.case_panel_context, 80)
    navigation.register(
        navigation.NavItem(
            "handovers",
            _("Hand-overs"),
            "handover:inbox",
            frozenset({Capability.EDIT_CASES, Capability.VIEW_ORGANISATION_CASES}),
            order=38,
        )
    )

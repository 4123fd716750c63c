"""The public app's registrations (called from `PublicConfig.ready()`): audit, reminders, navigation,
monitoring populations, the programme settings page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from reintegra.access import audit, programme_settings
    from reintegra.access.roles import Capability
    from reintegra.cases import extensions
    from reintegra.public import home, indicators, reminders
    from reintegra.reminders.registry import register as register_reminder
    from reintegra.web import dashboard, navigation

    dashboard.register_panel("public/staff/includes/focal_panel.html", home.focal_panel, order=2)
    extensions.register_panel("closure", "public/staff/includes/closure_voice_panel.html", home.closure_voice_panel)

    extensions.register_tab("satisfaction", "public_staff:case-satisfaction", _("Satisfaction"), after="follow_up")
    for label in ("Feedback", "FeedbackEvent", "InformationRequest", "SatisfactionSurvey"):
        audit.register_model(f"public.{label}", personal=True)
    for label in ("Guide", "PublicSettings"):
        audit.register_model(f"public.{label}")
    register_reminder("guide_review_due", reminders.guides_to_review)
    register_reminder("feedback_overdue", reminders.feedback_overdue)
    indicators.register_populations()
    navigation.register(
        navigation.NavItem(
            "feedback",
            _("Feedback"),
            "public_staff:feedback-list",
            frozenset({Capability.HANDLE_FEEDBACK, Capability.HANDLE_SENSITIVE_FEEDBACK}),
            order=38,
        )
    )
    navigation.register(
        navigation.NavItem(
            "public_info",
            _("Public information"),
            "public_staff:guides",
            frozenset({Capability.PUBLISH_INFORMATION}),
            order=39,
        )
    )
    programme_settings.register(
        programme_settings.SettingsPage("public", _("Public page and feedback deadlines"), "public_staff:settings")
    )

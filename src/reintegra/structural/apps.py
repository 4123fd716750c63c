from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Models about a person (contact details, named representatives): masked in the change log.
PERSONAL_MODELS = {"ContactPerson", "MechanismMember"}
MODELS = [
    "Stakeholder",
    "ContactPerson",
    "Interaction",
    "CommonProduct",
    "StakeholderReview",
    "Agreement",
    "CoordinationMechanism",
    "MechanismMember",
    "Meeting",
    "MainstreamingProcess",
    "SectorOpportunity",
    "ActionItem",
    "CapacityAssessment",
    "CapacityPlan",
    "CapacityActivity",
    "Training",
    "ProgressIndicator",
    "CooperationFramework",
    "DataExchangeRule",
    "Checklist",
    "ChecklistStep",
    "Document",
    "WriteGrant",
]


class StructuralConfig(AppConfig):
    name = "reintegra.structural"
    label = "structural"
    verbose_name = _("Structural level")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.access import audit
        from reintegra.access.roles import Capability
        from reintegra.reminders import registry
        from reintegra.structural import home, indicators, reminders
        from reintegra.web import dashboard, navigation

        for model in MODELS:
            audit.register_model(f"structural.{model}", personal=model in PERSONAL_MODELS)
        registry.register("stakeholder_review_due", reminders.stakeholder_reviews_due)
        registry.register("agreement_renewal", reminders.agreement_renewals)
        registry.register("action_item_overdue", reminders.action_items_overdue)
        navigation.register(
            navigation.NavItem(
                "structural",
                _("Structural level"),
                "structural:home",
                capabilities=frozenset({Capability.VIEW_STRUCTURAL, Capability.EDIT_STRUCTURAL}),
                order=60,
            )
        )
        dashboard.register_panel("structural/includes/dashboard_panel.html", home.structural_panel, order=20)
        indicators.register_populations()

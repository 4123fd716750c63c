from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The models whose changes are audited (django-auditlog), all about a person.
PERSONAL_MODELS = (
    "Returnee",
    "IdentityDocument",
    "Household",
    "HouseholdMember",
    "Case",
    "Assessment",
    "CounsellingSession",
    "ReintegrationPlan",
    "PlanItem",
    "FollowUpVisit",
)


class CasesConfig(AppConfig):
    name = "reintegra.cases"
    verbose_name = _("Individual reintegration cases")

    def ready(self) -> None:
        from reintegra.access.roles import Capability as C
        from reintegra.cases import exports, panels
        from reintegra.web import dashboard, navigation

        navigation.register(
            navigation.NavItem(
                "cases",
                _("Cases"),
                "cases:list",
                frozenset({C.VIEW_ASSIGNED_CASES, C.VIEW_ORGANISATION_CASES}),
                order=10,
            )
        )
        navigation.register(
            navigation.NavItem("register", _("New registration"), "cases:register", frozenset({C.EDIT_CASES}), order=11)
        )
        dashboard.register_panel("cases/includes/dashboard_panel.html", panels.dashboard_panel, order=10)
        exports.register_background_exports()
        dashboard.register_panel("cases/includes/organisation_panel.html", panels.organisation_panel, order=4)

        from reintegra.access import audit

        # Every case record is about a person: free text and identifiers are masked in the change log.
        for label in PERSONAL_MODELS:
            audit.register_model(f"cases.{label}", personal=True)
        from reintegra.cases import audit_links

        audit_links.register()  # the trail links a case record to its case page, for readers who see it
        from reintegra.cases import name_index

        name_index.connect()  # a case's search tokens follow its returnee, organisation and return date

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
        from reintegra.access import audit

        # Every case record is about a person: free text and identifiers are masked in the change log.
        for label in PERSONAL_MODELS:
            audit.register_model(f"cases.{label}", personal=True)

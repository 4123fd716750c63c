from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "reintegra.employment"
    label = "employment"
    verbose_name = _("Employment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations: audit, the case tab, the timeline, reminders, navigation, indicators.
        from reintegra.access import audit
        from reintegra.access.roles import Capability
        from reintegra.cases import extensions
        from reintegra.cases.choices import CaseEventKind
        from reintegra.employment import cv, indicators, reminders, timeline
        from reintegra.reminders.registry import register as register_reminder
        from reintegra.web import navigation

        audit.register_model("employment.JobseekerProfile", personal=True)
        audit.register_model("employment.Placement", personal=True)
        audit.register_model("employment.RetentionCheck", personal=True)
        audit.register_model("employment.Vacancy")
        extensions.register_tab("employment", "employment:case", _("Employment"), after="plan")
        from reintegra.employment import case_file

        extensions.register_case_file_section(
            "employment", "employment/pdf/case_file_section.html", case_file.section, after="plan"
        )
        extensions.register_event_describer(CaseEventKind.EMPLOYMENT, timeline.describe)
        register_reminder("retention_check_due", reminders.retention_checks_due)
        navigation.register(
            navigation.NavItem(
                "vacancies",
                _("Vacancies"),
                "employment:vacancies",
                frozenset({Capability.VIEW_STRUCTURAL, Capability.EDIT_STRUCTURAL}),
                order=38,
            )
        )
        navigation.register(
            navigation.NavItem(
                "skills_gaps",
                _("Skills gaps"),
                "employment:skills-gaps",
                frozenset({Capability.VIEW_AGGREGATES}),
                order=39,
            )
        )
        indicators.register_populations()
        # The jobseeker's CV as case data a job-placement SOP transfers (referrals.catalogue).
        cv.register()

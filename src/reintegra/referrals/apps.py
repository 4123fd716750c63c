from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "reintegra.referrals"
    label = "referrals"
    verbose_name = _("Referral network")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.access import export_jobs
        from reintegra.referrals import export_api

        # A large referral list is exported in the background (access.export_jobs), with its filters.
        export_jobs.register_table(
            "referrals",
            label=_("Referrals"),
            readers=export_api.READERS,
            table_of=export_api.background_table,
            rows_of=export_api.background_rows,
            params_of=export_api.background_params,
        )
        from reintegra.access import audit
        from reintegra.access.roles import Capability as C
        from reintegra.cases import extensions
        from reintegra.cases.choices import CaseEventKind
        from reintegra.protection import services as protection_services
        from reintegra.referrals import closure, indicators, panels, reminders, selectors
        from reintegra.reminders import registry
        from reintegra.web import dashboard, navigation

        for label in ("ServiceProvider", "ContactPerson", "Service", "ReferralPathway"):
            audit.register_model(f"referrals.{label}", personal=False)
        for label in ("Referral", "ReferralStatusChange"):
            audit.register_model(f"referrals.{label}", personal=True)
        audit.register_link("referrals.referral", selectors.referral_link)

        navigation.register(
            navigation.NavItem(
                "referrals",
                _("Referrals"),
                "referrals:list",
                capabilities=frozenset({C.EDIT_CASES, C.RECEIVE_REFERRALS}),
                order=30,
            )
        )
        navigation.register(
            navigation.NavItem(
                "service_directory",
                _("Service directory"),
                "referrals:directory",
                capabilities=frozenset({C.VIEW_SERVICE_DIRECTORY}),
                order=31,
            )
        )
        navigation.register(
            navigation.NavItem(
                "referral_reports",
                _("Referral reports"),
                "referrals:reports",
                capabilities=frozenset({C.VIEW_REFERRAL_REPORTS}),
                order=32,
            )
        )
        extensions.register_tab("referrals", "referrals:case", _("Referrals"), after="plan")
        extensions.register_panel("plan", "referrals/includes/plan_panel.html", panels.plan_panel, order=40)
        extensions.register_case_file_section(
            "referrals", "referrals/pdf/case_file_section.html", panels.case_file_section, after="plan"
        )
        dashboard.register_panel("referrals/includes/dashboard_panel.html", panels.dashboard_panel, order=30)
        dashboard.register_panel("referrals/includes/provider_panel.html", panels.provider_panel, order=2)
        extensions.register_event_describer(CaseEventKind.REFERRAL, panels.describe_event)
        registry.register("referral_not_accepted", reminders.not_accepted)
        registry.register("referral_no_outcome", reminders.no_outcome)
        extensions.register_closure_matters(closure.open_referrals, closure.settle)
        indicators.register_populations()
        protection_services.register_recipient_providers(selectors.consent_recipient_providers)

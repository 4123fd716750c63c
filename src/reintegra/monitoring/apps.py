from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

AUDITED = (
    "ResultsFramework",
    "ResultNode",
    "Indicator",
    "Target",
    "ReportingPeriod",
    "ReportedValue",
    "Snapshot",
)


class MonitoringConfig(AppConfig):
    """Monitoring and evaluation: results frameworks, indicators computed from the programme's data, reporting
    periods, dashboards, donor reports, evaluations and lessons learned.

    Above `protection` and `reminders`, below the levels: referrals, sustainability, structural (and the
    levels to come) register the records an indicator may count in `monitoring.registry`."""

    name = "reintegra.monitoring"
    verbose_name = _("Monitoring and evaluation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.access import audit
        from reintegra.monitoring import case_facts, dashboard_views, evaluation_reminders, permissions, populations
        from reintegra.web import dashboard, navigation

        populations.register_case_populations()
        case_facts.connect()
        for label in AUDITED:
            audit.register_model(f"monitoring.{label}")
        # One entry for the whole app: its landing page leads to each programme's sections, the dashboards,
        # the analytics page (moved here from protection) and the lessons.
        navigation.register(
            navigation.NavItem(
                "monitoring",
                _("Monitoring and evaluation"),
                "monitoring:index",
                frozenset(permissions.READ),
                order=13,
            )
        )
        evaluation_reminders.register()
        # The M&E officer's home shows the KPI tiles of their programme (not only the case manager's panel).
        dashboard.register_panel("monitoring/includes/dashboard_panel.html", dashboard_views.home_panel, order=5)

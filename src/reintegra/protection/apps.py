from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    """Consent, case sharing, retention and the M&E release: the data-protection rules that read case data.

    Above `cases` (it imports cases; cases never imports it): it plugs into the case page, the case
    visibility rule and the change log from here."""

    name = "reintegra.protection"
    verbose_name = _("Data protection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.access import audit
        from reintegra.cases import extensions, scoping
        from reintegra.protection import panels, selectors
        from reintegra.web import dashboard

        # A share lets the receiving organisation see the case (docs/domain-referrals.md §4).
        scoping.register_case_grant("shares", selectors.cases_shared_with)
        for label in ("Consent", "CaseShare"):
            audit.register_model(f"protection.{label}", personal=True)
        extensions.register_panel(extensions.HEADER, "protection/includes/case_header.html", panels.case_header)
        dashboard.register_panel("protection/includes/dashboard_panel.html", panels.dpo_panel, order=2)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "reintegra.community"
    label = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations (audit, navigation) go here.
        from reintegra.access import audit
        from reintegra.access.roles import Capability
        from reintegra.web import navigation

        for label in ("Community", "SiteScore"):
            audit.register_model(f"community.{label}")
        audit.register_model("community.ParticipatorySession", personal=True)  # tensions may name people
        navigation.register(
            navigation.NavItem(
                "community",
                _("Communities"),
                "community:list",
                frozenset({Capability.VIEW_STRUCTURAL, Capability.EDIT_STRUCTURAL}),
                order=46,
            )
        )
        navigation.register(
            navigation.NavItem(
                "community_hotspots",
                _("Return hotspots"),
                "community:hotspots",
                frozenset({Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING}),
                order=47,
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionalConfig(AppConfig):
    """The regional / inter-institutional catalogue of reintegration actions (docs/domain-structural.md §7)."""

    name = "reintegra.regional"
    label = "regional"
    verbose_name = _("Regional action catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.access import audit
        from reintegra.access.roles import Capability
        from reintegra.web import navigation

        # Public-programme information, not about a person. ActionCell is left out: it is derived from
        # the action's levels and dimensions, whose changes the action's own log entries already show.
        audit.register_model("regional.Institution", personal=False)
        audit.register_model("regional.RegionalAction", personal=False)
        navigation.register(
            navigation.NavItem(
                "regional",
                _("Regional actions"),
                "regional:matrix",
                capabilities=frozenset({Capability.VIEW_STRUCTURAL}),
                order=60,
            )
        )

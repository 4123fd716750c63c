from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "reintegra.community"
    label = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations (audit, navigation) go here.
        from reintegra.access import audit, trail_words
        from reintegra.access.roles import Capability
        from reintegra.cases import extensions
        from reintegra.community import indicators, panels, return_tally, score_tally, selectors
        from reintegra.structural import action_matrix
        from reintegra.web import navigation

        for label in ("Community", "SiteScore", "CommunityProfile", "CommunityProject"):
            audit.register_model(f"community.{label}")
        audit.register_model("community.ParticipatorySession", personal=True)  # tensions may name people
        audit.register_model("community.ProjectParticipant", personal=True)  # links a person's case
        audit.register_model("community.ProjectVisit", personal=True)  # findings may name people
        audit.register_model("community.PerceptionResponse", personal=True)  # a free-text answer may name people
        # The case page shows the community projects the case takes part in (cases does not import us).
        for tab in ("summary", "plan"):
            extensions.register_panel(tab, "community/includes/case_projects_panel.html", panels.case_projects_context)
        indicators.register_populations()
        trail_words.register_purpose(
            r"Perception survey submissions: (?P<count>\d+) imported",
            _("Perception survey submissions: %(count)s imported"),
            pattern=True,
        )
        # The hotspots' kept tally follows every write of a case or a returnee's municipality.
        return_tally.connect()
        # And the sums of the returnees' latest RSS scores (the weakest dimension), every write that moves them.
        score_tally.connect()
        # Started projects are community-level actions of their country in the regional matrix.
        action_matrix.register("community_projects", selectors.project_matrix_counts, selectors.project_matrix_actions)
        navigation.register(
            navigation.NavItem(
                "community",
                _("Communities"),
                "community:list",
                frozenset({Capability.VIEW_STRUCTURAL, Capability.EDIT_STRUCTURAL}),
                order=46,
            )
        )
        # Projects are read by the same roles as communities (case managers link their cases there).
        navigation.register(
            navigation.NavItem(
                "community_projects",
                _("Community projects"),
                "community:projects",
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

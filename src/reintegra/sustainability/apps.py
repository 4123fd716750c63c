from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SustainabilityConfig(AppConfig):
    name = "reintegra.sustainability"
    label = "sustainability"
    verbose_name = _("Sustainability")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.access import export_jobs
        from reintegra.sustainability import export_api

        # A large list of rounds is exported in the background (access.export_jobs).
        export_jobs.register_table(
            "survey-rounds",
            label=_("Survey rounds"),
            readers=export_api.READERS,
            table_of=export_api.background_table,
            rows_of=export_api.background_rows,
        )
        from reintegra.access import audit
        from reintegra.access.roles import Capability
        from reintegra.cases import extensions
        from reintegra.cases.choices import CaseEventKind
        from reintegra.reminders import registry
        from reintegra.sustainability import closure, indicators, panels, reminders, round_facts
        from reintegra.web import navigation

        audit.register_model("sustainability.Instrument", personal=False)
        audit.register_model("sustainability.InstrumentVersion", personal=False)
        audit.register_model("sustainability.FeasibilityApproach", personal=False)
        audit.register_model("sustainability.SurveyRound", personal=True)
        audit.register_model("sustainability.RoundScore", personal=True)

        extensions.register_tab("sustainability", "sustainability:case-rounds", _("Sustainability"), after="follow_up")
        extensions.register_panel("plan", "sustainability/includes/plan_panel.html", panels.plan_panel_context)
        extensions.register_case_file_section(
            "sustainability",
            "sustainability/pdf/case_file_section.html",
            panels.case_file_section,
            after="follow_up",
        )
        # The plan form (cases/forms/plan.html) renders panels of "plan_form": the grid to pick approaches from.
        extensions.register_panel("plan_form", "sustainability/includes/grid_picker.html", panels.grid_picker_context)
        extensions.register_event_describer(CaseEventKind.SUSTAINABILITY, panels.describe_round)
        extensions.register_closure_matters(closure.missing_final_round)  # kept on the closure's timeline line

        navigation.register(
            navigation.NavItem(
                "rss_due",
                _("RSS rounds due"),
                "sustainability:due",
                capabilities=frozenset({Capability.EDIT_CASES}),
                order=35,
            )
        )
        navigation.register(
            navigation.NavItem(
                "instruments",
                _("Sustainability"),
                "sustainability:instruments",
                capabilities=frozenset(
                    {Capability.MANAGE_PROGRAMME, Capability.VIEW_AGGREGATES, Capability.IMPORT_SUBMISSIONS}
                ),
                order=60,
            )
        )
        registry.register("rss_round_due", reminders.rss_rounds_due)
        indicators.register_populations()
        round_facts.connect()  # the rounds' narrow rows the M&E engine reads, kept by every write

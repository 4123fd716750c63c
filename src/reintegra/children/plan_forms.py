"""Forms of the child plan, the child's follow-up and the child closure checklist. They parse only; the
services (`children.plan_services`) decide what is required and refuse the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from reintegra.cases.forms.common import textarea
from reintegra.children.plan_choices import (
    ChildPlanSector,
    ChildPlanTarget,
    ChildPlanTimeframe,
    ChildViewOnClosure,
    ChildVulnerability,
    ClosureConditionStatus,
    CommunityProtectionActor,
    MonitoringFrequency,
)
from reintegra.children.plan_models import ChildClosureChecklist
from reintegra.children.plan_selectors import ChildPlan
from reintegra.children.plan_services import (
    CONDITIONS,
    ChildFollowUpInput,
    ChildPlanItemInput,
    ClosureChecklistInput,
)
from reintegra.web.forms import marked_required


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def _choice(label: Any, choices: Any, *, required: bool = True) -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, choices=_blank(choices), required=False)
    return marked_required(field) if required else field


def _text(label: Any, *, rows: int = 2, max_length: int = 1000) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length, widget=textarea(rows), strip=False)


# --- Child plan ----------------------------------------------------------------------------------


class ChildPlanRowForm(forms.Form):
    """One item of the case's plan, and whether (and how) it is a measure of the child plan."""

    plan_item: Any = None  # the plan item the row is about, set by the page to label the row

    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    included = forms.BooleanField(label=_("In the child plan"), required=False)
    timeframe = _choice(_("Timeframe"), ChildPlanTimeframe.choices)
    duration = forms.IntegerField(label=_("Duration (weeks or months)"), required=False, min_value=0, max_value=999)
    target = _choice(_("For"), ChildPlanTarget.choices)
    sector = _choice(_("Sector"), ChildPlanSector.choices)
    community_actor = _choice(_("Community child-protection actor"), CommunityProtectionActor.choices, required=False)
    community_actor_name = forms.CharField(label=_("Name of the community actor"), required=False, max_length=160)

    def to_input(self) -> ChildPlanItemInput:
        v = self.cleaned_data
        return ChildPlanItemInput(
            item_id=v["item"],
            timeframe=v["timeframe"],
            duration=v["duration"],
            target=v["target"],
            sector=v["sector"],
            community_actor=v["community_actor"],
            community_actor_name=v["community_actor_name"],
        )


ChildPlanFormSet = formset_factory(ChildPlanRowForm, extra=0, max_num=50, absolute_max=50)


def child_plan_initial(child_plan: ChildPlan) -> list[dict[str, Any]]:
    rows = []
    for row in child_plan.rows:
        detail = row.detail
        values: dict[str, Any] = {"item": row.item.pk, "included": detail is not None}
        if detail is not None:
            values.update(
                timeframe=detail.timeframe,
                duration=detail.duration,
                target=detail.target,
                sector=detail.sector,
                community_actor=detail.community_actor,
                community_actor_name=detail.community_actor_name,
            )
        rows.append(values)
    return rows


def row_item_id(form: ChildPlanRowForm) -> int | None:
    """The plan item a row is about (as posted, or as first shown), to label it."""
    value = form["item"].value()
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def included_rows(formset: Any) -> list[ChildPlanRowForm]:
    """The rows placed in the child plan, in order: the service names its errors by their position."""
    return [form for form in formset.forms if form.cleaned_data.get("included")]


# --- Child follow-up -----------------------------------------------------------------------------


class ChildFollowUpForm(forms.Form):
    """The child's side of a follow-up visit (the visit's own fields: `cases.forms.FollowUpForm`)."""

    vulnerabilities = marked_required(
        forms.MultipleChoiceField(
            label=_("Current vulnerabilities"),
            choices=ChildVulnerability.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    )
    vulnerability_note = _text(_("About the vulnerabilities"), rows=3, max_length=2000)
    monitoring_frequency = _choice(_("Agreed monitoring frequency"), MonitoringFrequency.choices)
    monitored_with = _choice(
        _("Community structure involved in monitoring"), CommunityProtectionActor.choices, required=False
    )
    child_participated = forms.BooleanField(label=_("The child took part in the visit"), required=False)

    def to_input(self) -> ChildFollowUpInput:
        v = self.cleaned_data
        return ChildFollowUpInput(
            monitoring_frequency=v["monitoring_frequency"],
            vulnerabilities=list(v["vulnerabilities"]),
            vulnerability_note=v["vulnerability_note"],
            monitored_with=v["monitored_with"],
            child_participated=v["child_participated"],
        )


# --- Child closure checklist ---------------------------------------------------------------------


class ClosureChecklistForm(forms.Form):
    safe_care = _choice(_("Safe and stable care"), ClosureConditionStatus.choices)
    safe_care_note = _text(_("About the care arrangement"))
    school = _choice(_("Attending school"), ClosureConditionStatus.choices)
    school_note = _text(_("About school"))
    health = _choice(_("Access to health"), ClosureConditionStatus.choices)
    health_note = _text(_("About access to health"))
    psychosocial = _choice(_("Psychosocial well-being"), ClosureConditionStatus.choices)
    psychosocial_note = _text(_("About psychosocial well-being"))
    family_economy = _choice(_("The family's economic situation"), ClosureConditionStatus.choices)
    family_economy_note = _text(_("About the family's economic situation"))
    child_view = _choice(_("The child's view"), ChildViewOnClosure.choices)
    child_view_note = marked_required(_text(_("The child's words, or why the child was not heard"), max_length=2000))
    good_practice = marked_required(
        forms.CharField(
            label=_("Good practice documented"),
            required=False,
            max_length=4000,
            widget=textarea(4),
            strip=False,
            help_text=_("What worked (or did not) that can guide community and structural work."),
        )
    )
    # Sent by the "Complete the checklist" button (value 1); "Save as a draft" sends it empty.
    complete = forms.BooleanField(required=False)

    @staticmethod
    def initial_of(checklist: ChildClosureChecklist | None) -> dict[str, Any]:
        if checklist is None:
            return {}
        values = ClosureChecklistInput.of(checklist)
        return {name: getattr(values, name) for name in ClosureChecklistForm.base_fields if name != "complete"}

    def conditions(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[name], self[f"{name}_note"]) for name in CONDITIONS]

    def to_input(self) -> ClosureChecklistInput:
        return ClosureChecklistInput(**{name: self.cleaned_data[name] for name in self.fields})

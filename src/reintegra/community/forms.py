"""Forms of the community pages. They parse only; `community.services` decides what is required and refuses
the rest, and the views put those errors back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases.forms.common import choice_field, country_choices, municipality_choices
from reintegra.community import models as text_model
from reintegra.community import selectors, services
from reintegra.community.choices import (
    AgeBand,
    Dimension,
    MilestoneStatus,
    ParticipantGroup,
    ParticipantRole,
    ParticipantSex,
    ProfileSection,
    ProjectActivity,
    ProjectApproach,
    ProjectResult,
    ProjectStatus,
    SessionKind,
    SiteCriterion,
)
from reintegra.community.models import Community, CommunityProfile, CommunityProject, ParticipatorySession
from reintegra.places import currencies
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput, FastSelect


class CommunityForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Community,)
    municipality = marked_required(
        forms.TypedChoiceField(label=_("Municipality"), required=False, coerce=int, empty_value=None, widget=FastSelect)
    )
    locality = forms.CharField(
        label=_("Locality"),
        max_length=120,
        required=False,
        help_text=_("Leave empty for the whole municipality; name a village, neighbourhood or canton inside it."),
    )
    population = forms.IntegerField(label=_("Population"), required=False)
    population_year = forms.IntegerField(label=_("Population year"), required=False)
    population_source = forms.CharField(label=_("Population source"), max_length=200, required=False)
    organisations = forms.TypedMultipleChoiceField(label=_("Organisations working there"), required=False, coerce=int)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, country: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "municipality").choices = municipality_choices(country)
        choice_field(self, "organisations").choices = [(o.pk, o.name) for o in selectors.organisation_choices()]

    @staticmethod
    def initial_of(community: Community) -> dict[str, Any]:
        return {
            "municipality": community.municipality_id,
            "locality": community.locality,
            "population": community.population,
            "population_year": community.population_year,
            "population_source": community.population_source,
            "organisations": [o.pk for o in selectors.organisations_of(community)],
            "notes": community.notes,
        }

    def to_input(self) -> services.CommunityInput:
        data = self.cleaned_data
        return services.CommunityInput(
            municipality=data.get("municipality"),
            locality=data.get("locality") or "",
            population=data.get("population"),
            population_year=data.get("population_year"),
            population_source=data.get("population_source") or "",
            organisations=list(data.get("organisations") or []),
            notes=data.get("notes") or "",
        )


SCORE_CHOICES = [
    ("", _("Not scored")),
    ("0", _("0 — absent")),
    ("1", _("1 — weak")),
    ("2", _("2 — fair")),
    ("3", _("3 — strong")),
]


class ChecklistForm(forms.Form):
    """One score (0–3) and its evidence per criterion of the favourable-site checklist."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in SiteCriterion.choices:
            self.fields[f"{code}_score"] = forms.TypedChoiceField(
                label=label, choices=SCORE_CHOICES, required=False, coerce=int, empty_value=None
            )
            self.fields[f"{code}_evidence"] = forms.CharField(
                label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    @staticmethod
    def initial_of(rows: list[selectors.ChecklistRow]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for row in rows:
            initial[f"{row.criterion}_score"] = "" if row.score is None else str(row.score)
            initial[f"{row.criterion}_evidence"] = row.evidence
        return initial

    def pairs(self) -> list[tuple[Any, Any]]:
        return [(self[f"{code}_score"], self[f"{code}_evidence"]) for code in SiteCriterion.values]

    def to_input(self) -> list[services.SiteScoreInput]:
        data = self.cleaned_data
        return [
            services.SiteScoreInput(code, data.get(f"{code}_score"), data.get(f"{code}_evidence") or "")
            for code in SiteCriterion.values
        ]


def _participant_label(key: str) -> str:
    group, sex, band = key.split(":")
    return f"{ParticipantGroup(group).label} · {ParticipantSex(sex).label} · {AgeBand(band).label}"


class SessionForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ParticipatorySession,)
    kind = marked_required(
        forms.ChoiceField(label=_("Method"), choices=[("", "—"), *SessionKind.choices], required=False)
    )
    held_on = marked_required(forms.DateField(label=_("Date"), required=False, widget=DateInput()))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    facilitators = forms.CharField(label=_("Facilitators"), max_length=300, required=False)
    priorities = forms.CharField(
        label=_("Priorities raised"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, the community's first priority first."),
    )
    tensions = forms.CharField(
        label=_("Tensions reported"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(label=_("Follow-up agreed"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in services.PARTICIPANT_KEYS:
            self.fields[self.count_name(key)] = forms.IntegerField(
                label=_participant_label(key), required=False, initial=0
            )

    @staticmethod
    def count_name(key: str) -> str:
        return "n_" + key.replace(":", "_")

    def count_fields(self, group: str) -> list[Any]:
        return [self[self.count_name(k)] for k in services.PARTICIPANT_KEYS if k.startswith(f"{group}:")]

    def returnee_fields(self) -> list[Any]:
        return self.count_fields(ParticipantGroup.RETURNEE)

    def resident_fields(self) -> list[Any]:
        return self.count_fields(ParticipantGroup.NON_MIGRANT)

    @classmethod
    def initial_of(cls, session: ParticipatorySession) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": session.kind,
            "held_on": session.held_on,
            "place": session.place,
            "facilitators": session.facilitators,
            "priorities": "\n".join(session.priorities or []),
            "tensions": session.tensions,
            "follow_up": session.follow_up,
        }
        for key in services.PARTICIPANT_KEYS:
            initial[cls.count_name(key)] = (session.participants or {}).get(key, 0)
        return initial

    def to_input(self) -> services.SessionInput:
        data = self.cleaned_data
        return services.SessionInput(
            kind=data.get("kind") or "",
            held_on=data.get("held_on"),
            place=data.get("place") or "",
            facilitators=data.get("facilitators") or "",
            participants={key: data.get(self.count_name(key)) or 0 for key in services.PARTICIPANT_KEYS},
            priorities=(data.get("priorities") or "").splitlines(),
            tensions=data.get("tensions") or "",
            follow_up=data.get("follow_up") or "",
        )


class HotspotFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    period_days = forms.TypedChoiceField(
        label=_("Period"),
        choices=[(365, _("Last 365 days")), (90, _("Last 90 days"))],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "country").choices = country_choices(blank=_("All countries"))


# --- Community profiles ------------------------------------------------------------------------------

RATING_CHOICES = [
    ("", "—"),
    ("0", _("0 — no concern / absent")),
    ("1", _("1 — low")),
    ("2", _("2 — medium")),
    ("3", _("3 — high")),
]


class ProfileForm(TextLimitsMixin, forms.Form):
    """A new version of the community profile: the date, and per section a rating, evidence and sources."""

    text_models = (text_model.CommunityProfile,)

    as_of = marked_required(forms.DateField(label=_("Date of the profile"), required=False, widget=DateInput()))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in ProfileSection.choices:
            self.fields[f"{code}_rating"] = marked_required(
                forms.TypedChoiceField(
                    label=label, choices=RATING_CHOICES, required=False, coerce=int, empty_value=None
                )
            )
            self.fields[f"{code}_evidence"] = marked_required(
                forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
            )
            self.fields[f"{code}_sources"] = forms.CharField(label=_("Sources"), required=False, max_length=500)

    @staticmethod
    def initial_of(profile: CommunityProfile | None) -> dict[str, Any]:
        initial: dict[str, Any] = {"as_of": timezone.localdate()}
        for row in selectors.profile_rows(profile):
            initial[f"{row.section}_rating"] = "" if row.rating is None else str(row.rating)
            initial[f"{row.section}_evidence"] = row.evidence
            initial[f"{row.section}_sources"] = row.sources
        return initial

    def section_fields(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"{c}_rating"], self[f"{c}_evidence"], self[f"{c}_sources"]) for c in ProfileSection.values]

    @staticmethod
    def aliases() -> dict[str, str]:
        return {f"sections.{c}.{part}": f"{c}_{part}" for c in ProfileSection.values for part in ("rating", "evidence")}

    def to_input(self) -> services.ProfileInput:
        data = self.cleaned_data
        return services.ProfileInput(
            as_of=data.get("as_of"),
            sections={
                code: services.SectionInput(
                    data.get(f"{code}_rating"), data.get(f"{code}_evidence") or "", data.get(f"{code}_sources") or ""
                )
                for code in ProfileSection.values
            },
            summary=data.get("summary") or "",
        )


# --- Community projects --------------------------------------------------------------------------------

BLANK_ROWS = 3


def _rows_wanted(data: Any, prefix: str, stored: int) -> int:
    """How many rows to show: the stored ones and three blank, or as many as were posted."""
    if data is not None:
        posted = {k.split("_")[1] for k in data if k.startswith(f"{prefix}_") and k.split("_")[1].isdigit()}
        return max([stored + BLANK_ROWS, *(int(i) + 1 for i in posted)])
    return min(stored + BLANK_ROWS, services.MAX_LINES)


class ProjectForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.CommunityProject,)
    title = marked_required(forms.CharField(label=_("Title"), max_length=200, required=False))
    approach = marked_required(
        forms.ChoiceField(label=_("Approach"), choices=[("", "—"), *ProjectApproach.choices], required=False)
    )
    dimensions = marked_required(
        forms.MultipleChoiceField(
            label=_("Dimensions"), choices=Dimension.choices, required=False, widget=forms.CheckboxSelectMultiple
        )
    )
    activities = forms.MultipleChoiceField(
        label=_("Activities"), choices=ProjectActivity.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    communities = marked_required(
        forms.TypedMultipleChoiceField(label=_("Communities served"), required=False, coerce=int)
    )
    partners = forms.TypedMultipleChoiceField(
        label=_("Partners"), required=False, coerce=int, help_text=_("From the stakeholder registry.")
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Planned end"), required=False, widget=DateInput())
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        widget=forms.TextInput(attrs={"size": 4}),
        help_text=_("Left empty: the currency of the communities' country."),
    )
    risks = forms.CharField(label=_("Risks"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcomes = forms.CharField(label=_("Outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, stored_lines: int = 0, stored_milestones: int = 0, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice_field(self, "communities").choices = [(c.pk, str(c)) for c in selectors.communities_for(user)]
        choice_field(self, "partners").choices = [(s.pk, s.name) for s in selectors.partner_choices(user)]
        # The organisation's country's currency (places.currencies); the service fills in the communities'.
        organisation = getattr(user, "organisation", None)
        proposed = currencies.currency_of(organisation.country if organisation else "")
        self.fields["currency"].initial = proposed
        if proposed:
            self.fields["currency"].widget.attrs["placeholder"] = proposed
        self.budget_count = _rows_wanted(self.data if self.is_bound else None, "budget", stored_lines)
        self.milestone_count = _rows_wanted(self.data if self.is_bound else None, "milestone", stored_milestones)
        for i in range(self.budget_count):
            self.fields[f"budget_{i}_line"] = forms.CharField(label=_("Budget line"), required=False, max_length=200)
            self.fields[f"budget_{i}_budget"] = forms.DecimalField(
                label=_("Budgeted"), required=False, decimal_places=2, max_digits=14
            )
            self.fields[f"budget_{i}_spent"] = forms.DecimalField(
                label=_("Spent"), required=False, decimal_places=2, max_digits=14
            )
        for i in range(self.milestone_count):
            self.fields[f"milestone_{i}_title"] = forms.CharField(label=_("Milestone"), required=False, max_length=200)
            self.fields[f"milestone_{i}_due_on"] = forms.DateField(label=_("Due"), required=False, widget=DateInput())
            self.fields[f"milestone_{i}_status"] = forms.ChoiceField(
                label=_("Status"), choices=MilestoneStatus.choices, required=False
            )
        self.budget_positions: list[int] = []
        self.milestone_positions: list[int] = []

    @staticmethod
    def initial_of(project: CommunityProject) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": project.title,
            "approach": project.approach,
            "dimensions": list(project.dimensions),
            "activities": list(project.activities),
            "description": project.description,
            "communities": list(project.communities.values_list("pk", flat=True)),
            "partners": list(project.partners.values_list("pk", flat=True)),
            "starts_on": project.starts_on,
            "ends_on": project.ends_on,
            "currency": project.currency,
            "risks": project.risks,
            "outcomes": project.outcomes,
        }
        for i, row in enumerate(project.budget_lines or []):
            initial |= {f"budget_{i}_line": row["line"], f"budget_{i}_budget": row["budget"]}
            initial[f"budget_{i}_spent"] = row["spent"]
        for i, row in enumerate(project.milestones or []):
            initial |= {f"milestone_{i}_title": row["title"], f"milestone_{i}_status": row["status"]}
            initial[f"milestone_{i}_due_on"] = row["due_on"]
        return initial

    def budget_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"budget_{i}_line"], self[f"budget_{i}_budget"], self[f"budget_{i}_spent"])
            for i in range(self.budget_count)
        ]

    def milestone_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"milestone_{i}_title"], self[f"milestone_{i}_due_on"], self[f"milestone_{i}_status"])
            for i in range(self.milestone_count)
        ]

    def aliases(self) -> dict[str, str]:
        """The service names the rows it was given (blank rows left out) by position: back to the fields."""
        aliases = {}
        for n, i in enumerate(self.budget_positions):
            for part in ("line", "budget", "spent"):
                aliases[f"budget_lines.{n}.{part}"] = f"budget_{i}_{part}"
        for n, i in enumerate(self.milestone_positions):
            for part in ("title", "due_on", "status"):
                aliases[f"milestones.{n}.{part}"] = f"milestone_{i}_{part}"
        return aliases

    def _budget_input(self) -> list[dict[str, Any]]:
        data, lines = self.cleaned_data, []
        self.budget_positions = []
        for i in range(self.budget_count):
            row = {"line": data.get(f"budget_{i}_line") or "", "budget": data.get(f"budget_{i}_budget")}
            row["spent"] = data.get(f"budget_{i}_spent")
            if row["line"] or row["budget"] is not None or row["spent"] is not None:
                lines.append(row)
                self.budget_positions.append(i)
        return lines

    def _milestone_input(self) -> list[dict[str, Any]]:
        data, rows = self.cleaned_data, []
        self.milestone_positions = []
        for i in range(self.milestone_count):
            title, due_on = data.get(f"milestone_{i}_title") or "", data.get(f"milestone_{i}_due_on")
            if title or due_on:
                rows.append({"title": title, "due_on": due_on, "status": data.get(f"milestone_{i}_status") or ""})
                self.milestone_positions.append(i)
        return rows

    def to_input(self) -> services.ProjectInput:
        data = self.cleaned_data
        return services.ProjectInput(
            title=data.get("title") or "",
            approach=data.get("approach") or "",
            dimensions=list(data.get("dimensions") or []),
            activities=list(data.get("activities") or []),
            communities=list(data.get("communities") or []),
            partners=list(data.get("partners") or []),
            description=data.get("description") or "",
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            currency=data.get("currency") or "",
            budget_lines=self._budget_input(),
            milestones=self._milestone_input(),
            risks=data.get("risks") or "",
            outcomes=data.get("outcomes") or "",
        )


class StatusForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.CommunityProject,)
    status = forms.ChoiceField(label=_("New status"), choices=ProjectStatus.choices, required=False)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DateInput())
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *ProjectResult.choices], required=False)
    closing_assessment = forms.CharField(
        label=_("Closing assessment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def to_input(self) -> services.StatusInput:
        data = self.cleaned_data
        return services.StatusInput(
            status=data.get("status") or "",
            closed_on=data.get("closed_on"),
            result=data.get("result") or "",
            closing_assessment=data.get("closing_assessment") or "",
        )


class ReturneeForm(forms.Form):
    """Link one of the user's cases (and optionally the plan item that says so) to the project."""

    case = marked_required(forms.TypedChoiceField(label=_("Case"), required=False, coerce=int, empty_value=None))
    plan_item = forms.TypedChoiceField(label=_("Plan item"), required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cases = selectors.linkable_cases(user)
        choice_field(self, "case").choices = [("", "—"), *((c.pk, c.case_number) for c in cases)]
        choice_field(self, "plan_item").choices = [
            ("", "—"),
            *((i.pk, f"{i.plan.case.case_number} · {i.approach}") for i in selectors.plan_items_of(cases)),
        ]

    def to_input(self) -> services.ReturneeInput:
        data = self.cleaned_data
        return services.ReturneeInput(
            case=data.get("case"), plan_item=data.get("plan_item"), role=data.get("role") or ParticipantRole.MEMBER
        )


class ResidentsForm(forms.Form):
    """Non-migrant residents taking part: a count, and if known their sex, age band and role."""

    count = marked_required(forms.IntegerField(label=_("Number of people"), required=False, initial=1))
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", _("Mixed or not recorded")), *ParticipantSex.choices], required=False
    )
    age_band = forms.ChoiceField(
        label=_("Age band"), choices=[("", _("Mixed or not recorded")), *AgeBand.choices], required=False
    )
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices, required=False)

    def to_input(self) -> services.ResidentsInput:
        data = self.cleaned_data
        return services.ResidentsInput(
            count=data.get("count"),
            sex=data.get("sex") or "",
            age_band=data.get("age_band") or "",
            role=data.get("role") or ParticipantRole.MEMBER,
        )


class VisitForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ProjectVisit,)
    visited_on = marked_required(forms.DateField(label=_("Date"), required=False, widget=DateInput()))
    findings = marked_required(
        forms.CharField(label=_("Findings"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    )
    next_steps = forms.CharField(label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def to_input(self) -> services.VisitInput:
        data = self.cleaned_data
        return services.VisitInput(
            visited_on=data.get("visited_on"),
            findings=data.get("findings") or "",
            next_steps=data.get("next_steps") or "",
        )


class ProjectFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *ProjectStatus.choices], required=False)
    community = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "community").choices = [
            ("", _("All")),
            *((c.pk, str(c)) for c in selectors.communities_for(user)),
        ]

    def filters(self) -> selectors.ProjectFilters:
        data = self.cleaned_data
        return selectors.ProjectFilters(status=data.get("status") or "", community=data.get("community"))

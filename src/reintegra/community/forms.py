"""Forms of the community pages. They parse only; `community.services` decides what is required and refuses
the rest, and the views put those errors back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.cases.forms.common import choice_field, country_choices, municipality_choices
from reintegra.community import selectors, services
from reintegra.community.choices import AgeBand, ParticipantGroup, ParticipantSex, SessionKind, SiteCriterion
from reintegra.community.models import Community, ParticipatorySession
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput, FastSelect


class CommunityForm(forms.Form):
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


class SessionForm(forms.Form):
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

"""Forms of the employment pages: they parse and type-check only; the services decide (one rule path)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases.forms.common import BaseListFormSet, list_formset_factory
from reintegra.employment import models as text_model
from reintegra.employment import services
from reintegra.employment.choices import (
    Availability,
    CefrLevel,
    CertificationIssuer,
    ContractType,
    EducationLevel,
    Incentive,
    JobLanguage,
    NotHiredReason,
    PlacementStatus,
    RetentionOutcome,
    SkillEvidence,
    TravelReach,
)
from reintegra.employment.models import JobseekerProfile
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput, FastSelect

BLANK: list[tuple[Any, Any]] = [("", "—")]


def municipality_choices() -> list[tuple[Any, str]]:
    rows = AdminArea.objects.filter(level=AdminLevel.SECOND).select_related("parent").order_by("country", "name")
    return BLANK + [(a.pk, str(a)) for a in rows]


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


class ProfileForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.JobseekerProfile,)
    education_level = forms.ChoiceField(
        label=_("Education (ISCED 2011)"), choices=BLANK + EducationLevel.choices, required=False
    )
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), coerce=int, empty_value=None, required=False, widget=FastSelect
    )
    travel_reach = forms.ChoiceField(
        label=_("How far the person can travel"), choices=BLANK + TravelReach.choices, required=False
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=BLANK + Availability.choices, required=False)
    desired_occupation = forms.CharField(
        label=_("Desired job (ISCO-08 code)"),
        required=False,
        max_length=4,
        help_text=_("Search the codes at /api/v1/occupations/?search=, e.g. 7112 for bricklayers."),
    )
    desired_wage = forms.IntegerField(label=_("Desired monthly wage"), required=False, min_value=0)
    desired_contracts = forms.MultipleChoiceField(
        label=_("Contracts accepted"), choices=ContractType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["municipality"]).choices = municipality_choices()
        for name in ("education_level", "municipality", "travel_reach", "availability"):
            marked_required(self.fields[name])

    @staticmethod
    def initial_of(profile: JobseekerProfile | None) -> dict[str, Any]:
        if profile is None:
            return {}
        return {
            "education_level": profile.education_level,
            "municipality": profile.municipality_id,
            "travel_reach": profile.travel_reach,
            "availability": profile.availability,
            "desired_occupation": profile.desired_occupation.code if profile.desired_occupation else "",
            "desired_wage": profile.desired_wage,
            "desired_contracts": profile.desired_contracts,
            "notes": profile.notes,
        }


class ExperienceRow(forms.Form):
    isco = forms.CharField(label=_("Occupation (ISCO-08 code)"), required=False, max_length=4)
    years = forms.DecimalField(label=_("Years"), required=False, min_value=0, max_digits=4, decimal_places=1)
    abroad = forms.BooleanField(label=_("Abroad"), required=False)
    country = forms.ChoiceField(label=_("Country"), choices=BLANK + list(countries), required=False)
    sector = forms.CharField(label=_("Sector"), required=False, max_length=120)

    def value(self) -> dict[str, Any]:
        d = self.cleaned_data
        years = d.get("years")
        return {
            "isco": d.get("isco") or "",
            "years": float(years) if years is not None else None,
            "abroad": bool(d.get("abroad")),
            "country": d.get("country") or "",
            "sector": d.get("sector") or "",
        }


class LanguageRow(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=BLANK + JobLanguage.choices, required=False)
    level = forms.ChoiceField(label=_("Level (CEFR)"), choices=BLANK + CefrLevel.choices, required=False)

    def value(self) -> dict[str, Any]:
        return {"language": self.cleaned_data.get("language") or "", "level": self.cleaned_data.get("level") or ""}


class SkillRow(forms.Form):
    name = forms.CharField(label=_("Skill"), required=False, max_length=120)
    evidence = forms.ChoiceField(label=_("Evidence"), choices=BLANK + SkillEvidence.choices, required=False)

    def value(self) -> dict[str, Any]:
        return {"name": self.cleaned_data.get("name") or "", "evidence": self.cleaned_data.get("evidence") or ""}


class CertificationRow(forms.Form):
    issuer = forms.ChoiceField(label=_("Issuer"), choices=BLANK + CertificationIssuer.choices, required=False)
    standard = forms.CharField(label=_("Competence standard"), required=False, max_length=200)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())

    def value(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "issuer": d.get("issuer") or "",
            "standard": d.get("standard") or "",
            "issued_on": d["issued_on"].isoformat() if d.get("issued_on") else "",
            "expires_on": d["expires_on"].isoformat() if d.get("expires_on") else "",
        }


ROWS: dict[str, type[forms.Form]] = {
    "experience": ExperienceRow,
    "languages": LanguageRow,
    "skills": SkillRow,
    "certifications": CertificationRow,
}


def row_formsets(data: Any, profile: JobseekerProfile | None) -> dict[str, BaseListFormSet[Any]]:
    """One formset per list of the profile (rows added in the browser, removed with their box)."""
    found = {}
    for name, row in ROWS.items():
        formset_class = list_formset_factory(row, extra=1, can_delete=True, max_num=services.MAX_ROWS)
        initial = list(getattr(profile, name) or []) if profile else []
        found[name] = formset_class(data, initial=initial, prefix=name)
    return found


def kept_rows(formset: BaseListFormSet[Any]) -> list[Any]:
    """The rows filled in and not removed, in order (the service names them by position)."""
    return [
        f
        for f in formset.kept_forms()
        if any(v not in (None, "", False) for k, v in f.cleaned_data.items() if k != "DELETE")
    ]


def profile_input(form: ProfileForm, rows: dict[str, list[Any]]) -> services.ProfileInput:
    d = form.cleaned_data
    return services.ProfileInput(
        education_level=d.get("education_level") or "",
        travel_reach=d.get("travel_reach") or "",
        availability=d.get("availability") or "",
        municipality_id=d.get("municipality"),
        desired_occupation=d.get("desired_occupation") or "",
        desired_wage=d.get("desired_wage"),
        desired_contracts=list(d.get("desired_contracts") or []),
        notes=d.get("notes") or "",
        **{name: [f.value() for f in kept] for name, kept in rows.items()},
    )


def _skill_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("\n", ",").split(",") if part.strip()]


class VacancyForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Vacancy,)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, empty_value=None, required=False)
    employer = forms.TypedChoiceField(label=_("Employer"), coerce=int, empty_value=None, required=False)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    occupation = forms.CharField(label=_("Occupation (ISCO-08 code)"), required=False, max_length=4)
    essential_skills = forms.CharField(
        label=_("Essential skills (separated by commas)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    optional_skills = forms.CharField(
        label=_("Optional skills (separated by commas)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    education_level = forms.ChoiceField(
        label=_("Minimum education (ISCED 2011)"), choices=BLANK + EducationLevel.choices, required=False
    )
    language = forms.ChoiceField(label=_("Language required"), choices=BLANK + JobLanguage.choices, required=False)
    language_level = forms.ChoiceField(label=_("Level (CEFR)"), choices=BLANK + CefrLevel.choices, required=False)
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), coerce=int, empty_value=None, required=False, widget=FastSelect
    )
    wage_min = forms.IntegerField(label=_("Minimum monthly wage"), required=False, min_value=0)
    wage_max = forms.IntegerField(label=_("Maximum monthly wage"), required=False, min_value=0)
    contract_type = forms.ChoiceField(label=_("Contract"), choices=BLANK + ContractType.choices, required=False)
    positions = forms.IntegerField(label=_("Positions"), required=False, initial=1)
    closing_date = forms.DateField(label=_("Closing date"), required=False, widget=DateInput())
    incentive = forms.ChoiceField(
        label=_("Incentive"), choices=Incentive.choices, required=False, initial=Incentive.NONE
    )

    def __init__(self, *args: Any, programmes: Any = (), employers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["programme"]).choices = BLANK + [(p.pk, p.name) for p in programmes]
        cast(forms.ChoiceField, self.fields["employer"]).choices = BLANK + [
            (e.pk, f"{e.name} · {e.programme.name}") for e in employers
        ]
        cast(forms.ChoiceField, self.fields["municipality"]).choices = municipality_choices()
        for name in ("programme", "employer", "title", "occupation", "municipality", "contract_type", "closing_date"):
            marked_required(self.fields[name])

    def to_input(self) -> services.VacancyInput:
        d = self.cleaned_data
        languages = [{"language": d["language"], "level": d.get("language_level") or ""}] if d.get("language") else []
        return services.VacancyInput(
            programme_id=d.get("programme"),
            employer_id=d.get("employer"),
            title=d.get("title") or "",
            occupation=d.get("occupation") or "",
            essential_skills=_skill_list(d.get("essential_skills") or ""),
            optional_skills=_skill_list(d.get("optional_skills") or ""),
            education_level=d.get("education_level") or "",
            languages=languages,
            municipality_id=d.get("municipality"),
            wage_min=d.get("wage_min"),
            wage_max=d.get("wage_max"),
            contract_type=d.get("contract_type") or "",
            positions=d.get("positions"),
            closing_date=d.get("closing_date"),
            incentive=d.get("incentive") or Incentive.NONE,
        )


class ShortlistForm(forms.Form):
    vacancy = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    step = forms.ChoiceField(
        label=_("Step"),
        choices=BLANK + [c for c in PlacementStatus.choices if c[0] != PlacementStatus.SHORTLISTED],
        required=False,
    )
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    reason = forms.ChoiceField(label=_("Reason (not hired)"), choices=BLANK + NotHiredReason.choices, required=False)


class RetentionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=BLANK + RetentionOutcome.choices, required=False)
    checked_on = forms.DateField(label=_("Checked on"), required=False, widget=DateInput())


class ReferForm(forms.Form):
    """Parse the referral of a candidate: the service (among those the view offers) and a note. The rules
    (sector, job-placement SOP, consent) are the service's."""

    service = marked_required(forms.ChoiceField(label=_("Employment or intermediation service"), required=False))
    note = forms.CharField(
        label=_("Note for the employer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        help_text=_("Sent with the referral's reason if the SOP transfers it. No health or protection details."),
    )

    def __init__(self, *args: Any, services_offered: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["service"])
        field.choices = BLANK + [(s.pk, f"{s.provider.name} — {s.name}") for s, _pathway in services_offered]

    def service_id(self) -> int | None:
        value = self.cleaned_data.get("service") if hasattr(self, "cleaned_data") else None
        return int(value) if value and str(value).isdigit() else None

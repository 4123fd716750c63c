"""Forms of the tracing pages: they parse and type-check only; every rule (required fields, dates, choices,
suitability) is the service's (`tracing_services`), shown back with `web.forms.apply_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.children import tracing_models as text_model
from reintegra.children import tracing_services as services
from reintegra.children.tracing_choices import (
    Answer,
    AuthorityView,
    ChildWish,
    PlacementOutlook,
    ReunificationRecommendation,
    SoughtRelationship,
    TracingMethod,
    TracingResult,
)
from reintegra.children.tracing_models import FamilyMemberFound, TracingRequest
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput

EMPTY = [("", "—")]


def _choice(label: Any, choices: Any, *, required: bool = True, **kwargs: Any) -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, choices=[*EMPTY, *choices], required=False, **kwargs)
    return marked_required(field) if required else field


def _date(label: Any, *, required: bool = True, initial: Any = timezone.localdate) -> forms.DateField:
    field = forms.DateField(label=label, widget=DateInput(), required=False, initial=initial)
    return marked_required(field) if required else field


def _text(label: Any, *, max_length: int = 2000, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _request_choices(requests: list[TracingRequest]) -> list[tuple[int, str]]:
    relationship = dict(SoughtRelationship.choices)
    return [
        (r.pk, f"{relationship.get(r.relationship, '')}: {r.given_names} {r.family_names}".strip()) for r in requests
    ]


class TracingRequestForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.TracingRequest,)
    relationship = _choice(_("Relationship to the child"), SoughtRelationship.choices)
    given_names = forms.CharField(label=_("Given names"), max_length=120, required=False)
    family_names = forms.CharField(label=_("Family names"), max_length=160, required=False)
    birth_year = forms.IntegerField(label=_("Approximate birth year"), required=False, min_value=0, max_value=32767)
    last_known_location = _text(_("Last known location"), max_length=300, rows=2)
    notes = _text(_("What the child said about this person"))
    opened_on = _date(pgettext_lazy("tracing request", "Opened on"))

    def to_input(self) -> services.TracingRequestInput:
        return services.TracingRequestInput(**self.cleaned_data)


class TracingActionForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.TracingAction,)
    request = forms.TypedChoiceField(label=_("Person sought"), coerce=int, empty_value=None, required=False)
    method = _choice(_("Method"), TracingMethod.choices)
    taken_on = _date(_("Date"))
    carried_out_by = marked_required(
        forms.CharField(
            label=_("Carried out by"),
            max_length=160,
            required=False,
            help_text=_("The person or organisation who did it (a consulate, the authority, a community leader)."),
        )
    )
    result = _choice(_("Result"), TracingResult.choices)
    result_notes = _text(_("What was learnt"))

    def __init__(self, *args: Any, requests: list[TracingRequest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["request"].choices = [*EMPTY, *_request_choices(requests)]  # type: ignore[attr-defined]
        marked_required(self.fields["request"])

    def to_input(self) -> services.TracingActionInput:
        return services.TracingActionInput(**self.cleaned_data)


class FamilyMemberForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.FamilyMemberFound,)
    request = forms.TypedChoiceField(label=_("Tracing request"), coerce=int, empty_value=None, required=False)
    relationship = _choice(_("Relationship to the child"), SoughtRelationship.choices)
    given_names = marked_required(forms.CharField(label=_("Given names"), max_length=120, required=False))
    family_names = forms.CharField(label=_("Family names"), max_length=160, required=False)
    contact = _text(_("How to reach them"), max_length=300, rows=2)
    found_on = _date(_("Found on"))
    # A registered person chosen among the matches shown (the service checks the user may see them).
    returnee = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)
    notes = _text(_("Notes"))

    def __init__(self, *args: Any, requests: list[TracingRequest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["request"].choices = [*EMPTY, *_request_choices(requests)]  # type: ignore[attr-defined]
        marked_required(self.fields["request"])

    def to_input(self) -> services.FamilyMemberInput:
        return services.FamilyMemberInput(**self.cleaned_data)


class CloseRequestForm(forms.Form):
    closed_on = _date(pgettext_lazy("tracing request", "Closed on"))


class ReunificationForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ReunificationAssessment,)
    assessed_on = _date(_("Assessed on"))
    family_member = forms.TypedChoiceField(label=_("Family assessed"), coerce=int, empty_value=None, required=False)
    family_willing = _choice(_("Is the family willing to care for the child?"), Answer.choices)
    family_able = _choice(_("Is the family able to care for the child?"), Answer.choices)
    home_safe = _choice(_("Is the home safe for the child?"), Answer.choices)
    safety_notes = _text(_("Safety of the home"))
    child_wish = _choice(_("The child's wishes"), ChildWish.choices)
    child_views = _text(_("What the child said, in their words"))
    authority = forms.CharField(label=_("Child-protection authority"), max_length=160, required=False)
    authority_view = _choice(_("The authority's view"), AuthorityView.choices)
    authority_notes = _text(_("The authority's reasons"))
    recommendation = _choice(_("Recommendation"), ReunificationRecommendation.choices)
    reasons = _text(_("Reasons for the recommendation"))
    reunified_on = _date(_("Reunification date"), required=False, initial=None)

    def __init__(self, *args: Any, found: list[FamilyMemberFound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relationship = dict(SoughtRelationship.choices)
        self.fields["family_member"].choices = [  # type: ignore[attr-defined]
            *EMPTY,
            *((f.pk, f"{relationship.get(f.relationship, '')}: {f.given_names} {f.family_names}") for f in found),
        ]
        self.fields["reunified_on"].help_text = _(
            "When the child went back to the family. Recording it plans the follow-up visits "
            "(2 weeks, 1, 3 and 6 months)."
        )

    def to_input(self) -> services.ReunificationInput:
        return services.ReunificationInput(**self.cleaned_data)


class FollowUpForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ReunificationFollowUp,)
    done_on = _date(_("Visited on"))
    outlook = _choice(_("Placement"), PlacementOutlook.choices)
    notes = _text(_("What the visit found"))

    def to_input(self) -> services.FollowUpInput:
        return services.FollowUpInput(**self.cleaned_data)

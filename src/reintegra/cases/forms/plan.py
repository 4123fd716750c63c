"""The reintegration plan (goals, items, agreement) and follow-up visits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases import models as text_model
from reintegra.cases import services
from reintegra.cases.choices import (
    AssistanceForm,
    ContactMode,
    Dimension,
    PlanItemStatus,
)
from reintegra.cases.forms.common import (
    BaseListFormSet,
    blank_choice,
    choice_field,
    list_formset_factory,
    textarea,
)
from reintegra.web.widgets import DateInput

# --- Reintegration plan --------------------------------------------------------------------------


class PlanForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ReintegrationPlan,)
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        widget=textarea(3),
        help_text=_("Step 1: the returnee's own goals, in their words."),
    )
    motivations = forms.CharField(label=_("Motivations"), required=False, widget=textarea(3))


class PlanItemForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.PlanItem,)
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    dimension = forms.ChoiceField(label=_("Dimension"))
    approach = forms.CharField(
        label=_("Approach"),
        max_length=120,
        help_text=_("E.g. job placement, business development, referral."),
        # Suggestions from the programme's feasibility grid, when a plan-form panel provides that datalist.
        widget=forms.TextInput(attrs={"list": "feasibility-approaches", "autocomplete": "off"}),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=textarea(2))
    assistance_form = forms.ChoiceField(label=_("Form of assistance"))
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=12,
        decimal_places=2,  # not negative: the model's rule
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        widget=forms.TextInput(attrs={"size": 4}),
        help_text=_("Left empty: the currency of the organisation's country."),
    )
    responsible = forms.CharField(label=_("Responsible"), max_length=160, required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=PlanItemStatus.choices, initial=PlanItemStatus.PLANNED)

    def __init__(self, *args: Any, default_currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "dimension").choices = [blank_choice(), *Dimension.choices]
        choice_field(self, "assistance_form").choices = [blank_choice(), *AssistanceForm.choices]
        # The case's country's currency (places.currencies), which the service also fills in when left empty.
        self.fields["currency"].initial = default_currency
        if default_currency:
            self.fields["currency"].widget.attrs["placeholder"] = default_currency

    def has_changed(self) -> bool:
        # A blank row keeps the proposed currency: that alone does not make it a row to save.
        return any(name != "currency" for name in self.changed_data)

    def to_input(self) -> services.PlanItemInput:
        c = self.cleaned_data
        return services.PlanItemInput(
            id=c.get("id"),
            dimension=c["dimension"],
            approach=c["approach"],
            assistance_form=c["assistance_form"],
            description=c.get("description") or "",
            amount=c.get("amount"),
            currency=c.get("currency") or "",
            responsible=c.get("responsible") or "",
            due_date=c.get("due_date"),
            status=c.get("status") or PlanItemStatus.PLANNED,
        )

    @staticmethod
    def initial_for(item: Any) -> dict[str, Any]:
        return {
            "id": item.pk,
            "dimension": item.dimension,
            "approach": item.approach,
            "description": item.description,
            "assistance_form": item.assistance_form,
            "amount": item.amount,
            "currency": item.currency,
            "responsible": item.responsible,
            "due_date": item.due_date,
            "status": item.status,
        }


PlanItemFormSet = list_formset_factory(PlanItemForm, extra=1, can_delete=True, max_num=50)


def items_from(formset: BaseListFormSet[PlanItemForm]) -> list[services.PlanItemInput]:
    return [f.to_input() for f in formset.kept_forms()]


class AgreePlanForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ReintegrationPlan,)
    agreed_on = forms.DateField(label=_("Agreed on"), widget=DateInput())
    late_reason = forms.CharField(
        label=_("Reason for agreeing after the first month"),
        max_length=300,
        required=False,
        widget=textarea(2),
        help_text=_("Required when the plan is agreed more than one month after the return."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreed_on"].initial = timezone.localdate()


# --- Follow-up -----------------------------------------------------------------------------------


class FollowUpForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.FollowUpVisit,)
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices, initial=ContactMode.IN_PERSON)
    notes = forms.CharField(label=_("Notes"), required=False, widget=textarea(3))
    significant_changes = forms.CharField(
        label=_("Significant changes"),
        required=False,
        widget=textarea(3),
        help_text=_("Any significant change in the person's life since the last contact."),
    )
    next_visit_on = forms.DateField(label=_("Next visit"), required=False, widget=DateInput())

    def __init__(self, *args: Any, items: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.items = list(items)
        for item in self.items:
            self.fields[f"progress_{item.pk}"] = forms.ChoiceField(
                label=_("Progress of “%(item)s”") % {"item": item.approach},
                choices=PlanItemStatus.choices,
                initial=item.status,
            )
            self.fields[f"progress_note_{item.pk}"] = forms.CharField(
                label=_("Note on “%(item)s”") % {"item": item.approach}, max_length=300, required=False
            )

    def progress_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(item, self[f"progress_{item.pk}"], self[f"progress_note_{item.pk}"]) for item in self.items]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FOLLOW_UP_FIELDS}

    def progress(self) -> list[services.ProgressInput]:
        return [
            services.ProgressInput(
                item_id=item.pk,
                status=self.cleaned_data[f"progress_{item.pk}"],
                note=self.cleaned_data.get(f"progress_note_{item.pk}") or "",
            )
            for item in self.items
        ]

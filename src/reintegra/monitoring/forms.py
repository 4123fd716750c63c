"""Forms of the results framework's pages: they parse, the services decide (docs/ARCHITECTURE.md, "One rule path")."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.monitoring import choices as c
from reintegra.monitoring import dimensions, services
from reintegra.monitoring import models as text_model
from reintegra.monitoring.models import Indicator, ReportingPeriod, ResultNode, StandardIndicator
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput, SuggestingTextInput


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _text(label: Any, *, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class FrameworkForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ResultsFramework,)
    theory_of_change = _text(
        _("Theory of change"),
        rows=8,
        help_text=_("If … then … because …: how the activities lead to the outcomes and the impact."),
    )
    report_context = _text(_("Context for the donor report"), rows=4)
    is_public = forms.BooleanField(label=_("Publish opted-in indicators on the public statistics page"), required=False)

    def to_input(self) -> services.FrameworkInput:
        return services.FrameworkInput(**self.cleaned_data)


class NodeForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ResultNode,)
    kind = marked_required(forms.ChoiceField(label=_("Kind"), required=False, choices=c.NodeKind.choices))
    parent = forms.ChoiceField(label=_("Contributes to"), required=False)
    code = forms.CharField(label=_("Code"), required=False, max_length=20, help_text=_("e.g. 1.2"))
    title = marked_required(forms.CharField(label=_("Result"), required=False, max_length=300))
    description = _text(_("Description"))
    level = forms.ChoiceField(label=_("Level"), required=False, choices=_blank("—", c.ApproachLevel.choices))
    dimension = forms.ChoiceField(label=_("Dimension"), required=False, choices=_blank("—", c.ResultDimension.choices))
    assumptions = _text(_("Assumptions"), help_text=_("What must hold for this result to lead to the one above."))
    risks = _text(_("Risks"))
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=32767)

    def __init__(self, *args: Any, nodes: Iterable[ResultNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [(str(n.pk), f"{n.get_kind_display()} · {n}") for n in nodes]
        cast(forms.ChoiceField, self.fields["parent"]).choices = _blank(_("None (the impact)"), options)

    @staticmethod
    def initial_from(data: services.NodeInput) -> dict[str, Any]:
        return {**data.__dict__, "parent": str(data.parent) if data.parent else ""}

    def to_input(self) -> services.NodeInput:
        d = self.cleaned_data
        parent = d.get("parent") or ""
        return services.NodeInput(
            kind=d.get("kind") or "",
            title=d.get("title") or "",
            parent=int(parent) if parent.isdigit() else None,
            code=d.get("code") or "",
            description=d.get("description") or "",
            level=d.get("level") or "",
            dimension=d.get("dimension") or "",
            assumptions=d.get("assumptions") or "",
            risks=d.get("risks") or "",
            order=d.get("order") or 0,
        )


class DefinitionField(forms.CharField):
    """The computed definition as JSON text (the structured editor of the page fills it)."""

    widget = forms.Textarea(attrs={"rows": 8, "class": "code", "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        text = (super().to_python(value) or "").strip()
        if not text:
            return {}
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON."), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value


def standard_units() -> list[str]:
    return [str(label) for _code, label in c.Unit.choices]


INDICATOR_TEXT = (
    "name_en",
    "name_fr",
    "description_es",
    "description_en",
    "description_fr",
    "unit",
    "baseline_source",
    "means_of_verification",
    "data_source",
)


class IndicatorForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Indicator,)
    node = marked_required(forms.ChoiceField(label=_("Result"), required=False))
    code = marked_required(forms.CharField(label=_("Code"), required=False, max_length=40))
    name_es = marked_required(forms.CharField(label=_("Name (Spanish)"), required=False, max_length=250))
    name_en = forms.CharField(label=_("Name (English)"), required=False, max_length=250)
    name_fr = forms.CharField(label=_("Name (French)"), required=False, max_length=250)
    description_es = _text(_("Definition (Spanish)"))
    description_en = _text(_("Definition (English)"))
    description_fr = _text(_("Definition (French)"))
    measure = forms.ChoiceField(label=_("Measure"), choices=c.Measure.choices, required=False)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=60, widget=SuggestingTextInput(standard_units))
    direction = forms.ChoiceField(label=_("Desired direction"), choices=c.Direction.choices, required=False)
    time_aggregation = forms.ChoiceField(label=_("Time aggregation"), choices=c.TimeAggregation.choices, required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=_blank("—", c.ApproachLevel.choices))
    dimension = forms.ChoiceField(label=_("Dimension"), required=False, choices=_blank("—", c.ResultDimension.choices))
    is_computed = forms.BooleanField(label=_("Computed from the platform's data"), required=False)
    definition = DefinitionField(
        label=_("Computation"),
        required=False,
        help_text=_("Filled by the editor above; it can also be written by hand as JSON."),
    )
    baseline_value = forms.DecimalField(label=_("Baseline"), required=False, max_digits=14, decimal_places=2)
    baseline_date = forms.DateField(label=_("Baseline date"), required=False, widget=DateInput())
    baseline_source = forms.CharField(label=_("Baseline source"), required=False, max_length=250)
    lop_target = forms.DecimalField(
        label=_("Life-of-programme target"), required=False, max_digits=14, decimal_places=2
    )
    means_of_verification = _text(_("Means of verification"))
    data_source = forms.CharField(label=_("Data source"), required=False, max_length=250)
    frequency = forms.ChoiceField(label=_("Collection frequency"), choices=c.Frequency.choices, required=False)
    responsible = forms.ChoiceField(label=_("Responsible person"), required=False)
    is_kpi = forms.BooleanField(label=_("Key performance indicator"), required=False)
    is_public = forms.BooleanField(label=_("Show on the public statistics page"), required=False)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=32767)

    def __init__(self, *args: Any, nodes: Iterable[ResultNode], people: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        node_choices = [(str(n.pk), f"{n.get_kind_display()} · {n}") for n in nodes]
        cast(forms.ChoiceField, self.fields["node"]).choices = _blank("—", node_choices)
        people_choices = [(str(u.pk), u.get_full_name() or u.username) for u in people]
        cast(forms.ChoiceField, self.fields["responsible"]).choices = _blank("—", people_choices)

    @staticmethod
    def initial_from(data: services.IndicatorInput) -> dict[str, Any]:
        values = dict(data.__dict__)
        values["node"] = str(data.node) if data.node else ""
        values["responsible"] = str(data.responsible) if data.responsible else ""
        values["unit"] = c.unit_label(data.unit)
        return values

    def to_input(self) -> services.IndicatorInput:
        d = self.cleaned_data
        node, responsible = d.get("node") or "", d.get("responsible") or ""
        return services.IndicatorInput(
            node=int(node) if node.isdigit() else None,
            code=(d.get("code") or "").strip(),
            name_es=d.get("name_es") or "",
            measure=d.get("measure") or "",
            direction=d.get("direction") or c.Direction.INCREASE,
            time_aggregation=d.get("time_aggregation") or c.TimeAggregation.PER_PERIOD,
            frequency=d.get("frequency") or c.Frequency.QUARTERLY,
            level=d.get("level") or "",
            dimension=d.get("dimension") or "",
            is_computed=bool(d.get("is_computed")),
            definition=d.get("definition") if d.get("definition") is not None else {},
            baseline_value=d.get("baseline_value"),
            baseline_date=d.get("baseline_date"),
            lop_target=d.get("lop_target"),
            responsible=int(responsible) if responsible.isdigit() else None,
            is_kpi=bool(d.get("is_kpi")),
            is_public=bool(d.get("is_public")),
            order=d.get("order") or 0,
            **{name: d.get(name) or "" for name in INDICATOR_TEXT if name != "unit"},
            unit=c.unit_code(d.get("unit") or ""),
        )


def definition_aliases(error_keys: Iterable[str]) -> dict[str, str]:
    """The service names parts of the computation (`definition.filters.0.op`); the form has one field."""
    return {key: "definition" for key in error_keys if key.startswith("definition.")}


class PreviewForm(forms.Form):
    disaggregate = forms.ChoiceField(label=_("Disaggregate by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [(key, d.label) for key, d in dimensions.known().items()]
        cast(forms.ChoiceField, self.fields["disaggregate"]).choices = _blank(_("No disaggregation"), options)


class AdoptForm(forms.Form):
    standard = marked_required(forms.ChoiceField(label=_("Standard indicator"), required=False))
    node = marked_required(forms.ChoiceField(label=_("Result"), required=False))

    def __init__(
        self, *args: Any, standards: Iterable[StandardIndicator], nodes: Iterable[ResultNode], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["standard"]).choices = _blank("—", [(str(s.pk), str(s)) for s in standards])
        cast(forms.ChoiceField, self.fields["node"]).choices = _blank(
            "—", [(str(n.pk), f"{n.get_kind_display()} · {n}") for n in nodes]
        )

    def ids(self) -> tuple[int | None, int | None]:
        def as_id(name: str) -> int | None:
            value = self.cleaned_data.get(name) or ""
            return int(value) if value.isdigit() else None

        return as_id("standard"), as_id("node")


class PeriodForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ReportingPeriod,)
    kind = forms.ChoiceField(label=_("Kind"), choices=c.PeriodKind.choices, initial=c.PeriodKind.QUARTER)
    label = forms.CharField(
        label=_("Name"), required=False, max_length=60, help_text=_("Left empty: named after its dates (2026-T1).")
    )
    starts_on = marked_required(forms.DateField(label=_("Start date"), required=False, widget=DateInput()))
    ends_on = marked_required(forms.DateField(label=_("End date"), required=False, widget=DateInput()))
    narrative = _text(_("Narrative for the donor report"), rows=4)

    def to_input(self) -> services.PeriodInput:
        d = self.cleaned_data
        return services.PeriodInput(
            kind=d.get("kind") or "",
            starts_on=d.get("starts_on"),
            ends_on=d.get("ends_on"),
            label=d.get("label") or "",
            narrative=d.get("narrative") or "",
        )


class QuartersForm(forms.Form):
    year = marked_required(forms.IntegerField(label=_("Year"), required=False))


class CellsField(DefinitionField):
    widget = forms.Textarea(attrs={"rows": 4, "class": "code", "spellcheck": "false"})


class ReportedValueForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.ReportedValue,)
    numerator = forms.DecimalField(label=_("Value or numerator"), required=False, max_digits=14, decimal_places=2)
    denominator = forms.DecimalField(label=_("Denominator"), required=False, max_digits=14, decimal_places=2)
    text = _text(_("Qualitative value"))
    cells = CellsField(
        label=_("Disaggregation"),
        required=False,
        help_text=_('As JSON, e.g. {"sex": {"female": 4, "male": 6}}: each disaggregation adds up to the total.'),
    )
    note = _text(_("Note"))
    evidence = forms.FileField(label=_("Evidence"), required=False)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if indicator.measure == c.Measure.QUALITATIVE:
            for name in ("numerator", "denominator", "cells"):
                del self.fields[name]
        else:
            del self.fields["text"]
            if indicator.measure not in services.PARTS:
                del self.fields["denominator"]

    def to_input(self) -> services.ReportedInput:
        d = self.cleaned_data
        return services.ReportedInput(
            numerator=d.get("numerator"),
            denominator=d.get("denominator"),
            text=d.get("text") or "",
            cells=d.get("cells") or {},
            note=d.get("note") or "",
            evidence=d.get("evidence"),
        )


def target_field(indicator_id: int, period_id: int | str) -> str:
    return f"t_{indicator_id}_{period_id}"


class TargetsForm(forms.Form):
    """The grid: one row per indicator (its life-of-programme target, then a target per period)."""

    def __init__(
        self,
        *args: Any,
        indicators: Sequence[Indicator],
        periods: Sequence[ReportingPeriod],
        stored: dict[tuple[int, int], Decimal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators, self.periods = indicators, periods
        for indicator in indicators:
            self.fields[target_field(indicator.pk, "lop")] = forms.DecimalField(
                label=_("%(code)s: life of programme") % {"code": indicator.code},
                required=False,
                max_digits=14,
                decimal_places=2,
                initial=indicator.lop_target,
            )
            self.fields[f"v_{indicator.pk}"] = forms.IntegerField(
                required=False, widget=forms.HiddenInput, initial=indicator.revision
            )
            for period in periods:
                self.fields[target_field(indicator.pk, period.pk)] = forms.DecimalField(
                    label=_("%(code)s: %(period)s") % {"code": indicator.code, "period": period.label},
                    required=False,
                    max_digits=14,
                    decimal_places=2,
                    initial=stored.get((indicator.pk, period.pk)),
                )

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each indicator with its bound fields in the columns' order."""
        return [
            {
                "indicator": i,
                "lop": self[target_field(i.pk, "lop")],
                "version": self[f"v_{i.pk}"],
                "cells": [self[target_field(i.pk, p.pk)] for p in self.periods],
            }
            for i in self.indicators
        ]

    def grid(self) -> dict[int, services.TargetRow]:
        d = self.cleaned_data
        return {
            i.pk: services.TargetRow(
                lop_target=d.get(target_field(i.pk, "lop")),
                by_period={p.pk: d.get(target_field(i.pk, p.pk)) for p in self.periods},
                version=d.get(f"v_{i.pk}") if d.get(f"v_{i.pk}") is not None else -1,
            )
            for i in self.indicators
        }

    def aliases(self, keys: Iterable[str]) -> dict[str, str]:
        found = {}
        for key in keys:
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "targets":
                found[key] = f"t_{parts[1]}_{parts[2]}"
        return found

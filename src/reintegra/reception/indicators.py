"""What an M&E indicator may count of reception (monitoring.registry): arrivals, and the people received
(intakes) with whether they returned before and which assistance they were given. Neither is about a case
(most people received never open one): they split by programme and organisation only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _

from reintegra.monitoring import registry
from reintegra.reception.choices import ArrivalMeans, AssistanceKind, PointKind, ReturnType
from reintegra.reception.models import Arrival, AssistanceGiven, Intake


def _given(kind: str) -> Any:
    def expression(start: date, end: date) -> Any:
        return Exists(AssistanceGiven.objects.filter(intake=OuterRef("pk"), kind=kind))

    return expression


def _any_given(start: date, end: date) -> Any:
    return Exists(AssistanceGiven.objects.filter(intake=OuterRef("pk")))


def _announced(start: date, end: date) -> Any:
    return F("men") + F("women") + F("boys") + F("girls")


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="arrivals",
            label=_("Arrivals at reception"),
            rows=lambda: Arrival.objects.all(),
            programme_path="programme_id",
            organisation_path="organisation_id",
            case_path=None,
            app="reception",
            units={"record": registry.Unit(_("arrivals"), "pk")},
            dates={"arrived_at": registry.DateField(_("arrived at"), "arrived_at", datetime=True)},
            fields={
                "means": registry.Choice(_("means"), "means", ArrivalMeans.choices),
                "return_type": registry.Choice(_("return type"), "return_type", ReturnType.choices),
                "point_kind": registry.Choice(_("kind of reception point"), "point__kind", PointKind.choices),
                "people_announced": registry.Number(_("people announced"), expression=_announced),
                "unaccompanied_minors": registry.Number(_("unaccompanied minors announced"), "unaccompanied_minors"),
            },
        )
    )
    fields: dict[str, registry.FieldSpec] = {
        "is_repeat_return": registry.Flag(_("returned before (a repeat return)"), "is_repeat_return"),
        "travelling_with_family": registry.Flag(_("travelling with family"), "travelling_with_family"),
        "any_assistance": registry.Flag(_("received some assistance"), expression=_any_given),
    }
    for code, label in AssistanceKind.choices:
        fields[f"received_{code}"] = registry.Flag(label, expression=_given(code))
    registry.register(
        registry.Population(
            key="reception_intakes",
            label=_("People received at reception"),
            rows=lambda: Intake.objects.all(),
            programme_path="arrival__programme_id",
            organisation_path="arrival__organisation_id",
            case_path=None,
            app="reception",
            units={
                "person": registry.Unit(_("people (distinct returnees)"), "returnee_id"),
                "record": registry.Unit(_("intakes"), "pk"),
            },
            dates={"arrived_at": registry.DateField(_("arrived at"), "arrival__arrived_at", datetime=True)},
            fields=fields,
        )
    )

"""Issue 17: the feedback indicators of the monitoring library split by type, channel and the item's own area
(`Population.breakdowns`), adding up to the total; a sensitive item is counted by type only (its area and
channel are "not disclosed"), and every cell is k-suppressed for an aggregate role."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from reintegra.monitoring import dimensions, presenting, registry, reports, snapshots
from reintegra.monitoring.choices import Measure
from reintegra.public import services
from reintegra.public.tests.conftest import Portal
from reintegra.testing.indicators import library_values

pytestmark = pytest.mark.django_db

FEEDBACK_CODES = (
    "feedback-received",
    "complaints-received",
    "feedback-acknowledged-in-time",
    "feedback-resolved-in-time",
    "feedback-loop-closed",
)
OWN = ("feedback_type", "feedback_channel", "adm1", "adm2")


def _record(portal: Portal, kind: str, channel: str, municipality: int | None, concern: str = "") -> None:
    services.record_feedback(
        portal.case_manager,
        services.FeedbackInput(
            programme=portal.programme.pk,
            kind=kind,
            channel=channel,
            text="Texto",
            concern=concern,
            municipality=municipality,
        ),
    )


@pytest.fixture
def items(portal: Portal) -> Portal:
    for _ in range(3):
        _record(portal, "complaint", "phone", portal.xela.pk)
    _record(portal, "question", "web", portal.salcaja.pk)
    _record(portal, "suggestion", "in_person", None)
    _record(portal, "sensitive", "phone", portal.salcaja.pk, concern="sea")
    return portal


def _cells(code: str, portal: Portal, by: str) -> dict[str, float]:
    values = library_values(code, [portal.programme.pk], days=60, by=(by,))
    return {bucket: cell.numerator for (bucket,), cell in values.cells.items()}


def test_the_feedback_population_offers_type_channel_and_its_own_area() -> None:
    population = registry.get("feedback")
    assert population is not None
    offered = dimensions.available(population)
    assert set(OWN) <= set(offered)
    assert {"sex", "age_band"}.isdisjoint(offered)  # not about a case: no returnee to read
    assert dimensions.get("feedback_type") is not None
    assert dimensions.choice_rank("feedback_type")["question"] == 0  # the choices' order


@pytest.mark.parametrize("code", FEEDBACK_CODES)
def test_every_breakdown_adds_up_to_the_total(items: Portal, code: str) -> None:
    total = library_values(code, [items.programme.pk], days=60)
    for by in OWN:
        values = library_values(code, [items.programme.pk], days=60, by=(by,))
        assert sum(c.numerator for c in values.cells.values()) == total.total.numerator, by
        assert sum(c.denominator or 0 for c in values.cells.values()) == (total.total.denominator or 0), by


def test_buckets_by_type_channel_and_area(items: Portal) -> None:
    assert _cells("feedback-received", items, "feedback_type") == {
        "complaint": 3,
        "question": 1,
        "suggestion": 1,
        "sensitive": 1,
    }
    # the sensitive report's channel and municipality are not disclosed
    assert _cells("feedback-received", items, "feedback_channel") == {
        "phone": 3,
        "web": 1,
        "in_person": 1,
        "withheld": 1,
    }
    assert _cells("feedback-received", items, "adm2") == {
        str(items.xela.pk): 3,
        str(items.salcaja.pk): 1,
        "unknown": 1,
        "withheld": 1,
    }
    assert _cells("complaints-received", items, "adm1") == {str(items.dept.pk): 3, "withheld": 1}
    labels = reports.bucket_labels("adm2", [str(items.xela.pk), "withheld"])
    assert labels[str(items.xela.pk)] == items.xela.name
    assert labels["withheld"] == "Not disclosed (sensitive)"


def test_a_sensitive_item_never_shows_in_an_area_or_a_channel(portal: Portal) -> None:
    _record(portal, "sensitive", "web", portal.salcaja.pk, concern="misconduct")
    assert _cells("feedback-received", portal, "adm2") == {"withheld": 1}
    assert _cells("feedback-received", portal, "adm1") == {"withheld": 1}
    assert _cells("feedback-received", portal, "feedback_channel") == {"withheld": 1}


def test_an_aggregate_reader_sees_small_cells_suppressed(items: Portal) -> None:
    values = library_values("feedback-received", [items.programme.pk], days=60, by=("feedback_type",))
    shown = presenting.breakdown(Measure.COUNT, values.cells, 5)
    # every cell is under k = 5: none is shown, the sensitive one included
    assert all(cell.suppressed for cell in shown.values())
    assert shown[("sensitive",)].value is None
    exact = presenting.breakdown(Measure.COUNT, values.cells, None)
    assert exact[("complaint",)].value == 3


def _framework_indicator(portal: Portal) -> Any:
    from reintegra.monitoring.models import Indicator, ReportingPeriod, ResultNode, ResultsFramework

    today = timezone.localdate()
    programme = portal.programme
    programme.starts_on = today - timedelta(days=60)
    programme.save(update_fields=["starts_on"])
    framework = ResultsFramework.objects.create(programme=programme, theory_of_change="Rendición de cuentas")
    node = ResultNode.objects.create(framework=framework, kind="impact", code="1", title="Voz de las personas")
    period = ReportingPeriod.objects.create(
        programme=programme, label="Periodo", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=1)
    )
    indicator = Indicator.objects.create(
        framework=framework,
        node=node,
        code="feedback-received",
        name_es="Opiniones y quejas recibidas",
        measure="count",
        definition={"population": "feedback", "unit": "record", "date": "received_at"},
    )
    return indicator, period


def test_the_iptt_and_the_snapshot_split_feedback_by_type_channel_and_area(items: Portal) -> None:
    indicator, period = _framework_indicator(items)
    offered = dict(reports.offered_dimensions([indicator]))
    assert {"feedback_type", "feedback_channel", "adm1", "adm2"} <= set(offered)
    report = reports.iptt_for(items.supervisor, items.programme, by="feedback_channel")
    (row,) = [r for r in report.rows if r.indicator.pk == indicator.pk]
    cells = {bucket: (label, value.value) for bucket, label, value in row.lop.cells}
    assert cells["phone"] == ("Phone", 3.0) and cells["withheld"] == ("Not disclosed (sensitive)", 1.0)
    # an aggregate role: every cell under k = 5 hidden
    officer = reports.iptt_for(items.me_officer, items.programme, by="feedback_type")
    (hidden,) = [r for r in officer.rows if r.indicator.pk == indicator.pk]
    assert officer.suppressed and all(value.suppressed for _b, _l, value in hidden.lop.cells)

    frozen = snapshots.snapshot_values(indicator, period)
    assert frozen["dimensions"]["feedback_type"]["sensitive"]["numerator"] == 1
    assert set(frozen["dimensions"]["adm2"]) == {str(items.xela.pk), str(items.salcaja.pk), "unknown", "withheld"}
    for key in OWN:
        assert sum(c["numerator"] for c in frozen["dimensions"][key].values()) == frozen["total"]["numerator"]

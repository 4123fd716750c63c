"""Reception's standard indicators (monitoring/library.yaml), computed by the monitoring engine over what the
services wrote, against counts made by hand."""

from __future__ import annotations

from django.utils import timezone

from reintegra.monitoring import engine
from reintegra.reception import services
from reintegra.reception.tests.conftest import Desk, arrival_input, intake_input
from reintegra.testing.indicators import library_values


def _value(code: str, desk: Desk) -> engine.Cell:
    return library_values(code, [desk.arrival.programme_id], days=30).total


def test_people_received_repeat_returns_and_assistance(desk: Desk) -> None:
    services.record_intake(desk.manager, desk.arrival, intake_input(document_number="1", assistance=["food"]))
    services.record_intake(
        desk.manager, desk.arrival, intake_input(given_names="Ana", document_number="2", assistance=["food", "clothes"])
    )
    later = services.create_arrival(desk.manager, arrival_input(desk.point, arrived_at=timezone.now()))
    services.record_intake(desk.manager, later, intake_input(document_number="1", assistance=[]))
    # The other organisation's arrival is in another programme: never counted.
    services.record_intake(desk.other_manager, desk.other_arrival, intake_input(phone="", nationality="HN"))

    assert desk.arrival.programme_id is not None
    people = _value("reception-people-received", desk)
    assert people.value == 2.0  # Juan counts once though received twice
    repeat = _value("reception-repeat-return-rate", desk)
    assert (repeat.numerator, repeat.denominator) == (1.0, 3.0)
    food = _value("reception-assistance-food", desk)
    assert (food.numerator, food.denominator) == (2.0, 3.0)
    clothes = _value("reception-assistance-clothes", desk)
    assert (clothes.numerator, clothes.denominator) == (1.0, 3.0)
    assert _value("reception-arrivals", desk).value == 2.0  # the desk's two arrivals, not the other organisation's

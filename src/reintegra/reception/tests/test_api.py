"""The reception API: the same service as the desk, 400 with field errors and codes, 409 for a possible
duplicate, 404 for another organisation's arrival, 403 without the capability; statistics."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from reintegra.reception import services
from reintegra.reception.models import AssistanceGiven, Intake
from reintegra.reception.tests.conftest import Desk, intake_input
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for

pytestmark = pytest.mark.django_db


def body(**overrides) -> dict:
    values = {
        "given_names": "Pedro",
        "family_names": "Ixcoy Tzoc",
        "sex": "male",
        "birth_date": "1992-02-14",
        "nationality": "GT",
        "assistance": ["food"],
    }
    values.update(overrides)
    return values


def test_points_list_and_create(desk: Desk) -> None:
    listed = api_client_for(desk.manager).get("/api/v1/reception-points/")
    assert listed.status_code == 200
    assert [p["code"] for p in listed.json()["results"]] == ["fag"]
    refused = api_client_for(desk.manager).post("/api/v1/reception-points/", {}, format="json")
    assert refused.status_code == 403
    created = api_client_for(desk.programme_manager).post(
        "/api/v1/reception-points/",
        {"code": "tecun", "name": "Tecún Umán", "country": "gt", "kind": "land_border"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["country"] == "GT"
    again = api_client_for(desk.programme_manager).post(
        "/api/v1/reception-points/",
        {"code": "tecun", "name": "Otro", "country": "GT", "kind": "land_border"},
        format="json",
    )
    assert again.status_code == 400
    assert again.json()["code"][0]["code"] == "duplicate" if isinstance(again.json()["code"], list) else True


def test_arrivals_list_create_and_retrieve(desk: Desk) -> None:
    client = api_client_for(desk.manager)
    created = client.post(
        "/api/v1/arrivals/",
        {"point": desk.point.pk, "arrived_at": "2026-11-30T08:15:00-06:00", "means": "flight", "return_type": "forced"},
        format="json",
    )
    assert created.status_code == 201
    arrival_id = created.json()["id"]
    listed = client.get("/api/v1/arrivals/", {"point": desk.point.pk, "from": "2026-11-30", "to": "2026-11-30"})
    assert [a["id"] for a in listed.json()["results"]] == [arrival_id]
    assert client.get(f"/api/v1/arrivals/{arrival_id}/").json()["intakes"] == 0
    bad = client.post(
        "/api/v1/arrivals/",
        {
            "point": desk.other_point.pk,
            "arrived_at": "2026-11-30T08:15:00Z",
            "means": "flight",
            "return_type": "forced",
        },
        format="json",
    )
    assert bad.status_code == 400 and "point" in bad.json()
    assert client.get("/api/v1/arrivals/", {"colour": "red"}).status_code == 400


def test_intake_created_listed_and_refused_like_the_page(desk: Desk) -> None:
    client = api_client_for(desk.manager)
    url = f"/api/v1/arrivals/{desk.arrival.pk}/intakes/"
    created = client.post(url, body(), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["full_name"] == "Pedro Ixcoy Tzoc"
    assert [a["kind"] for a in created.json()["assistance"]] == ["food"]
    listed = client.get(url)
    assert [i["id"] for i in listed.json()] == [created.json()["id"]]
    refused = client.post(
        url, body(given_names="", birth_date=None, protection_flags=["unaccompanied_child"]), format="json"
    )
    assert refused.status_code == 400
    answer = refused.json()
    assert "given_names" in answer and "birth_date" in answer
    assert Intake.objects.count() == 1


def test_intake_possible_duplicate_is_409_then_linked(desk: Desk) -> None:
    known = f.returnee(
        desk.manager,
        given_names="Pedro",
        first_family_name="Ixcoy",
        second_family_name="Tzoc",
        birth_date=date(1992, 2, 15),
        nationality="GT",
        return_country="GT",
    )
    client = api_client_for(desk.manager)
    url = f"/api/v1/arrivals/{desk.arrival.pk}/intakes/"
    conflict = client.post(url, body(), format="json")
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "possible_duplicate"
    linked = client.post(url, body(returnee=known.pk), format="json")
    assert linked.status_code == 201 and linked.json()["returnee"] == known.pk
    assert linked.json()["is_repeat_return"] is True


def test_another_organisation_gets_404_and_aggregate_roles_403(desk: Desk) -> None:
    url = f"/api/v1/arrivals/{desk.arrival.pk}/intakes/"
    other = api_client_for(desk.other_manager)
    assert other.get(f"/api/v1/arrivals/{desk.arrival.pk}/").status_code == 404
    assert other.get(url).status_code == 404
    assert other.post(url, body(), format="json").status_code == 404
    assert api_client_for(desk.me_officer).get(url).status_code == 403
    assert api_client_for(desk.me_officer).post(url, body(), format="json").status_code == 403
    assert not Intake.objects.exists()


def test_statistics(desk: Desk) -> None:
    services.record_intake(desk.manager, desk.arrival, intake_input())
    answer = api_client_for(desk.manager).get(
        "/api/v1/reception/statistics/", {"point": desk.point.pk, "period": "week"}
    )
    assert answer.status_code == 200
    data = answer.json()
    assert data["exact"] is True
    assert data["arrivals"]["value"] == 1 and data["people_received"]["value"] == 1
    assert data["tables"]["repeat"]["first"]["value"] == 1
    hidden = api_client_for(desk.me_officer).get("/api/v1/reception/statistics/").json()
    assert hidden["people_received"] == {"value": None, "suppressed": True}
    assert hidden["arrivals"] == {"value": 1, "suppressed": False}  # events, not people
    assert api_client_for(f.user(desk.org, "service_provider")).get("/api/v1/reception/statistics/").status_code == 403


def test_intake_names_the_institution_that_gave_an_item_and_is_refused_like_the_page(desk: Desk) -> None:
    from reintegra.referrals.models import ServiceProvider

    red_cross = ServiceProvider.objects.create(
        name="Cruz Roja Guatemalteca", organisation_type="ngo", country="GT", owner=desk.other_org
    )
    abroad = ServiceProvider.objects.create(name="Red Cross", organisation_type="ngo", country="US", owner=desk.org)
    client = api_client_for(desk.manager)
    url = f"/api/v1/arrivals/{desk.arrival.pk}/intakes/"
    refused = client.post(url, body(assistance_institutions={"food": abroad.pk}), format="json")
    assert refused.status_code == 400
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("assistance_institutions.food", "invalid_choice")
    ]
    created = client.post(url, body(assistance_institutions={"food": red_cross.pk}), format="json")
    assert created.status_code == 201, created.json()
    [item] = created.json()["assistance"]
    assert (item["institution"], item["institution_name"], item["given_by"]) == (
        red_cross.pk,
        "Cruz Roja Guatemalteca",
        desk.manager.pk,
    )
    assert client.get(url).json()[0]["assistance"][0]["institution"] == red_cross.pk


def test_assistance_of_a_recorded_intake_is_read_and_changed_through_the_pages_service(desk: Desk) -> None:
    from auditlog.models import LogEntry

    from reintegra.access.models import AccessEvent
    from reintegra.referrals.models import ServiceProvider

    red_cross = ServiceProvider.objects.create(
        name="Cruz Roja Guatemalteca", organisation_type="ngo", country="GT", owner=desk.other_org
    )
    intake = services.record_intake(desk.manager, desk.arrival, intake_input())
    url = f"/api/v1/intakes/{intake.pk}/assistance/"
    client = api_client_for(desk.supervisor)
    read = client.get(url)
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    assert read.json()["intake"] == intake.pk and read.json()["version"] == 1
    assert [a["kind"] for a in read.json()["assistance"]] == ["food", "phone_call"]
    assert [e.purpose for e in AccessEvent.objects.all()] == ["reception: intake (API)"]  # encrypted: not filtered
    # The whole list: phone call removed, hygiene kit added (by the Red Cross); food keeps who recorded it.
    changed = client.put(
        url,
        {"assistance": ["food", "hygiene_kit"], "assistance_institutions": {"hygiene_kit": red_cross.pk}},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert changed.status_code == 200, changed.json()
    assert changed.headers["ETag"] == '"2"'
    items = {a["kind"]: a for a in changed.json()["assistance"]}
    assert set(items) == {"food", "hygiene_kit"}
    assert items["food"]["given_by"] == desk.manager.pk
    assert (items["hygiene_kit"]["given_by"], items["hygiene_kit"]["institution"]) == (desk.supervisor.pk, red_cross.pk)
    # Each change is in the model history: the item added, the item removed.
    history = LogEntry.objects.get_for_model(AssistanceGiven)
    assert sorted(e.action for e in history) == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]
    desk.point.refresh_from_db()
    assert desk.point.assistance_institutions == {"hygiene_kit": red_cross.pk}  # remembered, as on the page


def test_assistance_api_refuses_like_the_page(desk: Desk) -> None:
    from reintegra.referrals.models import ServiceProvider

    abroad = ServiceProvider.objects.create(name="Red Cross", organisation_type="ngo", country="US", owner=desk.org)
    intake = services.record_intake(desk.manager, desk.arrival, intake_input())
    other = services.record_intake(
        desk.other_manager, desk.other_arrival, intake_input(given_names="Otro", phone="", nationality="HN")
    )
    client = api_client_for(desk.manager)
    url = f"/api/v1/intakes/{intake.pk}/assistance/"

    def put(data: dict, version: str = '"1"') -> object:
        return client.put(url, data, format="json", HTTP_IF_MATCH=version)

    def codes(response: object) -> list[tuple[str, str]]:
        return [(e["field"], e["code"]) for e in response.json()["errors"]]  # type: ignore[attr-defined]

    # An institution outside the directory of the point's country; one for an item not ticked; an unknown kind.
    refused = put({"assistance": ["food"], "assistance_institutions": {"food": abroad.pk}})
    assert refused.status_code == 400 and codes(refused) == [("assistance_institutions.food", "invalid_choice")]
    refused = put({"assistance": ["food"], "assistance_institutions": {"clothes": None}})
    assert refused.status_code == 400 and codes(refused) == [("assistance_institutions.clothes", "not_ticked")]
    refused = put({"assistance": ["spaceship"]})
    assert refused.status_code == 400 and codes(refused)[0] == ("assistance.0", "invalid_choice")
    # Versioned: without If-Match 428, with an old version 412; nothing written.
    bare = APIClient()  # sends no If-Match of its own
    bare.force_authenticate(desk.manager)
    assert bare.put(url, {"assistance": []}, format="json").status_code == 428
    assert put({"assistance": []}, version='"7"').status_code == 412
    assert Intake.objects.get(pk=intake.pk).revision == 1 and intake.assistance.count() == 2
    # Another organisation's intake does not exist; without the capability, 403 before any lookup.
    assert client.get(f"/api/v1/intakes/{other.pk}/assistance/").status_code == 404
    assert put({"assistance": []}).status_code == 200
    assert client.put(f"/api/v1/intakes/{other.pk}/assistance/", {"assistance": []}, format="json").status_code == 404
    assert api_client_for(desk.me_officer).get(url).status_code == 403

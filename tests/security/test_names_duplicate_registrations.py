"""Issue 10, item 7: duplicate registrations.

The API created an exact duplicate (same name and national ID) with 201, bypassing the form's
confirmation; ten concurrent registrations with one passport created ten records; a zero-width space in
a name hid the match. Now one rule (services.register_returnee → cases.duplicates) answers 409 with the
candidates until the request confirms a different person, documents are unique per organisation in the
database, and names are cleaned (NFKC, no invisible characters) before matching and storing.
"""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from reintegra.access import crypto
from reintegra.access.roles import Role
from reintegra.cases import duplicates, services
from reintegra.cases.models import IdentityDocument, Returnee
from reintegra.testing import factories
from reintegra.testing.api_clients import ReadThenWriteClient

pytestmark = pytest.mark.django_db


URL = "/api/v1/returnees/"


def api_for(user):
    client = ReadThenWriteClient(HTTP_ACCEPT_LANGUAGE="en")  # updates send the version they read
    client.force_authenticate(user)
    return client


def payload(**overrides):
    body = {
        "given_names": "María José",
        "first_family_name": "Hernández",
        "second_family_name": "López",
        "sex": "female",
        "birth_date": "1990-05-17",
        "nationality": "MX",
        "return_country": "MX",
        "documents": [{"document_type": "national_id", "number": "HELM900517MJCRPR05", "issuing_country": "MX"}],
    }
    body.update(overrides)
    return body


def test_api_exact_duplicate_is_409_with_the_candidates(case_manager):
    api = api_for(case_manager)
    first = api.post(URL, payload(), format="json")
    assert first.status_code == 201, first.content
    again = api.post(URL, payload(), format="json")
    assert again.status_code == 409, again.content
    body = again.json()
    assert body["code"] == "possible_duplicate"
    assert [c["id"] for c in body["candidates"]] == [first.json()["id"]]
    assert body["candidates"][0]["strong"] and "document" in body["candidates"][0]["reasons"]
    assert Returnee.objects.count() == 1
    # Confirming a different person does not get past the same national ID: one holder per register.
    confirmed = api.post(URL, payload(confirmed_new_person=True, seen_candidates=[first.json()["id"]]), format="json")
    assert confirmed.status_code == 409 and confirmed.json()["code"] == "duplicate_document"
    assert Returnee.objects.count() == 1


def test_api_same_name_needs_the_confirmation_of_the_candidates_seen(case_manager):
    api = api_for(case_manager)
    first = api.post(URL, payload(documents=[]), format="json").json()
    refused = api.post(URL, payload(documents=[]), format="json")
    assert refused.status_code == 409
    # "Different person" without naming the candidates shown is not a confirmation.
    blind = api.post(URL, payload(documents=[], confirmed_new_person=True), format="json")
    assert blind.status_code == 409
    created = api.post(
        URL, payload(documents=[], confirmed_new_person=True, seen_candidates=[first["id"]]), format="json"
    )
    assert created.status_code == 201, created.content
    assert Returnee.objects.count() == 2


def test_web_form_and_api_refuse_the_same_registration(case_manager, supervisor):
    """One rule path: the service refuses, whichever door the registration comes through."""
    factories.returnee(case_manager)
    data = services.ReturneeInput(
        given_names="Maria Jose", first_family_name="Hernandez", nationality="MX", return_country="MX",
        second_family_name="Lopez", birth_date=date(1990, 5, 17),
    )  # fmt: skip
    with pytest.raises(duplicates.PossibleDuplicate):
        services.register_returnee(supervisor, data)
    assert Returnee.objects.count() == 1


def test_zero_width_and_compatibility_characters_do_not_hide_a_match(case_manager):
    api = api_for(case_manager)
    assert api.post(URL, payload(documents=[]), format="json").status_code == 201
    disguised = payload(
        documents=[],
        given_names="Mar\u200bía\u00ad Jos\u2060é",  # zero-width space, soft hyphen, word joiner
        first_family_name="Ｈｅｒｎáｎｄｅｚ\ufeff",  # full-width letters, byte-order mark
        second_family_name="  López\t",
    )
    response = api.post(URL, disguised, format="json")
    assert response.status_code == 409, response.content
    assert "exact_name" in response.json()["candidates"][0]["reasons"]
    # Stored as cleaned when the person is confirmed as different: no invisible characters kept.
    seen = [c["id"] for c in response.json()["candidates"]]
    created = api.post(URL, {**disguised, "confirmed_new_person": True, "seen_candidates": seen}, format="json")
    assert created.status_code == 201
    stored = Returnee.objects.get(pk=created.json()["id"])
    assert (stored.given_names, stored.first_family_name, stored.second_family_name) == (
        "María José",
        "Hernández",
        "López",
    )


def test_documents_are_unique_per_organisation_in_the_database(case_manager, other_case_manager):
    """The constraint holds even when the rule is bypassed (a race, or code around the services)."""
    number = "G12345678"
    holder = factories.returnee(case_manager, documents=[services.DocumentInput("passport", number, "MX")])
    other = factories.returnee(
        case_manager, given_names="Otra", first_family_name="Persona", birth_date=None, estimated_age=30
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentityDocument.objects.create(
            returnee=other,
            organisation_id=other.organisation_id,
            document_type="passport",
            number=number,
            number_index=crypto.document_index(number),
            issuing_country="MX",
        )
    # Through the service, vouched past the duplicate rule: still one holder, a clear error, nothing saved.
    with pytest.raises(ValidationError) as refused:
        factories.returnee(
            case_manager, given_names="Tercera", documents=[services.DocumentInput("passport", " g1234-5678", "MX")]
        )
    assert refused.value.error_dict["documents"][0].code == "duplicate_document"
    assert Returnee.objects.count() == 2
    # Another organisation's register may hold the same person (and document): separate registers.
    factories.returnee(other_case_manager, documents=[services.DocumentInput("passport", number, "MX")])
    assert IdentityDocument.objects.filter(number_index=holder.documents.get().number_index).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connections["default"].vendor != "postgresql", reason="concurrent writers need PostgreSQL (constraint: above)"
)
def test_ten_concurrent_registrations_with_one_passport_create_one_record(org, team):
    user = factories.user(org, Role.CASE_MANAGER, team=team)
    body = payload(
        documents=[{"document_type": "passport", "number": "G99887766", "issuing_country": "MX"}],
        confirmed_new_person=True,  # even claiming a different person, one passport is one holder
    )
    statuses: list[int] = []
    barrier = threading.Barrier(10)

    def register() -> None:
        try:
            client = api_for(user)
            barrier.wait()
            statuses.append(client.post(URL, body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 9
    assert Returnee.objects.count() == 1 and IdentityDocument.objects.count() == 1


def test_moving_a_document_onto_another_person_is_a_clear_error(case_manager):
    """Sibling of the registration hole: an update cannot give a second person the same document."""
    number = "G55501234"
    factories.returnee(case_manager, documents=[services.DocumentInput("passport", number, "MX")])
    other = factories.returnee(case_manager, given_names="Otra", first_family_name="Persona")
    response = api_for(case_manager).patch(
        f"{URL}{other.pk}/",
        {"documents": [{"document_type": "passport", "number": number, "issuing_country": "MX"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "documents" in response.json()
    assert not other.documents.exists()

"""Manifest imports through the services: checked whole, written all or nothing, idempotent, deduplicated."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reintegra.cases import name_index
from reintegra.cases.models import IdentityDocument, MatchKey, NameToken, Returnee
from reintegra.reception import manifest_core as core
from reintegra.reception import manifest_services as services
from reintegra.reception.manifest_choices import ManifestStatus, ReviewDecision
from reintegra.reception.manifest_models import ManifestReview
from reintegra.reception.models import Arrival, Intake
from reintegra.reception.tests.manifest_helpers import ARRIVED, Desk, desk, manifest, mapping_input, row, start
from reintegra.testing import factories as f

__all__ = ["desk"]


def test_a_clean_file_creates_arrivals_returnees_and_intakes(desk: Desk) -> None:
    content = manifest(
        row(),
        row("Juan Carlos", "Pérez Gómez", "H", "03/02/1985", passport="A1234567", phone="5555 1234"),
        row("Ana", "Ramírez", "F", "", age="15", unaccompanied="sí", flight="GUA-102"),
        row("Luis", "de León Ramírez", "H", "", age="40", group="F-7"),
        row("Rosa", "Ixcot", "F", "", age="38", group="F-7"),
    )
    record = start(desk, content)
    assert record.status == ManifestStatus.DONE, record.report
    assert (record.new_returnees, record.repeat_returnees, record.unchanged, record.to_review) == (5, 0, 0, 0)
    assert record.rows_total == 5 and record.arrivals == 2
    assert record.content == ""  # the file is not kept once imported
    arrivals = {a.means_number: a for a in Arrival.objects.filter(organisation=desk.org)}
    assert set(arrivals) == {"GUA-101", "GUA-102"}
    flight = arrivals["GUA-101"]
    assert flight.source == "manifest" and flight.return_type == "forced"
    assert (flight.men, flight.women, flight.family_units) == (2, 2, 1)
    assert (arrivals["GUA-102"].girls, arrivals["GUA-102"].unaccompanied_minors) == (1, 1)
    assert flight.arrived_at.date() == date(2026, 10, 1)
    luis = next(r for r in Returnee.objects.filter(organisation=desk.org) if r.given_names == "Luis")
    assert (luis.first_family_name, luis.second_family_name) == ("de León", "Ramírez")
    assert luis.estimated_birth_year == 2026 - 40
    assert luis.municipality is not None and luis.municipality.name == "Mixco"
    assert MatchKey.objects.filter(returnee=luis).exists()
    juan = next(r for r in Returnee.objects.filter(organisation=desk.org) if r.given_names == "Juan Carlos")
    assert juan.phone == "+50255551234" and juan.nationality == "GT"
    assert IdentityDocument.objects.get(returnee=juan).number == "A1234567"
    ana_intake = Intake.objects.get(arrival=arrivals["GUA-102"])
    assert ana_intake.protection_flags == ["unaccompanied_child"] and ana_intake.row_key
    # The parsing's memos (cells, birth dates) do not outlive the import.
    assert core.fold.cache_info().currsize == core.parse_date.cache_info().currsize == 0


def test_bad_rows_are_all_reported_and_nothing_is_written(desk: Desk) -> None:
    content = manifest(
        row(),
        row(given="", born="31/02/1990"),
        row("Pedro", "Soto", sex="X", municipality="Atlantis", phone="12"),
        row("Eva", "Cruz", born="", age="abc", arrived="01/01/2099"),
    )
    record = start(desk, content)
    assert record.status == ManifestStatus.FAILED
    found = {(line["row"], line["column"], line["code"]) for line in services.report_lines(record)}
    assert found == {
        (3, "Nombres", "required"),
        (3, "Fecha de nacimiento", "invalid_date"),
        (4, "Sexo", "invalid_sex"),
        (4, "Municipio", "unknown_municipality"),
        (4, "Teléfono", "invalid_phone"),
        (5, "Edad", "invalid_age"),
        (5, "Fecha de llegada", "in_future"),
    }
    assert all(line["message"] for line in services.report_lines(record))
    assert not Returnee.objects.filter(organisation=desk.org).exists()
    assert not Arrival.objects.filter(organisation=desk.org).exists()
    assert not Intake.objects.exists()


def test_reimporting_the_same_file_changes_nothing_and_says_so(desk: Desk) -> None:
    content = manifest(
        row(), row("Juan", "Pérez Gómez", "H", "03/02/1985"), row("Ana", "Ramírez", "F", "", age="15"), row()
    )
    first = start(desk, content)
    snapshot = (
        Returnee.objects.count(),
        Intake.objects.count(),
        list(Arrival.objects.values_list("pk", "men", "women", "girls", "boys")),
    )
    again = start(desk, content, name="lista (copia).csv")
    assert (first.new_returnees, first.within_file_duplicates) == (3, 1)
    assert (again.status, again.new_returnees, again.unchanged, again.repeat_returnees) == (
        ManifestStatus.DONE,
        0,
        3,
        0,
    )
    assert snapshot == (
        Returnee.objects.count(),
        Intake.objects.count(),
        list(Arrival.objects.values_list("pk", "men", "women", "girls", "boys")),
    )


def test_a_person_listed_twice_in_the_file_is_received_once(desk: Desk) -> None:
    record = start(desk, manifest(row(), row(), row(given="Maria Jose", family="Hernandez Lopez", phone="55551234")))
    assert record.status == ManifestStatus.DONE
    assert (record.new_returnees, record.within_file_duplicates) == (1, 2)
    assert Returnee.objects.filter(organisation=desk.org).count() == 1
    assert Intake.objects.count() == 1


def test_a_person_in_two_arrivals_of_one_file_is_one_returnee_returned_twice(desk: Desk) -> None:
    record = start(desk, manifest(row(), row(arrived="15/10/2026", flight="GUA-200")))
    assert (record.new_returnees, record.repeat_returnees) == (1, 1)
    intakes = list(Intake.objects.order_by("arrival__arrived_at"))
    assert len(intakes) == 2 and intakes[0].returnee_id == intakes[1].returnee_id
    assert [i.is_repeat_return for i in intakes] == [False, True]


def test_an_existing_returnee_is_linked_not_duplicated(desk: Desk) -> None:
    existing = f.returnee(desk.manager, nationality="GT", return_country="GT")
    record = start(desk, manifest(row(given="MARIA JOSE", family="HERNANDEZ LOPEZ")))
    assert (record.new_returnees, record.repeat_returnees, record.to_review) == (0, 1, 0)
    intake = Intake.objects.get()
    assert intake.returnee_id == existing.pk and intake.is_repeat_return
    assert Returnee.objects.filter(organisation=desk.org).count() == 1


def test_a_shared_document_links_the_person(desk: Desk) -> None:
    existing = f.returnee(
        desk.manager, given_names="Carlos", first_family_name="Mejía", birth_date=None, estimated_age=46
    )
    IdentityDocument.objects.create(
        returnee=existing,
        organisation=desk.org,
        document_type="passport",
        number="X999",
        issuing_country="GT",
        number_index=__import__("reintegra.access.crypto", fromlist=["x"]).document_index("X999"),
    )
    record = start(desk, manifest(row("Carlos Alberto", "Mejía", "H", "01/01/1980", passport="X-999")))
    assert record.repeat_returnees == 1 and Intake.objects.get().returnee_id == existing.pk


def test_an_uncertain_match_waits_for_review_then_is_linked(desk: Desk) -> None:
    existing = f.returnee(desk.manager, birth_date=None, estimated_age=36)
    record = start(desk, manifest(row(born="", age="36")))
    assert (record.new_returnees, record.repeat_returnees, record.to_review) == (1, 0, 1)
    review = ManifestReview.objects.get(manifest_import=record)
    assert [c["id"] for c in review.candidates] == [existing.pk]
    created = review.new_returnee_id
    services.decide_review(desk.manager, review, decision=ReviewDecision.LINKED, candidate_id=existing.pk)
    intake = Intake.objects.get()
    assert intake.returnee_id == existing.pk and intake.is_repeat_return
    assert not Returnee.objects.filter(pk=created).exists()
    with pytest.raises(ValidationError) as refused:
        services.decide_review(desk.manager, review, decision=ReviewDecision.DISTINCT)
    assert refused.value.error_dict["decision"][0].code == "decided"


def test_an_uncertain_match_confirmed_distinct_keeps_the_new_person(desk: Desk) -> None:
    f.returnee(desk.manager, birth_date=None, estimated_age=36)
    record = start(desk, manifest(row(born="", age="36")))
    review = ManifestReview.objects.get(manifest_import=record)
    services.decide_review(desk.manager, review, decision=ReviewDecision.DISTINCT)
    review.refresh_from_db()
    assert review.decision == ReviewDecision.DISTINCT and review.decided_by == desk.manager
    assert Returnee.objects.filter(pk=review.new_returnee_id).exists()


def test_another_organisation_cannot_decide_a_review(desk: Desk) -> None:
    f.returnee(desk.manager, birth_date=None, estimated_age=36)
    record = start(desk, manifest(row(born="", age="36")))
    review = ManifestReview.objects.get(manifest_import=record)
    with pytest.raises(PermissionDenied):
        services.decide_review(desk.other_manager, review, decision=ReviewDecision.DISTINCT)


def test_a_missing_column_refuses_the_upload(desk: Desk) -> None:
    with pytest.raises(ValidationError) as refused:
        start(desk, manifest(row()[:2], header=["Nombres", "Apellidos"]))
    assert refused.value.error_dict["file"][0].code == "missing_column"


def test_a_point_or_mapping_of_another_organisation_is_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError) as refused:
        services.start_import(
            desk.manager,
            point_id=desk.other_point.pk,
            mapping_id=desk.mapping.pk,
            upload=manifest(row()),
            file_name="x.csv",
        )
    assert refused.value.error_dict["point"][0].code == "invalid_choice"


def test_a_case_manager_may_not_import(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        start(desk, manifest(row()), user=desk.case_manager)


def test_a_file_without_arrival_dates_takes_the_date_given(desk: Desk) -> None:
    mapping = services.save_mapping(
        desk.manager, mapping_input(name="Sin fecha", columns={"given_names": "Nombres", "family_names": "Apellidos"})
    )
    record = services.start_import(
        desk.manager,
        point_id=desk.point.pk,
        mapping_id=mapping.pk,
        upload=manifest(row()),
        file_name="x.csv",
        arrived_on=date(2026, 9, 30),
    )
    assert record.status == ManifestStatus.DONE
    assert Arrival.objects.get().arrived_at.date() == date(2026, 9, 30)


def test_mapping_names_are_unique_per_organisation(desk: Desk) -> None:
    with pytest.raises(ValidationError) as refused:
        services.save_mapping(desk.manager, mapping_input(name="inm — LISTA DE VUELO"))
    assert refused.value.error_dict["name"][0].code == "duplicate"
    services.save_mapping(desk.other_manager, mapping_input())  # another organisation may use the name


def test_arrival_date_is_read_in_the_mappings_format(desk: Desk) -> None:
    assert ARRIVED == "01/10/2026"
    start(desk, manifest(row()))
    assert Arrival.objects.get().arrived_at.date() == date(2026, 10, 1)  # day/month/year


def test_a_failure_while_writing_rolls_the_whole_file_back(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from reintegra.reception import manifest_writer

    monkeypatch.setattr(services, "CHUNK", 2)  # three chunks for five rows
    calls = []
    original = manifest_writer.ChunkWriter._intakes

    def failing(self: manifest_writer.ChunkWriter, pending: list) -> list:  # type: ignore[type-arg]
        calls.append(len(pending))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(self, pending)

    monkeypatch.setattr(manifest_writer.ChunkWriter, "_intakes", failing)
    names = ["Ana", "Berta", "Carla", "Diana", "Elena"]
    record = start(desk, manifest(*(row(given=n, born=f"0{i + 1}/01/1990") for i, n in enumerate(names))))
    assert len(calls) == 3
    assert record.status == ManifestStatus.FAILED
    assert [line["code"] for line in services.report_lines(record)] == ["file"]
    assert not Returnee.objects.filter(organisation=desk.org).exists()
    assert not Arrival.objects.filter(organisation=desk.org).exists() and not Intake.objects.exists()


def test_new_documents_are_stored_unless_held_already_the_first_of_a_chunk_winning(desk: Desk) -> None:
    """The writer's documents (`manifest_writer._document_jobs`: one INSERT from arrays on PostgreSQL,
    `bulk_create` elsewhere): a number the register holds is not stored again, and of two new people given the
    same number the first keeps it; the number is stored as the worker encrypted it."""
    from reintegra.access import crypto
    from reintegra.reception import manifest_writer

    holder, first, second, third = (f.returnee(desk.manager, given_names=n) for n in ("Ana", "Berta", "Carla", "Diana"))
    held, shared = crypto.document_index("X999"), crypto.document_index("Y111")
    IdentityDocument.objects.create(
        returnee=holder, organisation=desk.org, document_type="passport", number="X999", issuing_country="GT",
        number_index=held,
    )  # fmt: skip
    documents = [
        IdentityDocument(returnee_id=person.pk, organisation_id=desk.org.pk, document_type="passport",
                         number=number, number_index=index, issuing_country="GT")
        for person, number, index in ((first, "X999", held), (second, "Y111", shared), (third, "Y111", shared))
    ]  # fmt: skip
    numbers = [{"number": crypto.encrypt(d.number)} for d in documents]
    manifest_writer._run_jobs(manifest_writer._document_jobs(documents, numbers))
    stored = IdentityDocument.objects.filter(organisation=desk.org).order_by("returnee_id")
    assert [(d.returnee_id, d.number_index, d.number) for d in stored] == [
        (holder.pk, held, "X999"),
        (second.pk, shared, "Y111"),
    ]


def test_copied_rows_are_the_rows_bulk_create_stores(desk: Desk) -> None:
    """The writer's COPY of plain rows (`manifest_writer._copy_job`, PostgreSQL) stores what Django's
    `bulk_create` stores for the same values: defaults, encrypted and plain columns (elsewhere it is bulk_create)."""
    from django.db import connection
    from django.utils import timezone

    from reintegra.reception import manifest_writer

    now = timezone.now()
    returnee = {"organisation_id": desk.org.pk, "given_names": "Ana María", "first_family_name": "López",
                "second_family_name": "", "sex": "female", "birth_date": date(1990, 1, 2),
                "estimated_birth_year": None, "nationality": "GT", "phone": "+50255512345", "return_country": "GT",
                "municipality_id": None, "admin1_id": None,
                "registered_by_id": None, "created_at": now, "birth_year": 1990, "birth_date_index": 42}  # fmt: skip
    copied = manifest_writer._NewRow(dict(returnee))
    manifest_writer._run_jobs(manifest_writer._rows_jobs(Returnee, [copied]))
    made = Returnee.objects.bulk_create([Returnee(**returnee)])[0]
    arrival = Arrival.objects.create(organisation=desk.org, point=desk.point, arrived_at=now, means="flight")
    intake = {"arrival_id": arrival.pk, "is_repeat_return": True, "travelling_with_family": False,
              "protection_flags": ["unaccompanied_child"], "municipality_of_destination_id": None,
              "recorded_by_id": None, "recorded_at": now, "row_key": "ab" * 32}  # fmt: skip
    copied_intake = manifest_writer._NewRow({**intake, "returnee_id": copied.pk})
    manifest_writer._run_jobs(manifest_writer._rows_jobs(Intake, [copied_intake]))
    made_intake = Intake.objects.bulk_create([Intake(**{**intake, "row_key": "cd" * 32}, returnee_id=made.pk)])[0]
    for model, pair, differ in (
        (Returnee, (copied.pk, made.pk), {"id", "updated_at"}),
        (Intake, (copied_intake.pk, made_intake.pk), {"id", "returnee_id", "row_key"}),
    ):
        first, second = (model.objects.filter(pk=pk).values().get() for pk in pair)
        assert {k: v for k, v in first.items() if k not in differ} == {
            k: v for k, v in second.items() if k not in differ
        }, connection.vendor
    assert Returnee.objects.get(pk=copied.pk).given_names == "Ana María"


def test_the_imported_peoples_search_index_is_the_services(desk: Desk) -> None:
    """The writer stores the name tokens and blocking keys it had the worker prepare (on PostgreSQL as a binary
    COPY built from arrays): for each new person they are exactly what `name_index` stores for a returnee
    registered through the services, in the person's organisation."""
    content = manifest(
        row(),
        row("Juan Carlos", "Pérez Gómez", "H", "03/02/1985", passport="A1234567"),
        row("Ana", "Ramírez", "F", "", age="15", unaccompanied="sí", flight="GUA-102"),
        row("Luis", "de León Ramírez", "H", "", age="40", group="F-7"),
    )
    assert start(desk, content).new_returnees == 4
    indexer = name_index.indexer()
    for person in Returnee.objects.filter(organisation=desk.org):
        expected = name_index.identity_index(
            indexer, person.organisation_id, person.given_names, person.first_family_name,
            person.second_family_name, person.birth_date, person.estimated_birth_year,
        )  # fmt: skip
        tokens = NameToken.objects.filter(returnee=person)
        assert sorted(tokens.values_list("kind", "digest")) == sorted(expected.tokens)
        assert set(tokens.values_list("organisation_id", flat=True)) == {desk.org.pk}
        keys = MatchKey.objects.filter(returnee=person)
        assert sorted(keys.values_list("key", flat=True)) == sorted(expected.match_keys)
        assert set(keys.values_list("organisation_id", flat=True)) == {desk.org.pk}

"""Rows take their columns from the model: a column without a default must be given, an unknown one fails."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from reintegra.access import crypto
from reintegra.cases.models import CaseEvent, Household, HouseholdMember, IdentityDocument
from reintegra.demo.rows import MissingColumn, Table, UnknownColumn, copy_text
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def test_columns_are_the_models_concrete_fields():
    table = Table(HouseholdMember)
    assert table.columns == tuple(f.attname for f in HouseholdMember._meta.concrete_fields if not f.primary_key)
    assert Table(Household, ids=True).columns[0] == "id"


def test_an_omitted_column_takes_its_fields_default():
    table = Table(HouseholdMember)
    table.add(household_id=1, organisation_id=1, given_names="Ana", relationship="child")
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert row["sex"] == "unknown" and row["is_minor"] is False and row["birth_date"] is None
    assert row["family_names"] == "" and row["estimated_age"] is None


def test_a_column_without_default_must_be_given():
    with pytest.raises(MissingColumn, match="relationship"):
        Table(HouseholdMember).add(household_id=1, given_names="Ana")
    with pytest.raises(MissingColumn, match="occurred_at"):  # a timestamp is never defaulted to "now"
        Table(CaseEvent).add(case_id=1, kind="registered", actor_id=None, data={}, note="")
    with pytest.raises(MissingColumn, match="household_id"):
        Table(HouseholdMember).extend(("given_names", "relationship"), [("Ana", "child")])


def test_an_unknown_column_fails():
    with pytest.raises(UnknownColumn, match="nickname"):
        Table(HouseholdMember).add(household_id=1, given_names="Ana", relationship="child", nickname="Anita")
    with pytest.raises((UnknownColumn, MissingColumn)):
        Table(HouseholdMember).add(househol_id=1, given_names="Ana", relationship="child")


def test_encrypted_columns_are_encrypted_when_adapted():
    table = Table(CaseEvent)
    when = datetime(2026, 1, 2, 15, tzinfo=UTC)
    table.add(
        case_id=1,
        organisation_id=1,
        kind="closed",
        occurred_at=when,
        actor_id=None,
        data={"old": "assessed"},
        note="Se mudó",
    )
    row = dict(zip(table.columns, table.drain(connection)[0], strict=True))
    assert row["note"].startswith(crypto.ENCRYPTED_PREFIX) and crypto.decrypt(row["note"]) == "Se mudó"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\N"),
        ("Peña\tdos\nlíneas\r\\fin", "Peña\\tdos\\nlíneas\\r\\\\fin"),
        ("\\N", "\\\\N"),  # a text that reads like NULL stays a text
        (True, "t"),
        (False, "f"),
        (7, "7"),
        (datetime(2026, 1, 2, 15, tzinfo=UTC), "2026-01-02 15:00:00+00:00"),
    ],
)
def test_values_in_copy_text_format(value, text):
    assert copy_text(value) == text


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


@postgresql_only
def test_copy_writes_what_the_orm_reads_back():
    org = factories.organisation()
    manager = factories.user(org)
    case = factories.case(manager)
    when = datetime(2026, 1, 2, 15, 30, 5, 123456, tzinfo=UTC)
    tricky = "Peña\tdos\nlíneas\r\\fin \\N"
    table = Table(CaseEvent)
    payload = {"a": [1, "x\ty"], "b": None}
    key = {"case_id": case.pk, "organisation_id": org.pk}  # the organisation key the generator gives
    table.add(**key, kind="closed", occurred_at=when, actor_id=None, data=payload, note=tricky)
    table.add(**key, kind="reopened", occurred_at=when, actor_id=manager.pk, data={}, note="")
    table.copy_in(connection, table.drain_copy())
    assert table.written == 2 and table.rows == []
    closed = CaseEvent.objects.get(case=case, kind="closed")
    assert (closed.occurred_at, closed.actor_id, closed.data, closed.note) == (when, None, payload, tricky)
    with connection.cursor() as cursor:  # encrypted at rest, as the services write it
        cursor.execute("SELECT note FROM cases_caseevent WHERE id = %s", [closed.pk])
        assert cursor.fetchone()[0].startswith(crypto.ENCRYPTED_PREFIX)
    assert CaseEvent.objects.get(case=case, kind="reopened").actor_id == manager.pk


@postgresql_only
def test_copy_leaves_out_rows_a_unique_constraint_refuses():
    org = factories.organisation()
    person = factories.returnee(factories.user(org))
    table = Table(IdentityDocument, skip_conflicts=True)
    row = {
        "returnee_id": person.pk,
        "organisation_id": org.pk,
        "document_type": "passport",
        "number": "X123",
        "number_index": "digest-1",
        "issuing_country": "GT",
    }
    table.put(row)
    table.put(row)  # the same number again: refused by the unique constraint, left out
    table.put({**row, "number_index": "digest-2", "number": "X124"})
    table.copy_in(connection, table.drain_copy())
    assert table.written == 2
    assert IdentityDocument.objects.filter(returnee=person, number_index__startswith="digest-").count() == 2

"""Rows take their columns from the model: a column without a default must be given, an unknown one fails."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from reintegra.access import crypto
from reintegra.cases.models import CaseEvent, Household, HouseholdMember
from reintegra.demo.rows import MissingColumn, Table, UnknownColumn

pytestmark = pytest.mark.django_db


def test_columns_are_the_models_concrete_fields():
    table = Table(HouseholdMember)
    assert table.columns == tuple(f.attname for f in HouseholdMember._meta.concrete_fields if not f.primary_key)
    assert Table(Household, ids=True).columns[0] == "id"


def test_an_omitted_column_takes_its_fields_default():
    table = Table(HouseholdMember)
    table.add(household_id=1, given_names="Ana", relationship="child")
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
    table.add(case_id=1, kind="closed", occurred_at=when, actor_id=None, data={"old": "assessed"}, note="Se mudó")
    row = dict(zip(table.columns, table.drain(connection)[0], strict=True))
    assert row["note"].startswith(crypto.ENCRYPTED_PREFIX) and crypto.decrypt(row["note"]) == "Se mudó"

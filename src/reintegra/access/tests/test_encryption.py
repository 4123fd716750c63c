"""Encryption at rest: sensitive values never reach the database in clear (SQLite and PostgreSQL)."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from reintegra.access import crypto
from reintegra.access.management.commands.rotate_keys import encrypted_columns
from reintegra.access.roles import Role
from reintegra.cases import selectors as case_selectors
from reintegra.cases import services as case_services
from reintegra.cases.models import Assessment, IdentityDocument
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import (
    DOCUMENT_NUMBER,
    GBV_NOTE,
    HEALTH_NOTE,
    MENTAL_NOTE,
    all_database_text,
    detailed_case,
)

pytestmark = pytest.mark.django_db

SECRETS = [HEALTH_NOTE, MENTAL_NOTE, GBV_NOTE, DOCUMENT_NUMBER]


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def test_sensitive_fields_are_encrypted_in_the_table(supervisor):
    case = factories.case(supervisor)
    case_services.record_assessment(
        supervisor, case, {"assessed_on": timezone.localdate(), "health_notes": HEALTH_NOTE, "gbv_notes": GBV_NOTE}
    )
    (stored_health, stored_gbv, stored_protection) = raw(
        "SELECT health_notes, gbv_notes, protection_concerns FROM cases_assessment"
    )[0]
    for stored in (stored_health, stored_gbv):
        assert stored.startswith(crypto.ENCRYPTED_PREFIX)
        assert HEALTH_NOTE not in stored and "Diabetes" not in stored
    assert stored_protection == ""  # empty stays empty
    # Read back in clear through the model.
    assessment = Assessment.objects.get()
    assert (assessment.health_notes, assessment.gbv_notes) == (HEALTH_NOTE, GBV_NOTE)


def test_document_number_is_encrypted_and_indexed(supervisor):
    returnee = factories.returnee(
        supervisor,
        documents=[case_services.DocumentInput(document_type="passport", number=DOCUMENT_NUMBER, issuing_country="MX")],
    )
    (number, index) = raw("SELECT number, number_index FROM cases_identitydocument")[0]
    assert number.startswith(crypto.ENCRYPTED_PREFIX) and DOCUMENT_NUMBER not in number
    assert index == crypto.document_index(DOCUMENT_NUMBER) and DOCUMENT_NUMBER not in index
    assert returnee.documents.get().number == DOCUMENT_NUMBER


def test_no_table_holds_the_plaintext(supervisor, places):
    """Dump the text of every table, the change log included, and grep for the secrets."""
    detailed_case(supervisor, places)
    dump = all_database_text()
    assert "Baja California" in dump  # the dump does see ordinary data
    for secret in SECRETS:
        assert secret not in dump
    assert "ZQX-HEALTH" not in dump and "G47839216" not in dump


def test_every_encrypted_field_is_found_for_rotation():
    labels = {label for label, *_ in encrypted_columns()}
    assert {
        "cases.Assessment.health_notes",
        "cases.Assessment.mental_health_notes",
        "cases.Assessment.gbv_notes",
        "cases.Assessment.protection_concerns",
        "cases.CounsellingSession.notes",
        "cases.IdentityDocument.number",
    } <= labels


# --- key rotation --------------------------------------------------------------------------------

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def rotate(*args):
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def test_rotate_keys_re_encrypts_under_the_newest_key(org, team):
    with override_settings(REINTEGRA_FIELD_KEYS=[OLD_KEY]):
        user = factories.user(org, Role.SUPERVISOR, team=team)
        case = detailed_case(user)
        before = dict(raw("SELECT id, health_notes FROM cases_assessment"))
    with override_settings(REINTEGRA_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        output = rotate("--batch-size", "1")
    assert "cases.Assessment.health_notes: 1 value(s) re-encrypted" in output
    assert "cases.IdentityDocument.number: 1 value(s) re-encrypted" in output
    after = dict(raw("SELECT id, health_notes FROM cases_assessment"))
    assert before.keys() == after.keys() and before != after
    with override_settings(REINTEGRA_FIELD_KEYS=[NEW_KEY]):  # the old key is gone
        assessment = Assessment.objects.get()
        assert (assessment.health_notes, assessment.mental_health_notes) == (HEALTH_NOTE, MENTAL_NOTE)
        assert IdentityDocument.objects.get().number == DOCUMENT_NUMBER
        assert case.counselling_sessions.get().notes == "Sesión sobre Zqx duelo"
        # Blind-index lookup (its own key) still finds the person by document number.
        found = case_selectors.search_cases(user, case_selectors.CaseFilters(search=DOCUMENT_NUMBER.lower()))
        assert list(found) == [case]
    with override_settings(REINTEGRA_FIELD_KEYS=[OLD_KEY]), pytest.raises(ValueError, match="cannot be read"):
        Assessment.objects.get().health_notes  # noqa: B018


def test_rotate_keys_dry_run_changes_nothing(supervisor):
    detailed_case(supervisor)
    before = all_database_text()
    output = rotate("--dry-run")
    assert "dry run, nothing changed" in output
    assert all_database_text() == before


def test_rotate_keys_refuses_unreadable_values_and_changes_nothing(org, team):
    with override_settings(REINTEGRA_FIELD_KEYS=[OLD_KEY]):
        user = factories.user(org, Role.SUPERVISOR, team=team)
        detailed_case(user)
    before = all_database_text()
    with override_settings(REINTEGRA_FIELD_KEYS=[NEW_KEY]), pytest.raises(CommandError, match="cannot be decrypted"):
        rotate()
    assert all_database_text() == before


def test_rotate_keys_encrypts_values_written_before_encryption(supervisor):
    case = factories.case(supervisor)
    case_services.record_assessment(supervisor, case, {"assessed_on": timezone.localdate()})
    raw("UPDATE cases_assessment SET health_notes = %s", [HEALTH_NOTE])
    rotate()
    (stored,) = raw("SELECT health_notes FROM cases_assessment")[0]
    assert stored.startswith(crypto.ENCRYPTED_PREFIX)
    assert Assessment.objects.get().health_notes == HEALTH_NOTE

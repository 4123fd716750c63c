"""The audit trail is append-only in the database, and the change log never holds sensitive values."""

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from reintegra.access import audit
from reintegra.access.models import AccessEvent
from reintegra.cases import services as case_services
from reintegra.cases.models import Assessment, Returnee
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import HEALTH_NOTE

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(case_manager):
    factories.returnee(case_manager)  # leaves LogEntry rows
    audit.record_access(case_manager, "view", object_type="cases.case", object_id=1, purpose="seguimiento")
    assert LogEntry.objects.exists()
    return AccessEvent.objects.get(), LogEntry.objects.first()


def refused(action):
    with pytest.raises(DatabaseError), transaction.atomic():  # IntegrityError is a DatabaseError
        action()


def sql(statement):
    with connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.mark.parametrize("table", ["access_accessevent", "auditlog_logentry"])
def test_raw_sql_cannot_alter_the_trail(trail, table):
    column = "purpose" if table == "access_accessevent" else "object_repr"
    refused(lambda: sql(f"UPDATE {table} SET {column} = 'borrado'"))  # noqa: S608
    refused(lambda: sql(f"DELETE FROM {table}"))  # noqa: S608


def test_orm_cannot_alter_access_events(trail):
    event, _ = trail
    refused(lambda: AccessEvent.objects.all().delete())
    refused(lambda: AccessEvent.objects.update(purpose="borrado"))
    event.purpose = "borrado"
    refused(event.save)
    refused(event.delete)
    event.refresh_from_db()
    assert event.purpose == "seguimiento"
    assert AccessEvent.objects.count() == 1


def test_orm_cannot_alter_the_change_log(trail):
    _, entry = trail
    count = LogEntry.objects.count()
    refused(lambda: LogEntry.objects.all().delete())
    refused(lambda: LogEntry.objects.update(object_repr="borrado"))
    refused(entry.delete)
    assert LogEntry.objects.count() == count


def test_inserting_still_works(trail, case_manager):
    audit.record_access(case_manager, "export", object_type="cases.case", purpose="informe")
    assert AccessEvent.objects.count() == 2


def test_service_update_is_logged_with_its_actor(case_manager):
    returnee = factories.returnee(case_manager)
    data = factories.returnee_input(phone="+52 664 000 0000")
    case_services.update_returnee(case_manager, returnee, data)
    entry = LogEntry.objects.get_for_object(returnee).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == case_manager
    assert "phone" in entry.changes_dict


def test_sensitive_field_changes_are_logged_masked(case_manager):
    case = factories.case(case_manager)
    case_services.record_assessment(case_manager, case, {"assessed_on": timezone.localdate(), "health_notes": "Asma"})
    assessment = Assessment.objects.get()
    created = LogEntry.objects.get_for_object(assessment).get(action=LogEntry.Action.CREATE)
    assert created.actor == case_manager
    assert created.changes_dict["health_notes"][1] == audit.REDACTED
    with set_actor(case_manager):
        assessment.health_notes = HEALTH_NOTE
        assessment.save()
    updated = LogEntry.objects.get_for_object(assessment).get(action=LogEntry.Action.UPDATE)
    assert updated.actor == case_manager
    assert updated.changes_dict["health_notes"] == [audit.REDACTED, audit.REDACTED]
    assert not LogEntry.objects.filter(changes_text__contains="Asma").exists()
    for entry in LogEntry.objects.all():
        assert HEALTH_NOTE not in str(entry.changes) and "Asma" not in str(entry.changes)


def test_blind_index_and_search_text_stay_out_of_the_log(case_manager):
    returnee = factories.returnee(
        case_manager,
        documents=[case_services.DocumentInput(document_type="passport", number="G47839216", issuing_country="MX")],
    )
    for entry in LogEntry.objects.all():
        changes = entry.changes_dict
        assert not {"number_index", "birth_date_index", "match_record"} & set(changes)
        assert "G47839216" not in str(entry.changes)
    assert Returnee.objects.get() == returnee

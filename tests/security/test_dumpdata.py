"""Issue 10, item 5: `dumpdata` is not a backup route. It reads through the models, so encrypted fields come
out decrypted; models holding personal data are refused unless a purpose is stated, and then the dump is
recorded in the access trail."""

from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command, get_commands
from django.db import connection
from django.utils import translation

from reintegra.access import crypto
from reintegra.access.models import AccessEvent, Organisation
from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

SECRET = "Zqjm amenazas del grupo en su colonia"


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English (outside src/, the project's autouse fixture does not apply).
    with translation.override("en"):
        yield


@pytest.fixture
def assessed(db):
    org = factories.organisation("oim-dd", "MX")
    user = factories.user(org, Role.CASE_MANAGER, username="gestora-dd")
    case = factories.case(user)
    case_services.record_assessment(user, case, {"assessed_on": case.opened_on, "risk_factors": SECRET})
    return user


def dump(*args, **options):
    out = StringIO()
    call_command("dumpdata", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_the_project_command_replaces_djangos():
    assert get_commands()["dumpdata"] == "reintegra.access"


@pytest.mark.parametrize(
    "args",
    [
        (),  # everything
        ("cases",),
        ("cases.Assessment",),
        ("access",),
        ("access.User",),
        ("auditlog",),
        ("sessions",),
        ("structural",),
    ],
)
def test_personal_data_is_refused_without_a_purpose(assessed, tmp_path, args):
    target = tmp_path / "dump.json"
    with pytest.raises(CommandError, match="reintegra backup"):
        dump(*args, output=str(target))
    assert not target.exists()
    assert not AccessEvent.objects.filter(action="export").exists()


def test_excluding_the_personal_models_is_not_a_way_around(assessed):
    with pytest.raises(CommandError, match="personal data"):
        dump("access", exclude=["access.User", "access.TOTPDevice"])  # the access trail is still in


def test_reference_data_dumps_as_before(assessed):
    output = dump("access.Organisation", "places", "sustainability.Instrument", "regional")
    assert "oim-dd" in output
    assert not AccessEvent.objects.filter(action="export").exists()


def test_a_stated_purpose_writes_the_dump_and_records_it(assessed, tmp_path):
    target = tmp_path / "cases.json"
    call_command(
        "dumpdata",
        "cases.Assessment",
        output=str(target),
        purpose="Migración al servidor nuevo, ticket 4711",
        accountable_user="gestora-dd",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert SECRET in Path(target).read_text(encoding="utf-8")  # what dumpdata does: values in clear
    event = AccessEvent.objects.get(action="export", object_type="dumpdata")
    assert (event.user, event.flagged, event.channel) == (assessed, True, "cli")
    assert event.purpose.startswith("Migración al servidor nuevo, ticket 4711")
    assert "cases.Assessment" in event.purpose and str(target) in event.purpose
    with connection.cursor() as cursor:
        cursor.execute("SELECT purpose FROM access_accessevent WHERE id = %s", [event.pk])
        assert cursor.fetchone()[0].startswith(crypto.ENCRYPTED_PREFIX)


def test_an_unknown_accountable_user_is_refused(assessed, tmp_path):
    target = tmp_path / "x.json"
    with pytest.raises(CommandError, match="Unknown or inactive user"):
        dump("cases", output=str(target), purpose="prueba", accountable_user="nadie")
    assert not target.exists()
    assert not AccessEvent.objects.filter(action="export").exists()


def test_the_classification_of_every_model():
    """Deny by default: only reference data and configuration are not personal, and a model with an
    encrypted field is personal whatever the list says."""
    from reintegra.access.personal_data import NOT_PERSONAL, has_encrypted_field, holds_personal_data

    project = [m for m in apps.get_models() if m.__module__.startswith("reintegra.")]
    for model in project:
        if has_encrypted_field(model):
            assert model._meta.label_lower not in NOT_PERSONAL, model
            assert holds_personal_data(model)
    assert holds_personal_data(apps.get_model("access", "User"))
    assert holds_personal_data(apps.get_model("access", "AccessEvent"))
    assert not holds_personal_data(Organisation)
    labels = {m._meta.label_lower for m in apps.get_models()}
    assert labels >= NOT_PERSONAL  # no stale entry

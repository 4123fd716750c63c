import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from reintegra.access.models import Organisation, Programme, Team, User
from reintegra.access.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "lluvia-en-tegucigalpa-42"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- createorg -----------------------------------------------------------------------------------


def test_createorg():
    output = run("createorg", "--code", "oim-gt", "--name", "OIM Guatemala", "--country", "gt")
    org = Organisation.objects.get(code="oim-gt")
    assert (org.name, org.country.code, org.retention_months) == ("OIM Guatemala", "GT", 60)
    assert "Created organisation oim-gt" in output
    # Its first programme, which new cases join and the structural level hangs from.
    programme = Programme.objects.get(organisation=org)
    assert programme.code == "oim-gt-reintegracion" and programme.rss_round_months == [0, 6, 12, 18]
    assert Programme.default_for(org.pk) == programme


def test_createorg_named_programme_or_none():
    run("createorg", "--code", "oim-sv", "--name", "OIM El Salvador", "--country", "SV", "--programme", "Retorno digno")
    assert Programme.objects.get(organisation__code="oim-sv").name == "Retorno digno"
    run("createorg", "--code", "prov-x", "--name", "Proveedor", "--country", "SV", "--no-programme")
    assert not Programme.objects.filter(organisation__code="prov-x").exists()


def test_createorg_retention():
    run("createorg", "--code", "oim-hn", "--name", "OIM Honduras", "--country", "HN", "--retention-months", "24")
    assert Organisation.objects.get(code="oim-hn").retention_months == 24


def test_createorg_existing_is_an_error(org):
    with pytest.raises(CommandError, match="already exists"):
        run("createorg", "--code", "OIM-MX", "--name", "Otra", "--country", "MX")
    assert Organisation.objects.count() == 1


def test_createorg_unknown_country():
    with pytest.raises(CommandError, match="country"):
        run("createorg", "--code", "oim-zz", "--name", "Nada", "--country", "ZZ")
    assert not Organisation.objects.exists()


# --- createuser ----------------------------------------------------------------------------------


def test_createuser(org, team, monkeypatch):
    monkeypatch.setenv("REINTEGRA_PASSWORD", PASSWORD)
    output = run(
        "createuser",
        "--username", "lucia",
        "--organization", "oim-mx",
        "--role", "case_manager",
        "--role", "supervisor",
        "--team", "Equipo Tijuana",
        "--mental-health-professional",
        "--email", "lucia@example.org",
    )  # fmt: skip
    user = User.objects.get(username="lucia")
    assert user.check_password(PASSWORD)
    assert user.roles == {Role.CASE_MANAGER, Role.SUPERVISOR}
    assert (user.organisation, user.team, user.is_mental_health_professional) == (org, team, True)
    assert "Created user lucia" in output
    assert PASSWORD not in output


def test_createuser_password_from_named_variable(org, monkeypatch):
    monkeypatch.delenv("REINTEGRA_PASSWORD", raising=False)
    monkeypatch.setenv("CLAVE_LUCIA", PASSWORD)
    run(
        "createuser",
        "--username",
        "lucia",
        "--organisation",
        "oim-mx",
        "--role",
        "me_officer",
        "--password-env",
        "CLAVE_LUCIA",
    )
    assert User.objects.get(username="lucia").check_password(PASSWORD)


def test_createuser_missing_password(org, monkeypatch):
    monkeypatch.delenv("REINTEGRA_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="REINTEGRA_PASSWORD"):
        run("createuser", "--username", "lucia", "--organization", "oim-mx", "--role", "case_manager")
    assert not User.objects.filter(username="lucia").exists()


def test_createuser_weak_password(org, monkeypatch):
    monkeypatch.setenv("REINTEGRA_PASSWORD", "password")
    with pytest.raises(CommandError, match="password"):
        run("createuser", "--username", "lucia", "--organization", "oim-mx", "--role", "case_manager")
    assert not User.objects.filter(username="lucia").exists()


def test_createuser_unknown_role(org, monkeypatch):
    monkeypatch.setenv("REINTEGRA_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="Unknown role"):
        run("createuser", "--username", "lucia", "--organization", "oim-mx", "--role", "jefe")
    assert not User.objects.filter(username="lucia").exists()


def test_createuser_unknown_organisation(db, monkeypatch):
    monkeypatch.setenv("REINTEGRA_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="Unknown organisation"):
        run("createuser", "--username", "lucia", "--organization", "nada", "--role", "case_manager")


def test_createuser_team_must_exist_unless_created(org, monkeypatch):
    monkeypatch.setenv("REINTEGRA_PASSWORD", PASSWORD)
    args = ["--username", "lucia", "--organization", "oim-mx", "--role", "case_manager", "--team", "Equipo Mexicali"]
    with pytest.raises(CommandError, match="--create-team"):
        run("createuser", *args)
    assert not Team.objects.filter(name="Equipo Mexicali").exists()
    output = run("createuser", *args, "--create-team")
    assert "Created team Equipo Mexicali" in output
    assert User.objects.get(username="lucia").team.name == "Equipo Mexicali"


def test_createuser_failure_does_not_leave_a_new_team(org, monkeypatch):
    monkeypatch.setenv("REINTEGRA_PASSWORD", PASSWORD)
    with pytest.raises(CommandError):
        run(
            "createuser",
            "--username",
            "x",
            "--organization",
            "oim-mx",
            "--role",
            "jefe",
            "--team",
            "Nuevo",
            "--create-team",
        )
    assert not Team.objects.exists()


def test_hyphenated_command_names_through_the_cli():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "reintegra.settings.test"}
    for name in ("apply-retention", "rotate-keys", "createorg", "createuser"):
        result = subprocess.run(
            [sys.executable, "-m", "reintegra", name, "--help"], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "usage:" in result.stdout

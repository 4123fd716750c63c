"""Project-level behaviour: health check, production settings, the reintegra command."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet


@pytest.mark.django_db
def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REINTEGRA_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "reintegra", *args], env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_zero_warnings():
    env = {
        "REINTEGRA_ENV": "production",
        "REINTEGRA_SECRET_KEY": "k" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
        "REINTEGRA_ALLOWED_HOSTS": "reintegra.example.org",
        "REINTEGRA_FIELD_KEYS": Fernet.generate_key().decode(),
        "REINTEGRA_BLIND_INDEX_KEY": "blind-index-key-" + "b" * 32,
        "REINTEGRA_PSEUDONYM_KEY": "pseudonym-key-" + "p" * 32,
        "DATABASE_URL": "sqlite:////tmp/reintegra-deploy-check.sqlite3",
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_refuse_missing_secret():
    result = _run(["check"], {"REINTEGRA_ENV": "production"})
    assert result.returncode != 0
    assert "REINTEGRA_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_readyz_says_ok_only_with_a_recent_worker_heartbeat(client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from reintegra import health
    from reintegra.web.management.commands.worker import beat
    from reintegra.web.models import WorkerHeartbeat

    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "degraded", "database": "ok", "migrations": "ok", "worker": "none"}

    beat("worker-a", timezone.now())
    assert client.get("/readyz").json()["status"] == "ok"

    WorkerHeartbeat.objects.update(beat_at=timezone.now() - health.WORKER_STALE_AFTER - timedelta(seconds=1))
    assert client.get("/readyz").json() == {
        "status": "degraded",
        "database": "ok",
        "migrations": "ok",
        "worker": "stale",
    }

    monkeypatch.setitem(health._migrations_checked, "pending", 2)
    monkeypatch.setitem(health._migrations_checked, "at", float("inf"))  # the cached answer: two pending
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["migrations"] == "pending"
    assert answer.json()["pending_migrations"] == 2


@pytest.mark.django_db(transaction=True)
def test_worker_beats_at_start_and_exits_when_the_queue_is_empty():
    from django.core.management import call_command

    from reintegra.web.models import WorkerHeartbeat

    # One beat at start; the thread's next one would come after an hour (no write racing the worker's queries).
    call_command("worker", "--batch", "--heartbeat", "3600")
    beat = WorkerHeartbeat.objects.get()
    assert beat.pid == os.getpid() and beat.beat_at >= beat.started_at

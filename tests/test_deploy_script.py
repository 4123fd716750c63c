"""`deploy/install.sh --root DIR` writes what a server install would (environment file with valid keys, systemd
units for web, worker and the reminders timer) and runs nothing; a second run keeps the keys."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reintegra.settings import keys

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "install.sh"


def _install(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), "--root", str(root), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
    )


def _environment(root: Path) -> dict[str, str]:
    lines = (root / "etc/reintegra/reintegra.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_install_writes_the_environment_and_units_and_runs_nothing(tmp_path):
    done = _install(tmp_path, "--host", "reintegra.example.org", "--port", "8010")
    assert done.returncode == 0, done.stderr
    env = _environment(tmp_path)
    assert env["REINTEGRA_ENV"] == "production" and env["REINTEGRA_ALLOWED_HOSTS"] == "reintegra.example.org"
    assert keys.require_fernet_keys("REINTEGRA_FIELD_KEYS", env)
    for name in ("REINTEGRA_SECRET_KEY", "REINTEGRA_BLIND_INDEX_KEY", "REINTEGRA_PSEUDONYM_KEY"):
        assert keys.require_secret_key(name, env)
    assert len({env["REINTEGRA_SECRET_KEY"], env["REINTEGRA_BLIND_INDEX_KEY"], env["REINTEGRA_PSEUDONYM_KEY"]}) == 3
    units = tmp_path / "etc/systemd/system"
    web = (units / "reintegra-web.service").read_text()
    assert "ExecStart=/srv/reintegra/.venv/bin/reintegra serve --bind 127.0.0.1:8010" in web
    assert "EnvironmentFile=/etc/reintegra/reintegra.env" in web and "User=reintegra" in web
    assert "ExecStart=/srv/reintegra/.venv/bin/reintegra worker" in (units / "reintegra-worker.service").read_text()
    reminders = (units / "reintegra-reminders.service").read_text()
    assert "send-reminders" in reminders and "Type=oneshot" in reminders and "[Install]" not in reminders
    assert "OnCalendar=*:0/30" in (units / "reintegra-reminders.timer").read_text()
    assert "ExecStart=/srv/reintegra/.venv/bin/reintegra backup" in (units / "reintegra-backup.service").read_text()
    assert "OnCalendar=*-*-* 02:30" in (units / "reintegra-backup.timer").read_text()
    assert keys.backup_keys([env["REINTEGRA_BACKUP_KEY"]])
    # The scraper's token for /metrics: random, at least the 32 characters production requires.
    token = env["REINTEGRA_METRICS_TOKEN"]
    assert len(token) >= 32 and token not in {env["REINTEGRA_SECRET_KEY"], env["REINTEGRA_BLIND_INDEX_KEY"]}
    # Nothing ran: each command is printed instead.
    assert "would run: systemctl enable --now reintegra-web.service" in done.stdout
    assert "would run: runuser -u postgres -- createdb" in done.stdout


def test_a_second_run_keeps_the_keys(tmp_path):
    assert _install(tmp_path, "--host", "a.example.org").returncode == 0
    first = _environment(tmp_path)
    again = _install(tmp_path, "--host", "a.example.org")
    assert again.returncode == 0 and "keeping" in again.stdout
    assert _environment(tmp_path) == first
    assert "createdb" not in again.stdout  # the database exists since the first run


def test_a_second_run_adds_a_missing_metrics_token_and_keeps_the_rest(tmp_path):
    assert _install(tmp_path, "--host", "a.example.org").returncode == 0
    env_file = tmp_path / "etc/reintegra/reintegra.env"
    older = [line for line in env_file.read_text().splitlines() if "METRICS_TOKEN" not in line]
    env_file.write_text("\n".join(older) + "\n")  # written by an install before the token existed
    again = _install(tmp_path, "--host", "a.example.org")
    assert again.returncode == 0 and "added REINTEGRA_METRICS_TOKEN" in again.stdout
    env = _environment(tmp_path)
    assert len(env["REINTEGRA_METRICS_TOKEN"]) >= 32
    assert {k: v for k, v in env.items() if k != "REINTEGRA_METRICS_TOKEN"} == dict(
        line.split("=", 1) for line in older if line and not line.startswith("#")
    )
    third = _install(tmp_path, "--host", "a.example.org")
    assert "added" not in third.stdout and _environment(tmp_path) == env


def test_install_refuses_without_a_host(tmp_path):
    done = _install(tmp_path)
    assert done.returncode == 2 and "--host is required" in done.stderr
    assert not (tmp_path / "etc").exists()

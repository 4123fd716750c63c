"""Two real installations on loopback: two `reintegra runserver` processes, two SQLite databases, two
secret keys and two key pairs. A case is handed over A → B and B → A through the push path (the sender's
background task, immediate in the test settings, POSTs the sealed package to the other's inbox)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reintegra.testing.template_db import copy_migrated_sqlite

pytestmark = pytest.mark.two_installations


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Installation:
    def __init__(self, name: str, db: Path, port: int) -> None:
        self.name, self.db, self.port = name, db, port
        self.base = f"http://127.0.0.1:{port}"
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("REINTEGRA_", "DJANGO_"))}
        self.env = {
            **base_env,
            "DJANGO_SETTINGS_MODULE": "reintegra.settings.test",
            "DATABASE_URL": f"sqlite:///{db}",
            "REINTEGRA_SECRET_KEY": f"loopback-{name}-" + "s" * 60,
            "REINTEGRA_HOME": str(db.parent),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, *args], env=self.env, capture_output=True, text=True, timeout=180, check=False
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reintegra", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise AssertionError(f"installation {self.name} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Token {self.info['token']}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Accept-Language": "en",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


@pytest.fixture(scope="module")
def installations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Installation, Installation]]:
    root = tmp_path_factory.mktemp("two-installations")
    a = Installation("a", root / "a" / "reintegra.sqlite3", _free_port())
    b = Installation("b", root / "b" / "reintegra.sqlite3", _free_port())
    # The same empty migrated schema; everything else (keys, secrets, data) is each one's own.
    copy_migrated_sqlite(a.db)
    copy_migrated_sqlite(b.db)
    setup = str(Path(__file__).with_name("loopback.py"))
    a.info = json.loads(a.run(setup, "oim-mx", "MX", "ong-gt", "GT", "Andrea").strip().splitlines()[-1])
    b.info = json.loads(b.run(setup, "ong-gt", "GT", "oim-mx", "MX", "Bernardo").strip().splitlines()[-1])
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


def _register(here: Installation, there: Installation, remote_code: str) -> int:
    status, body = here.api(
        "POST",
        "/api/v1/partners/",
        {
            "name": f"Reintegra {there.name.upper()}",
            "base_url": there.base,
            "public_jwks": there.info["jwks"],
            "framework": here.info["framework"],
            "organisation": here.info["stand_in"],
            "remote_organisation_code": remote_code,
        },
    )
    assert status == 201, body
    # The fingerprint shown here is the one the other installation shows for itself.
    _s, own = there.api("GET", "/api/v1/handovers/installation/")
    assert body["fingerprint"] == own["fingerprint"]
    return int(body["id"])


def _hand_over(sender: Installation, recipient: Installation, partner: int) -> None:
    status, draft = sender.api(
        "POST",
        "/api/v1/handovers/",
        {"case": sender.info["case"], "partner": partner, "recipient_party": sender.info["party"], "reason": "Retorno"},
    )
    assert status == 201, draft
    status, sent = sender.api("POST", f"/api/v1/handovers/{draft['id']}/send/")
    assert status == 200, sent
    # Pushed on commit: the recipient answered 202, so the sender already shows it received.
    _s, shown = sender.api("GET", f"/api/v1/handovers/{draft['id']}/")
    assert shown["status"] == "received", shown
    _s, inbox = recipient.api("GET", "/api/v1/handovers/")
    incoming = [h for h in inbox if h["direction"] == "incoming" and h["package_id"] == draft["package_id"]]
    assert len(incoming) == 1 and incoming[0]["status"] == "received"
    status, accepted = recipient.api("POST", f"/api/v1/handovers/{incoming[0]['id']}/accept/", {})
    assert status == 200, accepted
    assert accepted["status"] == "accepted" and accepted["accepted_case"]
    # The acceptance travelled back, signed by the recipient.
    _s, final = sender.api("GET", f"/api/v1/handovers/{draft['id']}/")
    assert final["status"] == "accepted"
    assert [e["to_status"] for e in final["events"]] == ["draft", "sent", "received", "accepted"]


def test_a_case_is_handed_over_both_ways(installations: tuple[Installation, Installation]) -> None:
    a, b = installations
    partner_b = _register(a, b, "ong-gt")
    partner_a = _register(b, a, "oim-mx")
    _hand_over(a, b, partner_b)
    _hand_over(b, a, partner_a)


def test_the_inbox_refuses_what_is_not_a_registered_partners_package(
    installations: tuple[Installation, Installation],
) -> None:
    a, _b = installations
    request = urllib.request.Request(  # noqa: S310
        a.base + "/api/v1/handovers/inbox/",
        data=b"not.a.jwe.at.all",
        method="POST",
        headers={"Content-Type": "application/jose"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["code"] in ("cannot_decrypt", "malformed")

"""A migrated, empty SQLite database built once per test run and copied by every test that starts Reintegra in a
process of its own (the browser tests' server, the two installations of the hand-over, `reintegra serve`).

Each of them ran all the migrations from scratch: about 40 s of CPU apiece, several times per run on a two-core
CI. The copy is what `reintegra migrate` makes on an empty file, built by that very command. It is kept for one
run only (xdist's run id names it), so a changed migration or data file can never leave a stale copy behind.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(tempfile.gettempdir()) / "reintegra-test-templates"
STALE_AFTER_SECONDS = 24 * 3600


def _run_id() -> str:
    # The same for the controller and every xdist worker of one run; a plain run uses its own process id.
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"


def _drop_stale() -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for path in ROOT.glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another run is cleaning up too


def _build(target: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="reintegra-template-home-"))
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REINTEGRA_", "DJANGO_", "DATABASE_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "reintegra.settings.test",
        "DATABASE_URL": f"sqlite:///{partial}",
        "REINTEGRA_HOME": str(home),
    }
    try:
        subprocess.run(
            [sys.executable, "-m", "reintegra", "migrate", "--no-input", "-v", "0"],
            env=env,
            check=True,
            capture_output=True,
            timeout=900,
        )
        partial.replace(target)  # whole or absent: a worker never copies a half-migrated file
    finally:
        shutil.rmtree(home, ignore_errors=True)


def migrated_sqlite() -> Path:
    """The run's migrated empty SQLite file, built by the first test that asks (the others wait for it)."""
    ROOT.mkdir(exist_ok=True)
    target = ROOT / f"{_run_id()}.sqlite3"
    if target.exists():
        return target
    with (ROOT / f"{_run_id()}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            _drop_stale()
            _build(target)
    return target


def copy_migrated_sqlite(destination: Path) -> Path:
    """A migrated empty database at `destination`, as `reintegra migrate` would leave it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_sqlite(), destination)
    return destination

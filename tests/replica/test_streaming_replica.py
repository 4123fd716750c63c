"""The read replica on a real streaming replica (issue 19): a PostgreSQL 15 primary and a hot standby made by
pg_basebackup -R, under /tmp; `drive.py` runs Reintegra against both and checks where each statement went:
a dashboard's figures and indicators come from the replica, a read right after the browser's write from the
primary, writes and sessions only from the primary, /readyz reports the replica's lag; both aliases connect
through psycopg's pool (REINTEGRA_DB_POOL).

Run by `make test-replica` (called by .ci/run); skipped elsewhere (it starts two servers, ~40 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.replica import cluster

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(os.environ.get("REINTEGRA_REPLICA_TEST") != "1", reason="make test-replica runs it"),
]

ROOT = Path(__file__).resolve().parents[2]


def test_dashboards_read_the_replica_and_writes_stay_on_the_primary():
    if not cluster.available():
        pytest.fail(f"PostgreSQL 15 binaries are missing under {cluster.PG_BIN} (REINTEGRA_PG_BIN)")
    servers = cluster.Cluster().start()
    try:
        env = {
            **os.environ,
            "DATABASE_URL": servers.primary_url,
            "DATABASE_REPLICA_URL": servers.replica_url,
            "DJANGO_SETTINGS_MODULE": "reintegra.settings.test",
            "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            "REINTEGRA_REQUEST_LOG_LEVEL": "WARNING",
            "REINTEGRA_DB_POOL": "1,4",  # psycopg's pool on both aliases, on a real server
        }
        done = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "replica" / "drive.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        findings = json.loads(done.stdout.strip().splitlines()[-1])
        assert findings["dashboard"]["replica_queries"] > 0 and findings["after_write"]["replica_queries"] == 0
        assert findings["readyz"]["replica"] == "ok"
    finally:
        servers.stop()

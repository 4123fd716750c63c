"""A PostgreSQL 15 primary and its streaming replica (pg_basebackup -R) under /tmp, for the replica routing test.

Run as the `postgres` user through runuser when the tests run as root (PostgreSQL refuses to run as root).
fsync and synchronous commits are off: the cluster lives for one test run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("REINTEGRA_PG_BIN") or "/usr/lib/postgresql/15/bin")
USER = "reintegra"


def available() -> bool:
    return all((PG_BIN / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup", "createdb"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*command: str | Path, log: Path) -> None:
    argv = [str(part) for part in command]
    if os.getuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    with log.open("a") as out:
        subprocess.run(argv, check=True, stdout=out, stderr=subprocess.STDOUT, timeout=120)


class Cluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="reintegra-replica.", dir="/tmp"))
        self.root.chmod(0o777)
        self.log = self.root / "cluster.log"
        self.primary_port, self.replica_port = _free_port(), _free_port()
        self.started: list[Path] = []

    def url(self, port: int) -> str:
        return f"postgres://{USER}@127.0.0.1:{port}/reintegra"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def _start(self, data: Path, port: int) -> None:
        options = f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1"
        _run(
            PG_BIN / "pg_ctl",
            "-D",
            data,
            "-l",
            self.root / f"{data.name}.log",
            "-w",
            "-o",
            options,
            "start",
            log=self.log,
        )
        self.started.append(data)

    def start(self) -> Cluster:
        primary, replica = self.root / "primary", self.root / "replica"
        _run(
            PG_BIN / "initdb",
            "-D",
            primary,
            "-U",
            USER,
            "-A",
            "trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            log=self.log,
        )
        with (primary / "postgresql.conf").open("a") as conf:
            # A streaming replica (wal_level replica and WAL senders are the defaults; said for the reader).
            conf.write("wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n")
            conf.write("fsync = off\nsynchronous_commit = off\n")
        self._start(primary, self.primary_port)
        _run(
            PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", USER, "reintegra", log=self.log
        )
        # -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
        _run(
            PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", USER,
            "-D", replica, "-R", "-X", "stream", "-c", "fast", log=self.log,
        )  # fmt: skip
        self._start(replica, self.replica_port)
        return self

    def stop(self) -> None:
        for data in reversed(self.started):
            with contextlib.suppress(subprocess.SubprocessError):
                _run(PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop", log=self.log)
        self.started.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the replica did not catch up")
        time.sleep(0.1)

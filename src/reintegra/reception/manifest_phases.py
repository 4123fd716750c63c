"""Where a manifest import's process spends its time: wall and thread CPU seconds per phase of the write
(parsing, each kind of statement, waiting for the worker), summed over the import. Off unless a caller turns it
on (`bench/bench_manifest_import.py` with BENCH_BREAKDOWN=1): `timed` then costs two clock reads a phase.

Wall minus thread CPU is the time the phase was blocked: on the database's answer, on the worker's pipe, or
(on a loaded machine) on a core. No Django here; nothing of the file is recorded, only names of phases.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any


class Phases:
    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            with self.lock:
                self.wall[name] += wall
                self.cpu[name] += cpu
                self.calls[name] += 1

    def report(self) -> dict[str, dict[str, float]]:
        """{phase: {wall, cpu, blocked, calls}} in seconds, the longest first."""
        return {
            name: {
                "wall": round(self.wall[name], 2),
                "cpu": round(self.cpu[name], 2),
                "blocked": round(self.wall[name] - self.cpu[name], 2),
                "calls": self.calls[name],
            }
            for name in sorted(self.wall, key=lambda n: -self.wall[n])
        }


current: Phases | None = None


def timed(name: str) -> Any:
    """A context timing `name` into `current` (nothing when off)."""
    return current.phase(name) if current is not None else nullcontext()

"""CPU seconds of processes on this machine, read from Linux's /proc: the benches' own accounting of the database
server's backends and of the processes a run starts (None or nothing where /proc does not show them)."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> tuple[str, list[str]] | None:
    """A process's name and the fields after it (the name is in parentheses and may hold spaces)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:  # gone, or another machine's
        return None
    return text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float | None:
    """The process's own CPU seconds so far (user + system)."""
    found = _stat(pid)
    return None if found is None else (int(found[1][11]) + int(found[1][12])) / TICKS


def processes() -> dict[int, tuple[str, int, float]]:
    """Every live process: pid → (name, parent pid, CPU seconds of it and of the children it has waited for)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(entry.name)) is not None:
            name, fields = stat
            found[int(entry.name)] = (name, int(fields[1]), sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICKS)
    return found

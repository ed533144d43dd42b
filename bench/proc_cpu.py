"""CPU time of whole process trees from the operating system's accounting (Linux /proc).

A tree's CPU = utime + stime + cutime + cstime of every process alive in it (the root and all its
descendants).  cutime/cstime hold what a process's reaped children used, so a descendant that ran
and exited between two readings is counted once, in its parent, and threads are inside their
process's figures.  Read before and after a window; the difference is the window's CPU.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _Stat:
    ppid: int
    user_ticks: int  # utime + cutime
    system_ticks: int  # stime + cstime


@dataclass(frozen=True)
class Cpu:
    """CPU seconds in user space and in the kernel (system calls: I/O, fsync, futexes...)."""

    user_s: float
    system_s: float

    @property
    def total_s(self) -> float:
        return self.user_s + self.system_s

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.user_s - other.user_s, self.system_s - other.system_s)


def _read_stat(pid: int) -> _Stat | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
    fields = text[text.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return _Stat(int(fields[1]), utime + cutime, stime + cstime)


def _all_stats() -> dict[int, _Stat]:
    stats = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _read_stat(int(entry.name))
            if stat is not None:
                stats[int(entry.name)] = stat
    return stats


def tree_cpu(roots: Mapping[str, int]) -> dict[str, Cpu]:
    """CPU used so far by each named process tree (root pid and its descendants)."""
    stats = _all_stats()
    children: dict[int, list[int]] = {}
    for pid, known in stats.items():
        children.setdefault(known.ppid, []).append(pid)
    out = {}
    for name, root in roots.items():
        user = system = 0
        todo = [root]
        while todo:
            pid = todo.pop()
            stat = stats.get(pid)
            if stat is not None:
                user += stat.user_ticks
                system += stat.system_ticks
            todo.extend(children.get(pid, ()))
        out[name] = Cpu(user / TICKS_PER_S, system / TICKS_PER_S)
    return out


def rss_mb(pid: int) -> float | None:
    """Resident memory of one process, MiB (None when it is gone)."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


class CpuWindow:
    """`start()` and `stop()` around a window; `stop()` gives each tree's CPU inside it."""

    def __init__(self, roots: Mapping[str, int]) -> None:
        self.roots = dict(roots)
        self._before: dict[str, Cpu] = {}

    def start(self) -> None:
        self._before = tree_cpu(self.roots)

    def stop(self) -> dict[str, Cpu]:
        after = tree_cpu(self.roots)
        return {name: after[name] - self._before[name] for name in self.roots}

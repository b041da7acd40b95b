"""Resident memory of a process and its children (Linux /proc), for benchmarks and the
load test."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (Sanic workers, multiprocessing helpers)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            direct = [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
        for child in direct:
            found += [child, *children(child)]
    return found


def rss_mib(pid: int) -> float:
    """RSS of ``pid`` and all its descendants, in MiB."""
    total_kib = 0
    for process in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total_kib / 1024

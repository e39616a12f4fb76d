"""Timing on a shared machine: wait for quiet, time one sample, tell whether others competed.

On two cores a single other busy process can make a two-thread BLAS call many times slower
(one of its threads waits for a core), so every sample records how much CPU *other*
processes used while it ran: the machine's busy time (``/proc/stat``) minus this process's
own CPU time (all its threads, spinning BLAS threads included), per wall-clock second. A
sample where others used more than the cores this process leaves free (``spare_cores``:
cores minus its threads) plus a quarter of a core is marked disturbed, and ``robust_median``
leaves it out when undisturbed samples exist. Before each sample, ``wait_until_quiet`` waits
(up to a limit) for the others to quieten down.

Every engine runs in this one process, so the objects all of them created before a sample
(PyTorch's import alone leaves ~180,000) would be rescanned by Python's cyclic garbage
collector whenever the objects made *during* the sample trigger a full collection: on W3 that
cost autograd_lite, whose graph is Python objects, about as much as its own work. ``timed``
therefore freezes the existing objects (``gc.freeze``) for the sample, so that each engine
pays for the garbage it makes itself, as it would in a process of its own.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

SLACK = 0.25  # others' CPU, in cores beyond the spare ones, above which a sample is disturbed
QUIET_PROBE = 0.25  # seconds of watching before deciding the machine is quiet
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Sample:
    seconds: float
    others_cpu: float | None  # cores other processes kept busy on average (None: unknown)
    disturbed: bool


def spare_cores(threads: int | None) -> float:
    """The cores a process running ``threads`` threads leaves to others (0 if unknown)."""
    return max(0, (os.cpu_count() or 1) - threads) if threads else 0.0


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot, or None off Linux."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / _TICKS  # user..steal; guest time is inside user


def others_cpu_during(fn: Callable[[], Any]) -> tuple[float, float | None]:
    """Run ``fn``; return its wall seconds and the cores other processes used meanwhile."""
    busy, own = busy_seconds(), time.process_time()
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    own = time.process_time() - own
    if busy is None:
        return wall, None
    return wall, max(0.0, busy_seconds() - busy - own) / wall


def wait_until_quiet(max_wait: float, spare: float = 0.0) -> float:
    """Sleep until others use at most ``spare`` + ``SLACK`` cores (at most ``max_wait`` s)."""
    waited = 0.0
    while waited < max_wait:
        _, others = others_cpu_during(lambda: time.sleep(QUIET_PROBE))
        if others is None or others <= spare + SLACK:
            break
        time.sleep(1.0)
        waited += 1.0 + QUIET_PROBE
    return waited


def timed(fn: Callable[[], Any], max_wait: float = 0.0, spare: float = 0.0) -> Sample:
    """One sample of ``fn``: collect garbage, freeze what exists, wait for quiet, time it, note
    the competition."""
    gc.collect()
    gc.freeze()
    try:
        wait_until_quiet(max_wait, spare)
        seconds, others = others_cpu_during(fn)
    finally:
        gc.unfreeze()
    return Sample(seconds, others, others is not None and others > spare + SLACK)


def paired_ratio(samples: Sequence[Sample], reference: Sequence[Sample]) -> float:
    """Median of sample i / reference sample i, over pairs where neither was disturbed."""
    pairs = list(zip(samples, reference))
    clean = [(s, r) for s, r in pairs if not (s.disturbed or r.disturbed)] or pairs
    return statistics.median(s.seconds / r.seconds for s, r in clean)


def robust_median(samples: Sequence[Sample], scale: float = 1.0) -> float:
    """The median of the undisturbed samples (of all, when every one was disturbed), times scale."""
    clean = [s.seconds for s in samples if not s.disturbed]
    return statistics.median(clean or [s.seconds for s in samples]) * scale

"""Timing helpers shared by the benchmarks: medians of repeated runs, progress on stderr."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def interleaved_us(
    fns: dict[str, Callable[[], object]], number: int, repeat: int
) -> dict[str, float]:
    """µs of CPU per call of each function: the median of `repeat` rounds of `number` calls,
    the functions taking turns within each round (a, b, c, a, b, c...), so that a busy moment of
    a shared machine hits all of them alike; process CPU time, so time spent descheduled (other
    people's work) is not counted."""
    for fn in fns.values():
        fn()  # warm caches
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.process_time()
            for _ in range(number):
                fn()
            runs[name].append((time.process_time() - t0) / number * 1e6)
    return {name: statistics.median(r) for name, r in runs.items()}

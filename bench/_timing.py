"""Timing helpers shared by the benchmarks: medians of repeated runs, progress on stderr."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def per_call_us(fn: Callable[[], object], number: int, repeat: int) -> dict[str, float]:
    """µs per call of `fn`: median (and min, max) of `repeat` runs of `number` calls."""
    fn()  # warm caches
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t0) / number * 1e6)
    return {
        "median_us": round(statistics.median(runs), 3),
        "min_us": round(min(runs), 3),
        "max_us": round(max(runs), 3),
    }

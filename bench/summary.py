"""The `summary` of a benchmark run: one number per headline figure, and the targets they meet.

`summarize(benchmarks)` reads the figures every benchmark module returned (the `benchmarks` part
of results.json) and gives exactly SUMMARY_KEYS, each a float, or None when the benchmark that
measures it failed or could not run (PostgreSQL before the services support it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Figures = dict[str, Any]

# key -> (benchmark module, how to read the figure from what it returned)
_SOURCES: dict[str, tuple[str, Callable[[Figures], Any]]] = {
    "serde_ratio_vs_floor": (
        "bench.serde_bench",
        lambda f: f["order_created"]["ratios"]["ours_over_floor_round_trip"],
    ),
    "serde_speedup_vs_confluent": (
        "bench.serde_bench",
        lambda f: f["order_created"]["ratios"]["stock_over_ours_round_trip"],
    ),
    "loop_speedup_vs_confluent": ("bench.loop_bench", lambda f: f["ours_over_stock"]),
    "saga_orders_per_s": ("bench.saga_bench", lambda f: f["sqlite"]["saturation"]["orders_per_s"]),
    "saga_cpu_ms_per_order": (
        "bench.saga_bench",
        lambda f: f["sqlite"]["saturation"]["cpu_ms_per_order"],
    ),
    "saga_p50_ms_half_load": (
        "bench.saga_bench",
        lambda f: f["sqlite"]["half_load"]["latency_p50_ms"],
    ),
    "saga_p99_ms_half_load": (
        "bench.saga_bench",
        lambda f: f["sqlite"]["half_load"]["latency_p99_ms"],
    ),
    "saga_orders_per_s_postgres": (
        "bench.saga_bench",
        lambda f: f["postgres"]["saturation"]["orders_per_s"] if f["postgres"] else None,
    ),
    "registry_lookups_per_s": (
        "bench.registry_bench",
        lambda f: f["summary"]["registry_lookups_per_s"],
    ),
    "registry_lookup_ratio_vs_bare": (
        "bench.registry_bench",
        lambda f: f["summary"]["registry_lookup_ratio_vs_bare"],
    ),
}
SUMMARY_KEYS: tuple[str, ...] = tuple(_SOURCES)

# key -> (comparison, bound): the targets of the throughput issue and PERFORMANCE.md
TARGETS: dict[str, tuple[str, float]] = {
    "serde_ratio_vs_floor": ("<=", 1.3),
    "serde_speedup_vs_confluent": (">=", 1.7),
    "loop_speedup_vs_confluent": (">=", 2.0),
    "saga_orders_per_s": (">=", 1000.0),
    "saga_cpu_ms_per_order": ("<=", 2.0),
    "saga_p99_ms_half_load": ("<=", 500.0),
}


def summarize(benchmarks: dict[str, Figures]) -> dict[str, float | None]:
    """The summary of a run's `benchmarks` (module name -> figures with "ok")."""
    summary: dict[str, float | None] = {}
    for key, (module, read) in _SOURCES.items():
        figures = benchmarks.get(module)
        value = None
        if figures is not None and figures.get("ok"):
            try:
                value = read(figures)
            except (KeyError, TypeError):
                value = None  # an older module's output without this figure
        summary[key] = None if value is None else float(value)
    return summary


def targets(summary: dict[str, float | None]) -> dict[str, bool | None]:
    """ "key op bound" -> met (None: not measured).  saga throughput OR CPU per order counts."""
    met: dict[str, bool | None] = {}
    for key, (op, bound) in TARGETS.items():
        value = summary[key]
        label = f"{key} {op} {bound:g}"
        if value is None:
            met[label] = None
        else:
            met[label] = value <= bound if op == "<=" else value >= bound
    return met

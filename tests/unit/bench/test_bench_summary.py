"""The benchmark's summary: exactly the agreed keys, numbers (or None for what was not measured),
computed from what the benchmark modules really return."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import serde_bench
from bench.report import to_markdown
from bench.summary import SUMMARY_KEYS, summarize, targets

RESULTS = Path(__file__).resolve().parents[3] / "bench-results" / "results.json"
EXPECTED_KEYS = {
    "serde_ratio_vs_floor",
    "serde_speedup_vs_confluent",
    "loop_speedup_vs_confluent",
    "saga_orders_per_s",
    "saga_cpu_ms_per_order",
    "saga_p50_ms_half_load",
    "saga_p99_ms_half_load",
    "saga_orders_per_s_postgres",
    "registry_lookups_per_s",
    "registry_lookup_ratio_vs_bare",
}


def _committed() -> dict[str, Any]:
    return json.loads(RESULTS.read_text())


def test_summary_keys_are_the_agreed_ones() -> None:
    assert set(SUMMARY_KEYS) == EXPECTED_KEYS


def test_committed_run_has_a_summary_computed_from_its_own_figures() -> None:
    results = _committed()
    summary = results["summary"]
    assert set(summary) == EXPECTED_KEYS
    for key, value in summary.items():
        if key == "saga_orders_per_s_postgres" and value is None:
            continue  # null until the services run on PostgreSQL
        assert isinstance(value, float), f"{key}: {value!r}"
        assert value > 0, f"{key}: {value!r}"
    assert summarize(results["benchmarks"]) == summary
    assert results["targets"] == targets(summary)


def test_committed_run_renders_as_markdown() -> None:
    text = to_markdown(_committed())
    for key in EXPECTED_KEYS:
        assert f"`{key}`" in text
    assert "CPU ms/order" in text


def test_summary_of_a_fresh_serde_run_and_failed_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real (tiny) serde run; the other modules failed: their figures are None, not errors."""
    monkeypatch.setattr(serde_bench, "NUMBER", 22)
    monkeypatch.setattr(serde_bench, "REPEAT", 1)
    failed = {"ok": False, "error": "RuntimeError: no broker"}
    benchmarks = {
        "bench.serde_bench": {"ok": True, **serde_bench.run()},
        "bench.loop_bench": failed,
        "bench.registry_bench": failed,
        "bench.saga_bench": failed,
    }
    summary = summarize(benchmarks)
    assert set(summary) == EXPECTED_KEYS
    assert isinstance(summary["serde_ratio_vs_floor"], float)
    assert isinstance(summary["serde_speedup_vs_confluent"], float)
    others = EXPECTED_KEYS - {"serde_ratio_vs_floor", "serde_speedup_vs_confluent"}
    assert all(summary[k] is None for k in others)
    met = targets(summary)
    assert met["loop_speedup_vs_confluent >= 2"] is None
    assert isinstance(met["serde_ratio_vs_floor <= 1.3"], bool)

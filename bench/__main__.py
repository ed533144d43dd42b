"""`make bench`: run every benchmark module, write bench-results/results.json and results.md.

Each module has `NAME` (optional) and `run() -> dict`. A module that fails (or is missing) is
recorded with its error instead of stopping the others. Targets are ratios measured in the same
run, never absolute times: the machine is shared and noisy.
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import platform
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path
from typing import Any

# The benchmarks, in order; any module with a `run() -> dict` fits.
BENCHMARKS: list[str] = [
    "bench.serde_bench",
    "bench.loop_bench",
    "bench.registry_bench",
    "bench.e2e_bench",
]

RESULTS_DIR = Path("bench-results")
LIBRARIES = ("confluent-kafka", "fastavro", "pydantic", "pydantic-core")


def _machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "libraries": versions,
        "load_average_at_start": list(os.getloadavg()),
    }


def run_all(modules: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": _machine(), "benchmarks": {}}
    for i, name in enumerate(modules, 1):
        print(f"[{i}/{len(modules)}] {name}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
            figures: dict[str, Any] = {"ok": True, **module.run()}
        except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the rest
            figures = {
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=5),
            }
        figures["seconds"] = round(time.perf_counter() - started, 1)
        state = "ok" if figures["ok"] else f"FAILED: {figures['error']}"
        print(f"[{i}/{len(modules)}] {name}: {state} ({figures['seconds']} s)", file=sys.stderr)
        results["benchmarks"][name] = figures
    return results


def _serde_md(figures: dict[str, Any]) -> list[str]:
    lines = []
    for key, label in (("order_created", "OrderCreated"), ("all_samples", "mix of all samples")):
        f = figures[key]
        lines += [
            f"### Serde, {label} (µs/msg, median of {figures['repetitions']})",
            "",
            "| path | serialize | deserialize | round trip |",
            "|---|---|---|---|",
        ]
        for path, desc in (
            ("floor", "fastavro floor (dicts, header by hand)"),
            ("ours", "our EventSerde (typed events)"),
            ("stock", "confluent AvroSerializer/AvroDeserializer (typed events)"),
        ):
            p = f[path]
            lines.append(
                f"| {desc} | {p['serialize_us_per_msg']} | {p['deserialize_us_per_msg']} "
                f"| {p['round_trip_us_per_msg']} |"
            )
        r = f["ratios"]
        lines += [
            "",
            f"- ours / floor: serialize {r['ours_over_floor_serialize']}, deserialize "
            f"{r['ours_over_floor_deserialize']}, **round trip {r['ours_over_floor_round_trip']}** "
            "(target <= 1.3)",
            f"- stock / ours: serialize {r['stock_over_ours_serialize']}, deserialize "
            f"{r['stock_over_ours_deserialize']}, **round trip {r['stock_over_ours_round_trip']}** "
            "(target >= 1.7)",
            "",
        ]
    return lines


def _loop_md(f: dict[str, Any]) -> list[str]:
    return [
        f"### Consume -> decode -> transform -> encode -> produce (Tansu, {f['partitions']} "
        f"partition, {f['events_per_run']} events/run, median of {f['repetitions']})",
        "",
        "| serde | events/s | runs |",
        "|---|---|---|",
        f"| ours | {f['ours_events_per_s']} | {f['runs_events_per_s']['ours']} |",
        f"| stock confluent | {f['stock_events_per_s']} | {f['runs_events_per_s']['stock']} |",
        "",
        f"- ours / stock: **{f['ours_over_stock']}** (target >= 2)",
        "",
    ]


def to_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
    lines = [
        "# Benchmark results",
        "",
        f"{m['date']} — {m['cpu_count']} CPUs ({m['platform']}), Python {m['python']}; {libs}.",
        f"Load average at start: {m['load_average_at_start']}. Reproduce: `make bench`.",
        "Targets are ratios measured in this same run.",
        "",
    ]
    for name, figures in results["benchmarks"].items():
        if not figures["ok"]:
            lines += [f"### {name}: FAILED", "", f"`{figures['error']}`", ""]
            continue
        if name == "bench.serde_bench":
            lines += _serde_md(figures)
        elif name == "bench.loop_bench":
            lines += _loop_md(figures)
        else:
            shown = {k: v for k, v in figures.items() if k not in ("ok",)}
            lines += [f"### {name}", "", "```json", json.dumps(shown, indent=2), "```", ""]
        if "targets" in figures:
            met = ", ".join(
                f"{k}: {'met' if v else 'NOT met'}" for k, v in figures["targets"].items()
            )
            lines += [f"Targets: {met}.", ""]
    return "\n".join(lines)


def main() -> int:
    results = run_all(BENCHMARKS)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS_DIR / "results.md").write_text(to_markdown(results))
    print(f"wrote {RESULTS_DIR}/results.json and {RESULTS_DIR}/results.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

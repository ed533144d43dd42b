"""`make bench`: run every benchmark module, write bench-results/results.json and results.md.

Each module has `NAME` (optional) and `run() -> dict`. A module that fails (or is missing) is
recorded with its error instead of stopping the others. results.json holds the machine, a
`summary` (bench/summary.py: the headline figures), the targets they meet, and every module's
figures; results.md shows the same for people (bench/report.py).  BENCH_QUICK=1: a short run
(under 5 minutes on 2 cores) with fewer orders, events and repetitions.  Targets are ratios or
CPU figures, never timed test assertions: the machine is shared and noisy.
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

from bench.report import to_markdown
from bench.summary import summarize, targets

# The benchmarks, in order; any module with a `run() -> dict` fits.
BENCHMARKS: list[str] = [
    "bench.serde_bench",
    "bench.loop_bench",
    "bench.registry_bench",
    "bench.saga_bench",
]

RESULTS_DIR = Path("bench-results")
QUICK = os.environ.get("BENCH_QUICK") == "1"
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
    results: dict[str, Any] = {"machine": _machine(), "quick": QUICK, "benchmarks": {}}
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
    summary = summarize(results["benchmarks"])
    # headline first: machine, summary, targets, then every module's figures
    return {
        "machine": results["machine"],
        "quick": QUICK,
        "summary": summary,
        "targets": targets(summary),
        "benchmarks": results["benchmarks"],
    }


def main() -> int:
    results = run_all(BENCHMARKS)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS_DIR / "results.md").write_text(to_markdown(results))
    print(f"wrote {RESULTS_DIR}/results.json and {RESULTS_DIR}/results.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Schema Registry benchmark: lookups/s (by id, by subject/version) with concurrent clients, next
to a bare endpoint of the same server stack (`GET /health`: routing and a constant answer, the
physical limit of this design) in the same run, and registration latency along a long
FULL_TRANSITIVE history. Target: lookups at least 0.8 of the bare endpoint's requests/s.

`run()` starts its own registry (`python -m registry serve`) on a free port with a temporary data
dir, measures, stops it, and returns the figures as a dict. Bounded to about 30 s.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from stack.process import free_port
from stack.registry_process import start_registry

CT = "application/vnd.schemaregistry.v1+json"


def _record(n_optional: int) -> str:
    fields: list[dict[str, Any]] = [{"name": "order_id", "type": "string"}]
    fields += [
        {"name": f"opt_{i}", "type": ["null", "string"], "default": None} for i in range(n_optional)
    ]
    return json.dumps(
        {"type": "record", "name": "BenchEvent", "namespace": "bench", "fields": fields}
    )


def _throughput(url: str, paths: list[str], threads: int, seconds: float) -> dict[str, Any]:
    """Raw counts over `seconds` with `threads` clients, each cycling through `paths`."""
    counts = [0] * threads
    errors = [0] * threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        with httpx.Client(base_url=url, timeout=10) as client:
            k = i
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = client.get(paths[k % len(paths)])
                latencies[i].append(time.perf_counter() - t0)
                k += 1
                if r.status_code == 200:
                    counts[i] += 1
                else:
                    errors[i] += 1

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {
        "count": sum(counts),
        "errors": sum(errors),
        "elapsed": time.perf_counter() - started,
        "latencies": [x for lat in latencies for x in lat],
    }


def _interleaved(
    url: str, kinds: dict[str, list[str]], threads: int, seconds: float, rounds: int = 3
) -> dict[str, dict[str, float]]:
    """Requests/s of each kind of request, measured in `rounds` alternating slices (so that the
    noise of a shared machine falls on every kind alike), `seconds` per kind in all."""
    raw: dict[str, list[dict[str, Any]]] = {name: [] for name in kinds}
    for _ in range(rounds):
        for name, paths in kinds.items():
            raw[name].append(_throughput(url, paths, threads, seconds / rounds))
    out = {}
    for name, runs in raw.items():
        lat = sorted(x for run in runs for x in run["latencies"])
        out[name] = {
            "requests_per_s": round(
                sum(r["count"] for r in runs) / sum(r["elapsed"] for r in runs), 1
            ),
            "errors": sum(r["errors"] for r in runs),
            "p50_ms": round(1000 * lat[len(lat) // 2], 2) if lat else 0.0,
            "p99_ms": round(1000 * lat[int(len(lat) * 0.99)], 2) if lat else 0.0,
        }
    return out


def _registration_history(client: httpx.Client, versions: int) -> dict[str, Any]:
    subject = "bench-history-value"
    client.put(f"/config/{subject}", json={"compatibility": "FULL_TRANSITIVE"}).raise_for_status()
    latencies: list[float] = []
    for n in range(versions):
        t0 = time.perf_counter()
        r = client.post(f"/subjects/{subject}/versions", json={"schema": _record(n)})
        latencies.append(time.perf_counter() - t0)
        r.raise_for_status()
    ms = [1000 * x for x in latencies]
    check = client.post(
        f"/compatibility/subjects/{subject}/versions", json={"schema": _record(versions)}
    )
    return {
        "versions": versions,
        "level": "FULL_TRANSITIVE",
        "mean_ms": round(statistics.fmean(ms), 2),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(sorted(ms)[int(len(ms) * 0.95)], 2),
        "max_ms": round(max(ms), 2),
        "first_10_mean_ms": round(statistics.fmean(ms[:10]), 2),
        "last_10_mean_ms": round(statistics.fmean(ms[-10:]), 2),
        "final_check_compatible": check.json().get("is_compatible"),
    }


def run(threads: int = 8, seconds: float = 4.0, versions: int = 100) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as tmp:
        port = free_port()
        proc = start_registry(port, Path(tmp) / "data", Path(tmp) / "registry.log")
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=url, headers={"Content-Type": CT}, timeout=30) as client:
                history = _registration_history(client, versions)
                ids = sorted(
                    {
                        client.get(f"/subjects/bench-history-value/versions/{v}").json()["id"]
                        for v in range(1, versions + 1)
                    }
                )
            rates = _interleaved(
                url,
                {
                    "bare": ["/health"],
                    "by_id": [f"/schemas/ids/{i}" for i in ids],
                    "by_version": [
                        f"/subjects/bench-history-value/versions/{v}"
                        for v in range(1, versions + 1)
                    ],
                },
                threads,
                seconds,
            )
        finally:
            proc.stop()
    bare = rates["bare"]["requests_per_s"]
    ratios = {
        kind: round(rates[kind]["requests_per_s"] / bare, 3) if bare else 0.0
        for kind in ("by_id", "by_version")
    }
    return {
        "registry": {
            "client_threads": threads,
            "cpu_count": os.cpu_count(),
            "bare_endpoint": {"path": "GET /health", **rates["bare"]},
            "lookup_by_id": {**rates["by_id"], "ratio_vs_bare": ratios["by_id"]},
            "lookup_by_subject_version": {
                **rates["by_version"],
                "ratio_vs_bare": ratios["by_version"],
            },
            "registration_full_transitive": history,
        },
        # Lookups by id (the deserializers' hot path) per second; the lower of the two lookup
        # kinds' ratios to a bare endpoint of the same server stack, measured alongside.
        "summary": {
            "registry_lookups_per_s": rates["by_id"]["requests_per_s"],
            "registry_lookup_ratio_vs_bare": min(ratios.values()),
        },
        "targets": {"registry_lookup_ratio_vs_bare >= 0.8": min(ratios.values()) >= 0.8},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))

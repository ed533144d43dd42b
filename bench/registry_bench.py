"""Schema Registry benchmark: lookups/s (by id, by subject/version) with concurrent clients, and
registration latency along a long FULL_TRANSITIVE history.

The lookups are compared with a bare endpoint of the same server (`GET /health`: same process,
ASGI app, middleware and HTTP stack, no registry work), measured the same way right after:
`lookup_by_id_over_bare` near 1 means a lookup costs little more than answering HTTP at all.

`run()` starts its own registry (`python -m registry serve`) on a free port with a temporary data
dir, measures, stops it, and returns the figures as a dict. Bounded to about 30 s (BENCH_QUICK=1:
shorter windows).
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
QUICK = os.environ.get("BENCH_QUICK") == "1"


def _record(n_optional: int) -> str:
    fields: list[dict[str, Any]] = [{"name": "order_id", "type": "string"}]
    fields += [
        {"name": f"opt_{i}", "type": ["null", "string"], "default": None} for i in range(n_optional)
    ]
    return json.dumps(
        {"type": "record", "name": "BenchEvent", "namespace": "bench", "fields": fields}
    )


def _throughput(url: str, paths: list[str], threads: int, seconds: float) -> dict[str, float]:
    """Requests/s over `seconds` with `threads` clients, each cycling through `paths`."""
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
    elapsed = time.perf_counter() - started
    all_lat = sorted(x for lat in latencies for x in lat)
    return {
        "requests_per_s": round(sum(counts) / elapsed, 1),
        "errors": sum(errors),
        "p50_ms": round(1000 * all_lat[len(all_lat) // 2], 2) if all_lat else 0.0,
        "p99_ms": round(1000 * all_lat[int(len(all_lat) * 0.99)], 2) if all_lat else 0.0,
    }


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


def run(
    threads: int = 8, seconds: float = 2.0 if QUICK else 4.0, versions: int = 100
) -> dict[str, Any]:
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
            by_id = _throughput(url, [f"/schemas/ids/{i}" for i in ids], threads, seconds)
            by_version = _throughput(
                url,
                [f"/subjects/bench-history-value/versions/{v}" for v in range(1, versions + 1)],
                threads,
                seconds,
            )
            bare = _throughput(url, ["/health"], threads, seconds)
        finally:
            proc.stop()
    return {
        "registry": {
            "client_threads": threads,
            "cpu_count": os.cpu_count(),
            "lookup_by_id": by_id,
            "lookup_by_subject_version": by_version,
            "bare_endpoint": {"path": "/health", **bare},
            "lookup_by_id_over_bare": round(by_id["requests_per_s"] / bare["requests_per_s"], 3),
            "registration_full_transitive": history,
        }
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))

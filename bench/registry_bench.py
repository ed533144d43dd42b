"""Schema Registry benchmark: lookups/s (by id, by subject/version) with concurrent clients, next
to a bare endpoint of the same server stack (`GET /health`: routing and a constant answer, the
physical limit of this design) in the same run, and registration latency along a long
FULL_TRANSITIVE history. Target: lookups at least 0.8 of the bare endpoint's requests/s.

`run()` starts its own registry (`python -m registry serve`) on a free port with a temporary data
dir, measures, stops it, and returns the figures as a dict. Bounded to about 30 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx

from registry.app import create_app
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


def _slice(clients: list[httpx.Client], paths: list[str], seconds: float) -> dict[str, Any]:
    """Raw counts over `seconds`, one thread per (kept-alive) client, each cycling through
    `paths`."""
    threads = len(clients)
    counts = [0] * threads
    errors = [0] * threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        k = i
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            r = clients[i].get(paths[k % len(paths)])
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
    url: str, kinds: dict[str, list[str]], threads: int, seconds: float, rounds: int = 8
) -> dict[str, dict[str, float]]:
    """Requests/s of each kind, measured in `rounds` rounds of one short slice per kind, so
    that the noise of a shared machine falls on every kind alike; `seconds` per kind in all.
    `ratio_vs_first` is the median over rounds of the kind's rate over the first kind's rate
    in the same round."""
    raw: dict[str, list[dict[str, Any]]] = {name: [] for name in kinds}
    clients = [httpx.Client(base_url=url, timeout=10) for _ in range(threads)]
    try:
        for paths in kinds.values():  # warm: connections open, caches filled
            _slice(clients, paths, 0.2)
        for _ in range(rounds):
            for name, paths in kinds.items():
                raw[name].append(_slice(clients, paths, seconds / rounds))
    finally:
        for client in clients:
            client.close()
    first = next(iter(kinds))
    out = {}
    for name, runs in raw.items():
        lat = sorted(x for run in runs for x in run["latencies"])
        per_round = [
            (r["count"] / r["elapsed"]) / max(b["count"] / b["elapsed"], 1e-9)
            for r, b in zip(runs, raw[first], strict=True)
        ]
        out[name] = {
            "requests_per_s": round(
                sum(r["count"] for r in runs) / sum(r["elapsed"] for r in runs), 1
            ),
            "errors": sum(r["errors"] for r in runs),
            "p50_ms": round(1000 * lat[len(lat) // 2], 2) if lat else 0.0,
            "p99_ms": round(1000 * lat[int(len(lat) * 0.99)], 2) if lat else 0.0,
            "ratio_vs_first": round(statistics.median(per_round), 3),
        }
    return out


def _server_only_us(
    data_dir: Path, kinds: dict[str, list[str]], rounds: int = 15
) -> dict[str, float]:
    """Server cost per request without sockets or clients: the same app (`create_app` over the
    benchmark's data dir, reads only) called through ASGI; median µs per request over `rounds`
    alternating rounds. Far less sensitive to a busy machine than the HTTP figures."""
    app = create_app(data_dir)

    async def call(path: str) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"bench")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 2),
        }
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await app(scope, receive, send)
        assert statuses == [200], (path, statuses)

    async def measure() -> dict[str, list[float]]:
        runs: dict[str, list[float]] = {name: [] for name in kinds}
        for paths in kinds.values():
            for path in paths:
                await call(path)  # warm the read cache
        for _ in range(rounds):
            for name, paths in kinds.items():
                started = time.perf_counter()
                for path in paths:
                    await call(path)
                runs[name].append((time.perf_counter() - started) / len(paths) * 1e6)
        return runs

    runs = asyncio.run(measure())
    return {name: round(statistics.median(values), 1) for name, values in runs.items()}


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
            kinds = {
                "bare": ["/health"] * len(ids),
                "by_id": [f"/schemas/ids/{i}" for i in ids],
                "by_version": [
                    f"/subjects/bench-history-value/versions/{v}" for v in range(1, versions + 1)
                ],
            }
            rates = _interleaved(url, kinds, threads, seconds)
        finally:
            proc.stop()
        server_us = _server_only_us(Path(tmp) / "data", kinds)
    ratios = {kind: rates[kind].pop("ratio_vs_first") for kind in ("by_id", "by_version")}
    rates["bare"].pop("ratio_vs_first")
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
            "server_only_us_per_request": {
                **server_us,
                "by_id_over_bare": round(server_us["by_id"] / server_us["bare"], 3),
                "by_version_over_bare": round(server_us["by_version"] / server_us["bare"], 3),
            },
        },
        # Lookups by id (the deserializers' hot path) per second; the lower of the two lookup
        # kinds' ratios to a bare endpoint of the same server stack (median over rounds of the
        # ratio within each round).
        "summary": {
            "registry_lookups_per_s": rates["by_id"]["requests_per_s"],
            "registry_lookup_ratio_vs_bare": min(ratios.values()),
        },
        "targets": {"registry_lookup_ratio_vs_bare >= 0.8": min(ratios.values()) >= 0.8},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))

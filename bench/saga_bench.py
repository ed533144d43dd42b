"""The whole saga on this machine: throughput, CPU per order (per process), latency, a profile.

Each scenario starts its own embedded stack (free ports, temporary state, one instance per
service, DELIVERY_DELAY_S=0, LOG_LEVEL=WARNING unless BENCH_LOG_LEVEL says otherwise, a stock
large enough for every order) and then, in order:

1. idle: every process's CPU over a few seconds with no orders (what the stack costs at rest);
2. saturation: SATURATION_ORDERS orders from CONCURRENCY closed-loop clients; throughput =
   orders / (first POST -> last OrderDelivered); CPU per order = the CPU every process of the
   stack used in that window (broker, registry, services with the order API; their children too;
   from /proc, see proc_cpu.py) / orders.  Also shown above idle (the idle rate times the window
   taken out): the idle part is a fixed cost per second, so its share per order grows whenever
   throughput drops (as on a machine busy with other work).  The load generator's own CPU is
   shown apart;
3. half load: an open loop at half the saturation throughput for OPEN_LOOP_S seconds; p50/p99 of
   scheduled send -> OrderDelivered published (load.py);
4. profile: py-spy samples the service with the most CPU per order during a second saturation
   burst; its top frames (profiling.py).

The same runs on PostgreSQL (DATABASE_URL to a throwaway server, its CPU counted with the stack)
once the services support it.  BENCH_QUICK=1: fewer orders and shorter windows.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import load, profiling
from bench.proc_cpu import CpuWindow, rss_mb
from services.runtime.settings import Settings
from stack.postgres import PostgresServer, start_postgres
from stack.stack import Stack, StackConfig

NAME = "saga (POST -> DELIVERED)"
QUICK = os.environ.get("BENCH_QUICK") == "1"
SATURATION_ORDERS = int(os.environ.get("BENCH_SAGA_ORDERS", "600" if QUICK else "3000"))
OPEN_LOOP_S = 10.0 if QUICK else 30.0
PROFILE_S = 8.0 if QUICK else 15.0
IDLE_S = 3.0 if QUICK else 5.0
CONCURRENCY = 8
# The services' log level: WARNING leaves out the INFO line most handlers write per event
# (BENCH_LOG_LEVEL=INFO measures with them, as `make up` runs).
LOG_LEVEL = os.environ.get("BENCH_LOG_LEVEL", "WARNING")
WARMUP_ORDERS = 40
DELIVERY_TIMEOUT_S = 300.0
SERVICES = ("order", "payment", "inventory", "shipping", "delivery", "notification")


def _say(message: str) -> None:
    print(f"  [saga] {message}", file=sys.stderr, flush=True)


def postgres_supported() -> bool:
    """Whether the services can keep their state in PostgreSQL (DATABASE_URL)."""
    return "database_url" in Settings.model_fields


@contextmanager
def _running_stack(root: Path, database_url: str | None) -> Iterator[Stack]:
    seed = root / "bench_stock.json"
    seed.write_text(json.dumps({load.SKU: 10_000_000}))
    env = {"DELIVERY_DELAY_S": "0", "LOG_LEVEL": LOG_LEVEL, "INVENTORY_SEED_FILE": str(seed)}
    if database_url:
        env["DATABASE_URL"] = database_url
    stack = Stack(StackConfig.on_free_ports(root, env), _say)
    try:
        stack.start_infra()
        stack.start_services()
        yield stack
    finally:
        stack.stop()


def _process_roots(stack: Stack, postgres: PostgresServer | None) -> dict[str, int]:
    roots = {proc.name: proc.pid for proc in stack.infra if proc.pid is not None}
    roots |= {name: proc.pid for name, proc in stack.services.items() if proc.pid is not None}
    if postgres is not None and postgres.process.pid is not None:
        roots["postgres"] = postgres.process.pid
    return roots


def _idle(roots: dict[str, int]) -> dict[str, float]:
    window = CpuWindow(roots)
    window.start()
    started = time.monotonic()
    time.sleep(IDLE_S)
    used = window.stop()
    elapsed = time.monotonic() - started
    return {name: round(100 * cpu.total_s / elapsed, 1) for name, cpu in sorted(used.items())}


def _saturation(
    stack: Stack, watch: load.DeliveryWatch, roots: dict[str, int], idle: dict[str, float]
) -> dict[str, Any]:
    """Closed-loop saturation; `idle` (percent of a core per process) gives the CPU above idle."""
    api = stack.config.order_api_url
    window = CpuWindow(roots)
    generator_cpu = time.process_time()
    started = time.time()
    window.start()
    sent = load.saturate(api, SATURATION_ORDERS, CONCURRENCY, first=WARMUP_ORDERS)
    last_delivery = watch.wait_for([s.order_id for s in sent], DELIVERY_TIMEOUT_S)
    used = window.stop()
    generator_s = time.process_time() - generator_cpu
    seconds = last_delivery - started
    n = len(sent)
    total_s = sum(cpu.total_s for cpu in used.values())
    # what the same processes burn with no orders (mostly consumers' empty fetches), taken out
    above_idle = {name: cpu.total_s - idle[name] / 100 * seconds for name, cpu in used.items()}
    return {
        "orders": n,
        "clients": CONCURRENCY,
        "seconds": round(seconds, 2),
        "orders_per_s": round(n / seconds, 1),
        "cpu_ms_per_order": round(1000 * total_s / n, 3),
        "cpu_ms_per_order_by_process": {
            name: {
                "total": round(1000 * cpu.total_s / n, 3),
                "user": round(1000 * cpu.user_s / n, 3),
                "system": round(1000 * cpu.system_s / n, 3),
            }
            for name, cpu in sorted(used.items())
        },
        "cpu_ms_per_order_above_idle": round(1000 * sum(above_idle.values()) / n, 3),
        "cpu_ms_per_order_above_idle_by_process": {
            name: round(1000 * s / n, 3) for name, s in sorted(above_idle.items())
        },
        "cpu_cores_busy": round(total_s / seconds, 2),
        "load_generator_cpu_ms_per_order": round(1000 * generator_s / n, 3),
    }


def _half_load(stack: Stack, watch: load.DeliveryWatch, rate: float, first: int) -> dict[str, Any]:
    sent = load.open_loop(stack.config.order_api_url, rate, OPEN_LOOP_S, first=first)
    watch.wait_for([s.order_id for s in sent], DELIVERY_TIMEOUT_S)
    latencies = sorted(watch.delivered[s.order_id] - s.scheduled_at for s in sent)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "rate_per_s": round(rate, 1),
        "seconds": OPEN_LOOP_S,
        "orders": len(sent),
        "latency_p50_ms": round(1000 * cuts[49], 1),
        "latency_p99_ms": round(1000 * cuts[98], 1),
        "latency_max_ms": round(1000 * latencies[-1], 1),
    }


def _profile(
    stack: Stack, watch: load.DeliveryWatch, service: str, rate: float, first: int
) -> dict[str, Any]:
    pid = stack.services[service].pid
    assert pid is not None
    orders = max(50, int(rate * PROFILE_S))
    outcome: dict[str, Any] = {}

    def sample() -> None:
        try:
            outcome["raw"] = profiling.record(pid, PROFILE_S)
        except Exception as exc:  # noqa: BLE001 - no profiler (or no ptrace): say so, go on
            outcome["error"] = f"{type(exc).__name__}: {exc}"

    sampler = threading.Thread(target=sample)
    sampler.start()
    sent = load.saturate(stack.config.order_api_url, orders, CONCURRENCY, first=first)
    sampler.join()
    watch.wait_for([s.order_id for s in sent], DELIVERY_TIMEOUT_S)
    if "raw" not in outcome:
        return {"service": service, "error": outcome.get("error", "no samples")}
    return {
        "service": service,
        "tool": profiling.TOOL,
        "seconds": PROFILE_S,
        **profiling.summarize(outcome["raw"]),
    }


def scenario(database: str) -> dict[str, Any]:
    """One stack on `database` ("sqlite" or "postgres"): every measurement above."""
    root = Path(tempfile.mkdtemp(prefix=f"bench-saga-{database}-"))
    postgres = start_postgres(root / "postgres.log") if database == "postgres" else None
    try:
        url = postgres.create_database("shop") if postgres else None
        with _running_stack(root, url) as stack:
            roots = _process_roots(stack, postgres)
            watch = load.DeliveryWatch(stack.config.kafka).start()
            try:
                _say(f"{database}: warm-up ({WARMUP_ORDERS} orders)")
                warm = load.saturate(stack.config.order_api_url, WARMUP_ORDERS, CONCURRENCY)
                watch.wait_for([s.order_id for s in warm], DELIVERY_TIMEOUT_S)
                idle = _idle(roots)
                _say(f"{database}: saturation ({SATURATION_ORDERS} orders)")
                saturation = _saturation(stack, watch, roots, idle)
                _say(
                    f"{database}: {saturation['orders_per_s']} orders/s, "
                    f"{saturation['cpu_ms_per_order']} ms CPU/order"
                )
                rate = saturation["orders_per_s"] / 2
                next_i = WARMUP_ORDERS + SATURATION_ORDERS
                _say(f"{database}: open loop at {rate:.0f} orders/s for {OPEN_LOOP_S:.0f} s")
                half = _half_load(stack, watch, rate, next_i)
                by_process = saturation["cpu_ms_per_order_by_process"]
                by_service = {s: by_process[s]["total"] for s in SERVICES}
                costliest = max(by_service, key=lambda s: by_service[s])
                _say(f"{database}: profiling {costliest} for {PROFILE_S:.0f} s")
                profile = _profile(stack, watch, costliest, rate * 2, next_i + half["orders"])
                rss = {name: rss_mb(pid) for name, pid in roots.items()}
            finally:
                watch.stop()
    finally:
        if postgres is not None:
            postgres.stop()
    return {
        "database": database,
        "instances_per_service": 1,
        "log_level": LOG_LEVEL,
        "partitions_per_topic": 3,
        "idle_cpu_percent_of_one_core": idle,
        "saturation": saturation,
        "half_load": half,
        "profile": profile,
        "rss_mb_at_end": rss,
    }


def run() -> dict[str, Any]:
    results: dict[str, Any] = {"quick": QUICK, "cpu_count": os.cpu_count()}
    results["sqlite"] = scenario("sqlite")
    if postgres_supported():
        results["postgres"] = scenario("postgres")
    else:
        results["postgres"] = None
        results["postgres_note"] = "the services do not support DATABASE_URL yet"
    return results
